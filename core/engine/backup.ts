/**
 * The backup run: every source backed up in order, one job each (see `backup_job.ts`), the run
 * recorded, resumed and retried through the tracker, and archive areas past their retention
 * pruned after a completed run. The destination (a plugin with the "backup" capability) only
 * moves bytes. What is backed up is in `backup_sources.ts`; restore and verify have their own files.
 *
 * @example
 * ```ts
 * const sources = await backupSources({ immichPath: "/srv/immich", dataDir: home });
 * const summary = await runBackup({ store, destination, session, sources, dryRun: false, ... });
 * ```
 * @module
 */
import { messageOf } from "../plugin/errors.ts";
import type { BackupInfo, BackupTargetSession } from "../plugin/types.ts";
import type { BackupDestination, BackupStore } from "../tracker/backup.ts";
import { backoffMs, sleep } from "./retry.ts";
import { type BackupJobSummary, emptyJob, type JobContext, type JobEvent, runJob } from "./backup_job.ts";
import type { BackupSourceSpec } from "./backup_sources.ts";

export type BackupEvent =
  | {
    type: "run";
    runId: number | null;
    resumed: boolean;
    archive: string;
    description: string;
    dryRun: boolean;
  }
  | { type: "waiting"; seconds: number; reason: string }
  | JobEvent
  | { type: "pruned"; archive: string }
  | { type: "warning"; message: string };

export interface BackupSummary {
  runId: number | null;
  destination: string;
  dryRun: boolean;
  resumed: boolean;
  archive: string;
  status: "succeeded" | "failed" | "interrupted";
  jobs: BackupJobSummary[];
  pruned: string[];
  durationMs: number;
}

export interface BackupOptions {
  store: BackupStore;
  destination: BackupDestination;
  session: BackupTargetSession;
  sources: readonly BackupSourceSpec[];
  dryRun: boolean;
  /** Take over a run whose owner cannot be proven dead; back up a source that became empty. */
  force?: boolean;
  /** Attempts per job (BACKUP_MAX_RETRIES). */
  maxRetries: number;
  /**
   * The longest a previous run's rclone could stay silent (its stats interval; default
   * `statsSeconds`): how long a takeover waits for a dead owner's rclone to exit.
   */
  ownerStatsSeconds?: number;
  /** Seconds between progress reports and heartbeats. */
  statsSeconds: number;
  /** A run silent this long counts as stalled (default 3 x statsSeconds). */
  staleAfterMs?: number;
  /** Archive areas older than this many days are deleted after a completed run; 0 keeps all. */
  retentionDays: number;
  /** Writes a consistent copy of the tracker before the data directory is backed up. */
  snapshot?: () => Promise<void>;
  signal: AbortSignal;
  onEvent?: (event: BackupEvent) => void;
  /** Pause before retry number n (default: exponential back-off from 5 s, at most 5 min). */
  backoff?: (attempt: number) => number;
  now?: () => Date;
}

/** The options with their defaults filled in. */
interface Run extends BackupOptions {
  emit: (event: BackupEvent) => void;
  now: () => Date;
  started: number;
  info: BackupInfo;
}

/**
 * Backs up every source to the destination, one job per source, in order. A run that did not end
 * (its process died, or it was interrupted) is resumed: its completed jobs are not redone. Each job
 * is retried with back-off up to `maxRetries` attempts while its errors are retryable; a fatal or
 * configuration error stops the run. Resolves with a per-job summary whose status says whether
 * every job completed.
 */
export async function runBackup(options: BackupOptions): Promise<BackupSummary> {
  const started = Date.now();
  const info = await options.session.prepareBackup({ create: !options.dryRun });
  const run: Run = {
    ...options,
    emit: options.onEvent ?? (() => {}),
    now: options.now ?? (() => new Date()),
    started,
    info,
  };
  return options.dryRun ? await dryRun(run) : await realRun(run);
}

/** Counts what each source would copy and archive. Nothing is recorded, marked or snapshotted. */
async function dryRun(run: Run): Promise<BackupSummary> {
  const archive = "dry-run";
  run.emit({
    type: "run",
    runId: null,
    resumed: false,
    archive,
    description: run.info.description,
    dryRun: true,
  });
  const jobs: BackupJobSummary[] = [];
  for (const source of run.sources) {
    run.emit({ type: "job", source: source.name, path: source.path, attempt: 1 });
    try {
      const r = await run.session.backupTree({
        source: source.path,
        name: source.name,
        archive,
        exclude: source.exclude,
        dryRun: true,
        progressSeconds: run.statsSeconds,
      });
      const { wouldCopy, wouldArchive } = r;
      jobs.push({
        ...emptyJob(source),
        status: "dry-run",
        attempts: 1,
        bytes: r.totalBytes,
        wouldCopy,
        wouldArchive,
      });
    } catch (e) {
      if (run.signal.aborted) throw e;
      jobs.push({ ...emptyJob(source), status: "failed", error: messageOf(e) });
    }
  }
  const status = jobs.some((j) => j.status === "failed") ? "failed" : "succeeded";
  return summaryOf(run, { runId: null, resumed: false, archive, status, jobs, pruned: [] });
}

/** The summary, its fields in the order `--json` has always printed them. */
function summaryOf(run: Run, s: Omit<BackupSummary, "destination" | "dryRun" | "durationMs">): BackupSummary {
  return {
    runId: s.runId,
    destination: run.destination.name,
    dryRun: run.dryRun,
    resumed: s.resumed,
    archive: s.archive,
    status: s.status,
    jobs: s.jobs,
    pruned: s.pruned,
    durationMs: Date.now() - run.started,
  };
}

/** Records (or resumes) the run, runs its jobs, finishes the run and prunes expired archive areas. */
async function realRun(run: Run): Promise<BackupSummary> {
  const { store } = run;
  const staleAfterMs = run.staleAfterMs ?? Math.max(30_000, 3 * run.statsSeconds * 1000);
  const begun = store.beginRun(
    run.destination.id,
    run.sources.map((s) => ({ name: s.name, path: s.path, remotePath: `current/${s.name}` })),
    { staleAfterMs, force: run.force, at: run.now() },
  );
  const runId = begun.run.id;
  const archive = begun.run.archiveStamp ?? "resumed";
  const resumed = begun.resumed;
  run.emit({ type: "run", runId, resumed, archive, description: run.info.description, dryRun: false });

  const beat = setInterval(() => store.heartbeat(runId), Math.max(1, run.statsSeconds) * 1000);
  const summaries = new Map<string, BackupJobSummary>();
  let stopped: unknown;
  try {
    if (resumed && begun.previousHeartbeat) await waitForOwner(run, begun.previousHeartbeat);
    await runJobs(run, { runId, archive }, summaries);
  } catch (e) {
    stopped = e;
  } finally {
    clearInterval(beat);
  }

  const jobs = jobSummaries(store, runId, summaries);
  const interrupted = run.signal.aborted;
  const status = interrupted
    ? "interrupted"
    : stopped || jobs.some((j) => j.status !== "succeeded" && j.status !== "skipped")
    ? "failed"
    : "succeeded";
  store.finishRun(runId, status);
  // Jobs catch what they can retry or record; whatever escapes them (fatal, config) ends the run.
  if (stopped && !interrupted) throw stopped;
  if (interrupted) throw run.signal.reason ?? stopped;
  const pruned = status === "succeeded" ? await pruneExpired(run, archive) : [];
  return summaryOf(run, { runId, resumed, archive, status, jobs, pruned });
}

/**
 * The dead owner's rclone may outlive it until its next log line (at most one stats interval)
 * breaks its pipe; two rclones must not write the same files.
 */
async function waitForOwner(run: Run, previousHeartbeat: string): Promise<void> {
  const waitMs = Date.parse(previousHeartbeat) + ((run.ownerStatsSeconds ?? run.statsSeconds) + 2) * 1000 -
    run.now().getTime();
  if (waitMs <= 0) return;
  run.emit({
    type: "waiting",
    seconds: Math.ceil(waitMs / 1000),
    reason: "for the interrupted run's rclone to exit",
  });
  await sleep(waitMs, run.signal);
}

/** Runs the jobs the tracker says are left, in order, until done or interrupted. */
async function runJobs(
  run: Run,
  of: { runId: number; archive: string },
  summaries: Map<string, BackupJobSummary>,
): Promise<void> {
  const ctx: JobContext = {
    ...run,
    ...of,
    backoff: run.backoff ?? ((n: number) => backoffMs(n, { baseMs: 5_000, maxMs: 300_000 })),
  };
  const spec = new Map(run.sources.map((s) => [s.name, s]));
  for (const job of run.store.jobsToRun(of.runId, run.maxRetries)) {
    const source = spec.get(job.source) ?? { name: job.source, path: job.sourcePath };
    summaries.set(job.source, await runJob(ctx, job, source));
    if (run.signal.aborted) break;
  }
}

/** Every job of the run: those run now as they ended, the others as the tracker has them. */
function jobSummaries(
  store: BackupStore,
  runId: number,
  summaries: Map<string, BackupJobSummary>,
): BackupJobSummary[] {
  return store.jobs(runId).map((j): BackupJobSummary =>
    summaries.get(j.source) ?? {
      source: j.source,
      path: j.sourcePath,
      status: j.status === "succeeded" ? "skipped" : j.status === "failed" ? "failed" : "interrupted",
      attempts: 0,
      copied: 0,
      archived: j.filesArchived,
      bytes: 0,
      error: j.status === "succeeded" ? "completed earlier in this run" : j.error ?? undefined,
    }
  );
}

/** Seconds-precision stamp of `d` minus `days` days, comparable with archive stamps. */
function cutoffStamp(d: Date, days: number): string {
  return new Date(d.getTime() - days * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z").replaceAll("-", "")
    .replaceAll(":", "");
}

/** Deletes the archive areas older than the retention (never this run's); returns their names. */
async function pruneExpired(run: Run, archive: string): Promise<string[]> {
  if (run.retentionDays <= 0 || run.info.keeps !== "areas") return [];
  const cutoff = cutoffStamp(run.now(), run.retentionDays);
  const pruned: string[] = [];
  try {
    for (const area of await run.session.archives()) {
      if (area >= cutoff || area === archive) continue;
      await run.session.pruneArchive(area);
      pruned.push(area);
      run.emit({ type: "pruned", archive: area });
    }
  } catch (e) {
    // Keeping an old archive area a little longer loses nothing; the next run tries again.
    run.emit({ type: "warning", message: `could not remove expired archive areas: ${messageOf(e)}` });
  }
  return pruned;
}
