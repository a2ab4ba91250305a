/**
 * One job of a backup run: one source mirrored to the destination, checked first (still there,
 * not suddenly empty), retried with back-off while its errors are retryable, and recorded in the
 * tracker as it goes. {@link runBackup} runs one per source, in order.
 *
 * @example
 * ```ts
 * const summary = await runJob(context, job, { name: "library", path: "/srv/immich/library" });
 * ```
 * @module
 */
import { errorKind, messageOf } from "../plugin/errors.ts";
import type { BackupTargetSession, TreeBackupResult, TreeProgress } from "../plugin/types.ts";
import type { BackupDestination, BackupJob, BackupStore, JobProgress } from "../tracker/backup.ts";
import { sleep } from "./retry.ts";
import { type BackupSourceSpec, DATA_SOURCE, isDirectory, isEmptyDirectory } from "./backup_sources.ts";

/** What a job reports while it runs. */
export type JobEvent =
  | { type: "job"; source: string; path: string; attempt: number }
  | { type: "progress"; source: string; progress: TreeProgress }
  | { type: "retry"; source: string; attempt: number; delayMs: number; error: string }
  | { type: "job-end"; source: string; status: "succeeded" | "failed"; error?: string };

export interface BackupJobSummary {
  source: string;
  path: string;
  status: "succeeded" | "failed" | "skipped" | "dry-run" | "interrupted";
  attempts: number;
  copied: number;
  archived: number;
  bytes: number;
  wouldCopy?: number;
  wouldArchive?: number;
  error?: string;
}

/** What every job of one run shares (the run's options, its record, its archive area). */
export interface JobContext {
  store: BackupStore;
  destination: BackupDestination;
  session: BackupTargetSession;
  runId: number;
  archive: string;
  force?: boolean;
  maxRetries: number;
  statsSeconds: number;
  snapshot?: () => Promise<void>;
  signal: AbortSignal;
  emit: (event: JobEvent) => void;
  backoff: (attempt: number) => number;
}

/** The summary of a job that has not run (yet). */
export function emptyJob(source: BackupSourceSpec): BackupJobSummary {
  return {
    source: source.name,
    path: source.path,
    status: "failed",
    attempts: 0,
    copied: 0,
    archived: 0,
    bytes: 0,
  };
}

const progressOf = (p: TreeProgress | TreeBackupResult): JobProgress => ({
  bytesTotal: p.totalBytes,
  bytesTransferred: p.bytes,
  filesTotal: p.totalFiles,
  filesTransferred: p.files,
  filesArchived: p.archived,
  speed: p.speed,
  etaSeconds: p.etaSeconds,
});

/** Why the source must not be mirrored now, or undefined when it may. */
async function refusal(ctx: JobContext, source: BackupSourceSpec): Promise<string | undefined> {
  if (!(await isDirectory(source.path))) return `${source.path} is not there any more`;
  // Mirroring an empty folder would move every file of the backup into the archive area.
  if (
    !ctx.force && await isEmptyDirectory(source.path) &&
    ctx.store.hasBackedUpFiles(ctx.destination.id, source.name)
  ) {
    return `${source.path} is empty but earlier backups copied files from it; is its disk mounted? ` +
      `If it really is empty now, run again with --force (the files stay in the archive area)`;
  }
  if (source.name === DATA_SOURCE && ctx.snapshot) {
    try {
      await ctx.snapshot();
    } catch (e) {
      return `could not snapshot the tracker: ${messageOf(e)}`;
    }
  }
  return undefined;
}

/** One attempt: mirrors the source, reporting progress to the caller and (at most every 0.9 s) the tracker. */
async function mirror(ctx: JobContext, job: BackupJob, source: BackupSourceSpec): Promise<TreeBackupResult> {
  let lastWrite = 0;
  const result = await ctx.session.backupTree({
    source: source.path,
    name: source.name,
    archive: ctx.archive,
    exclude: source.exclude,
    progressSeconds: ctx.statsSeconds,
    onProgress: (p) => {
      ctx.emit({ type: "progress", source: source.name, progress: p });
      if (Date.now() - lastWrite < 900) return;
      lastWrite = Date.now();
      ctx.store.jobProgress(job.id, progressOf(p));
      ctx.store.heartbeat(ctx.runId);
    },
  });
  ctx.store.jobCompleted(job.id, progressOf(result));
  return result;
}

/**
 * Runs one job to its end: COMPLETED, or FAILED once its attempts are used up or its error is
 * permanent. A fatal or configuration error is recorded and thrown: it ends the whole run.
 */
export async function runJob(
  ctx: JobContext,
  job: BackupJob,
  source: BackupSourceSpec,
): Promise<BackupJobSummary> {
  const summary = emptyJob(source);
  const failed = (message: string, attempts: number): BackupJobSummary => {
    ctx.emit({ type: "job-end", source: source.name, status: "failed", error: message });
    return { ...summary, status: "failed", attempts, error: message };
  };
  const refused = await refusal(ctx, source);
  if (refused) {
    ctx.store.jobFailed(job.id, refused);
    return failed(refused, 0);
  }
  let attempt = 0;
  let left = ctx.maxRetries - job.retryCount;
  while (left-- > 0) {
    attempt++;
    ctx.store.jobStarted(job.id);
    ctx.emit({ type: "job", source: source.name, path: source.path, attempt });
    try {
      const result = await mirror(ctx, job, source);
      ctx.emit({ type: "job-end", source: source.name, status: "succeeded" });
      const { copied, archived, bytes } = result;
      return { ...summary, status: "succeeded", attempts: attempt, copied, archived, bytes };
    } catch (e) {
      if (ctx.signal.aborted) throw e;
      const message = messageOf(e);
      ctx.store.jobFailed(job.id, message);
      const kind = errorKind(e);
      if (kind === "fatal" || kind === "config") {
        failed(message, attempt);
        throw e;
      }
      if (kind === "permanent" || left <= 0) return failed(message, attempt);
      const delayMs = ctx.backoff(attempt);
      ctx.emit({ type: "retry", source: source.name, attempt, delayMs, error: message });
      await sleep(delayMs, ctx.signal);
    }
  }
  return { ...summary, status: "failed", attempts: attempt, error: job.error ?? "no attempts left" };
}
