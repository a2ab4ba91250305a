/**
 * The backup, restore and verify runs: which trees are backed up, in what order, how a run is
 * recorded, resumed and retried, how long archive areas are kept, and how a restore waits for
 * cold storage. The destination (a plugin with the "backup" capability) only moves bytes.
 *
 * @example
 * ```ts
 * const sources = await backupSources({ immichPath: "/srv/immich", dataDir: home });
 * const summary = await runBackup({ store, destination, session, sources, dryRun: false, ... });
 * ```
 * @module
 */
import { join } from "node:path";
import { ConfigError, errorKind, messageOf, PermanentError } from "../plugin/errors.ts";
import type { BackupInfo, DestinationSession, TreeBackupResult, TreeProgress } from "../plugin/types.ts";
import type { BackupDestination, BackupJob, BackupStore, JobProgress } from "../tracker/backup.ts";
import { backoffMs, sleep } from "./retry.ts";

/** The Immich folders worth keeping, in the order they are backed up. */
export const IMMICH_FOLDERS = ["library", "upload", "profile", "backups"] as const;

/** The tool's own data directory is backed up as the source named this. */
export const DATA_SOURCE = "data";

/** Where the data job finds a consistent copy of the tracker (the live database is left out). */
export const TRACKER_SNAPSHOT = "backup-snapshot/tracker.db";

/**
 * Left out of the data directory: the live tracker (its snapshot goes instead: copying a database
 * that is being written gives a torn copy) and the `.env` file, which holds credentials.
 */
export const DATA_EXCLUDES = [
  "/tracker.db",
  "/tracker.db-wal",
  "/tracker.db-shm",
  "/tracker.db-journal",
  "/.env",
] as const;

export interface BackupSourceSpec {
  name: string;
  path: string;
  exclude?: readonly string[];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * The sources of a backup, in priority order: Immich's `library/`, `upload/`, `profile/` and
 * `backups/` (those that exist; `thumbs/` and `encoded-video/` can be regenerated and are left
 * out), then the data directory. Refuses an Immich path that has none of them: an unmounted disk
 * must not look like an empty library.
 */
export async function backupSources(
  options: { immichPath?: string; dataDir: string },
): Promise<BackupSourceSpec[]> {
  const sources: BackupSourceSpec[] = [];
  if (options.immichPath) {
    if (!(await isDirectory(options.immichPath))) {
      throw new ConfigError(
        `BACKUP_IMMICH_PATH ${options.immichPath} is not a directory; set it to Immich's upload location`,
      );
    }
    for (const name of IMMICH_FOLDERS) {
      const path = join(options.immichPath, name);
      if (await isDirectory(path)) sources.push({ name, path });
    }
    if (sources.length === 0) {
      throw new ConfigError(
        `${options.immichPath} has none of ${IMMICH_FOLDERS.join(", ")}: is it Immich's upload location, ` +
          `and is its disk mounted? Nothing was backed up`,
      );
    }
  }
  sources.push({ name: DATA_SOURCE, path: options.dataDir, exclude: DATA_EXCLUDES });
  return sources;
}

async function isEmptyDirectory(path: string): Promise<boolean> {
  for await (const _ of Deno.readDir(path)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Backup

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
  | { type: "job"; source: string; path: string; attempt: number }
  | { type: "progress"; source: string; progress: TreeProgress }
  | { type: "retry"; source: string; attempt: number; delayMs: number; error: string }
  | { type: "job-end"; source: string; status: "COMPLETED" | "FAILED"; error?: string }
  | { type: "pruned"; archive: string }
  | { type: "warning"; message: string };

export interface BackupJobSummary {
  source: string;
  path: string;
  status: "COMPLETED" | "FAILED" | "SKIPPED" | "DRY-RUN" | "INTERRUPTED";
  attempts: number;
  copied: number;
  archived: number;
  bytes: number;
  wouldCopy?: number;
  wouldArchive?: number;
  error?: string;
}

export interface BackupSummary {
  runId: number | null;
  destination: string;
  dryRun: boolean;
  resumed: boolean;
  archive: string;
  status: "COMPLETED" | "FAILED" | "INTERRUPTED";
  jobs: BackupJobSummary[];
  pruned: string[];
  durationMs: number;
}

export interface BackupOptions {
  store: BackupStore;
  destination: BackupDestination;
  session: DestinationSession;
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

const progressOf = (p: TreeProgress | TreeBackupResult): JobProgress => ({
  bytesTotal: p.totalBytes,
  bytesTransferred: p.bytes,
  filesTotal: p.totalFiles,
  filesTransferred: p.files,
  filesArchived: p.archived,
  speed: p.speed,
  etaSeconds: p.etaSeconds,
});

/** Seconds-precision stamp of `d` minus `days` days, comparable with archive stamps. */
function cutoffStamp(d: Date, days: number): string {
  return new Date(d.getTime() - days * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z").replaceAll("-", "")
    .replaceAll(":", "");
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
  const now = options.now ?? (() => new Date());
  const emit = options.onEvent ?? (() => {});
  const staleAfterMs = options.staleAfterMs ?? Math.max(30_000, 3 * options.statsSeconds * 1000);
  const backoff = options.backoff ?? ((n: number) => backoffMs(n, { baseMs: 5_000, maxMs: 300_000 }));
  const { store, session, destination } = options;

  const info: BackupInfo = await session.prepareBackup!({ create: !options.dryRun });

  if (options.dryRun) {
    // Nothing is recorded, marked or snapshotted: a dry run leaves every kind of state alone.
    const archive = "dry-run";
    emit({ type: "run", runId: null, resumed: false, archive, description: info.description, dryRun: true });
    const jobs: BackupJobSummary[] = [];
    for (const source of options.sources) {
      emit({ type: "job", source: source.name, path: source.path, attempt: 1 });
      try {
        const r = await session.backupTree!({
          source: source.path,
          name: source.name,
          archive,
          exclude: source.exclude,
          dryRun: true,
          progressSeconds: options.statsSeconds,
        });
        jobs.push({
          source: source.name,
          path: source.path,
          status: "DRY-RUN",
          attempts: 1,
          copied: 0,
          archived: 0,
          bytes: r.totalBytes,
          wouldCopy: r.wouldCopy,
          wouldArchive: r.wouldArchive,
        });
      } catch (e) {
        if (options.signal.aborted) throw e;
        jobs.push({ ...emptyJob(source), status: "FAILED", error: messageOf(e) });
      }
    }
    return {
      runId: null,
      destination: destination.name,
      dryRun: true,
      resumed: false,
      archive,
      status: jobs.some((j) => j.status === "FAILED") ? "FAILED" : "COMPLETED",
      jobs,
      pruned: [],
      durationMs: Date.now() - started,
    };
  }

  const begun = store.beginRun(
    destination.id,
    options.sources.map((s) => ({ name: s.name, path: s.path, remotePath: `current/${s.name}` })),
    { staleAfterMs, force: options.force, at: now() },
  );
  const run = begun.run;
  const archive = run.archiveStamp ?? "resumed";
  emit({
    type: "run",
    runId: run.id,
    resumed: begun.resumed,
    archive,
    description: info.description,
    dryRun: false,
  });

  const beat = setInterval(() => store.heartbeat(run.id), Math.max(1, options.statsSeconds) * 1000);
  const summaries = new Map<string, BackupJobSummary>();
  let stopped: unknown;
  try {
    if (begun.resumed && begun.previousHeartbeat) {
      // The dead owner's rclone may outlive it until its next log line (at most one stats interval)
      // breaks its pipe; two rclones must not write the same files.
      const waitMs = Date.parse(begun.previousHeartbeat) +
        ((options.ownerStatsSeconds ?? options.statsSeconds) + 2) * 1000 -
        now().getTime();
      if (waitMs > 0) {
        emit({
          type: "waiting",
          seconds: Math.ceil(waitMs / 1000),
          reason: "for the interrupted run's rclone to exit",
        });
        await sleep(waitMs, options.signal);
      }
    }
    const spec = new Map(options.sources.map((s) => [s.name, s]));
    for (const job of store.jobsToRun(run.id, options.maxRetries)) {
      const source = spec.get(job.source) ?? { name: job.source, path: job.sourcePath };
      summaries.set(job.source, await runJob(job, source));
      if (options.signal.aborted) break;
    }
  } catch (e) {
    stopped = e;
  } finally {
    clearInterval(beat);
  }

  const jobs = store.jobs(run.id).map((j): BackupJobSummary =>
    summaries.get(j.source) ?? {
      source: j.source,
      path: j.sourcePath,
      status: j.status === "succeeded" ? "SKIPPED" : j.status === "failed" ? "FAILED" : "INTERRUPTED",
      attempts: 0,
      copied: 0,
      archived: j.filesArchived,
      bytes: 0,
      error: j.status === "succeeded" ? "completed earlier in this run" : j.error ?? undefined,
    }
  );
  const interrupted = options.signal.aborted;
  const status = interrupted
    ? "INTERRUPTED"
    : stopped || jobs.some((j) => j.status !== "COMPLETED" && j.status !== "SKIPPED")
    ? "FAILED"
    : "COMPLETED";
  // The tracker stores every run's status in the words of all runs.
  store.finishRun(
    run.id,
    status === "COMPLETED" ? "succeeded" : status === "FAILED" ? "failed" : "interrupted",
  );
  // Jobs catch what they can retry or record; whatever escapes them (fatal, config) ends the run.
  if (stopped && !interrupted) throw stopped;
  if (interrupted) throw options.signal.reason ?? stopped;

  const pruned: string[] = [];
  if (status === "COMPLETED" && options.retentionDays > 0 && info.keeps === "areas") {
    const cutoff = cutoffStamp(now(), options.retentionDays);
    try {
      for (const area of await session.archives!()) {
        if (area >= cutoff || area === archive) continue;
        await session.pruneArchive!(area);
        pruned.push(area);
        emit({ type: "pruned", archive: area });
      }
    } catch (e) {
      // Keeping an old archive area a little longer loses nothing; the next run tries again.
      emit({ type: "warning", message: `could not remove expired archive areas: ${messageOf(e)}` });
    }
  }
  return {
    runId: run.id,
    destination: destination.name,
    dryRun: false,
    resumed: begun.resumed,
    archive,
    status,
    jobs,
    pruned,
    durationMs: Date.now() - started,
  };

  function emptyJob(source: BackupSourceSpec): BackupJobSummary {
    return {
      source: source.name,
      path: source.path,
      status: "FAILED",
      attempts: 0,
      copied: 0,
      archived: 0,
      bytes: 0,
    };
  }

  async function runJob(job: BackupJob, source: BackupSourceSpec): Promise<BackupJobSummary> {
    const summary = emptyJob(source);
    const fail = (message: string): BackupJobSummary => {
      store.jobFailed(job.id, message);
      emit({ type: "job-end", source: source.name, status: "FAILED", error: message });
      return { ...summary, status: "FAILED", error: message };
    };
    if (!(await isDirectory(source.path))) return fail(`${source.path} is not there any more`);
    if (
      !options.force && await isEmptyDirectory(source.path) &&
      store.hasBackedUpFiles(destination.id, source.name)
    ) {
      return fail(
        `${source.path} is empty but earlier backups copied files from it; is its disk mounted? ` +
          `If it really is empty now, run again with --force (the files stay in the archive area)`,
      );
    }
    if (source.name === DATA_SOURCE && options.snapshot) {
      try {
        await options.snapshot();
      } catch (e) {
        return fail(`could not snapshot the tracker: ${messageOf(e)}`);
      }
    }
    let attempt = 0;
    let left = options.maxRetries - job.retryCount;
    while (left-- > 0) {
      attempt++;
      store.jobStarted(job.id);
      emit({ type: "job", source: source.name, path: source.path, attempt });
      let lastWrite = 0;
      try {
        const result = await session.backupTree!({
          source: source.path,
          name: source.name,
          archive,
          exclude: source.exclude,
          progressSeconds: options.statsSeconds,
          onProgress: (p) => {
            emit({ type: "progress", source: source.name, progress: p });
            if (Date.now() - lastWrite < 900) return;
            lastWrite = Date.now();
            store.jobProgress(job.id, progressOf(p));
            store.heartbeat(run.id);
          },
        });
        store.jobCompleted(job.id, progressOf(result));
        emit({ type: "job-end", source: source.name, status: "COMPLETED" });
        return {
          ...summary,
          status: "COMPLETED",
          attempts: attempt,
          copied: result.copied,
          archived: result.archived,
          bytes: result.bytes,
        };
      } catch (e) {
        if (options.signal.aborted) throw e;
        const message = messageOf(e);
        store.jobFailed(job.id, message);
        const kind = errorKind(e);
        if (kind === "fatal" || kind === "config") {
          emit({ type: "job-end", source: source.name, status: "FAILED", error: message });
          throw e;
        }
        if (kind === "permanent" || left <= 0) {
          emit({ type: "job-end", source: source.name, status: "FAILED", error: message });
          return { ...summary, status: "FAILED", attempts: attempt, error: message };
        }
        const delayMs = backoff(attempt);
        emit({ type: "retry", source: source.name, attempt, delayMs, error: message });
        await sleep(delayMs, options.signal);
      }
    }
    return { ...summary, status: "FAILED", attempts: attempt, error: job.error ?? "no attempts left" };
  }
}

// ---------------------------------------------------------------------------------------------
// Restore

export type RestoreEvent =
  | { type: "restore"; source: string; target: string; round: number }
  | { type: "progress"; source: string; progress: TreeProgress }
  | { type: "warmup"; requested: number; waiting: number }
  | { type: "waiting"; seconds: number; cold: number };

export interface RestoreSummary {
  /** What was restored: one source's name, or `all`. */
  source: string;
  target: string;
  files: number;
  bytes: number;
  /** Objects still in cold storage (the restore is incomplete while this is not 0). */
  cold: number;
  /** Restore requests sent to the archive tier in this invocation. */
  requested: number;
  verified: { matching: number; missing: number; differs: number; extra: number } | null;
  complete: boolean;
}

export interface RestoreOptions {
  session: DestinationSession;
  /** Destinations without `warmup` cannot restore cold objects. */
  canWarmUp: boolean;
  /** Records cold-storage state when there is a tracker (a restore on a new machine may have none). */
  store?: BackupStore;
  destinationId?: number;
  /** One source, or every source when unset. */
  source?: string;
  /** Local directory; the source(s) land in `<into>/<name>/`. */
  into: string;
  archive?: string;
  asOf?: string;
  /** Keep polling for cold objects this long (ms); 0 returns at once with what is still cold. */
  waitMs?: number;
  pollMs?: number;
  signal: AbortSignal;
  onEvent?: (event: RestoreEvent) => void;
  now?: () => Date;
}

/** Objects asked for this long ago and still cold are asked for again (Deep Archive Bulk: up to 48 h). */
const ASK_AGAIN_AFTER_MS = 48 * 3600_000;

/**
 * Downloads and decrypts one source or all of them into a directory, then verifies the result
 * against the backup. Objects in an archive tier are asked for (once; again only after 48 h) and
 * the restore polls for them while `waitMs` allows; started again, it continues where it stopped.
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreSummary> {
  const now = options.now ?? (() => new Date());
  const emit = options.onEvent ?? (() => {});
  const info = await options.session.prepareBackup!({ create: false });
  if (info.state === "new") {
    throw new PermanentError(`there is no backup at ${info.description}; nothing to restore`);
  }
  const target = options.source ? join(options.into, options.source) : options.into;
  const deadline = Date.now() + (options.waitMs ?? 0);
  const summary: RestoreSummary = {
    source: options.source ?? "all",
    target,
    files: 0,
    bytes: 0,
    cold: 0,
    requested: 0,
    verified: null,
    complete: false,
  };
  const track = options.store && options.destinationId !== undefined
    ? { store: options.store, id: options.destinationId }
    : undefined;
  for (let round = 1;; round++) {
    emit({ type: "restore", source: summary.source, target, round });
    const result = await options.session.restoreTree!({
      name: options.source,
      target,
      archive: options.archive,
      asOf: options.asOf,
      onProgress: (p) => emit({ type: "progress", source: summary.source, progress: p }),
    });
    summary.files += result.files;
    summary.bytes += result.bytes;
    summary.cold = result.cold.length;
    const known = track?.store.coldObjects(track.id) ?? new Map();
    if (track) {
      const readable = [...known].filter(([path, s]) => s.state !== "restored" && !result.cold.includes(path))
        .map(([path]) => path);
      track.store.setColdState(track.id, { paths: readable, state: "restored" });
    }
    if (result.cold.length === 0) break;
    if (!options.canWarmUp) {
      throw new PermanentError(
        `${result.cold.length} objects are in an archive tier, and this destination cannot ask for them`,
      );
    }
    const at = now().getTime();
    const ask = result.cold.filter((path) => {
      const s = known.get(path);
      return !s || s.state !== "requested" || !s.requestedAt ||
        at - Date.parse(s.requestedAt) > ASK_AGAIN_AFTER_MS;
    });
    if (track) {
      track.store.setColdState(track.id, { paths: result.cold.filter((p) => !known.has(p)), state: "cold" });
    }
    if (ask.length > 0) {
      await options.session.warmup!(ask);
      track?.store.setColdState(track.id, { paths: ask, state: "requested" });
      summary.requested += ask.length;
    }
    emit({ type: "warmup", requested: ask.length, waiting: result.cold.length });
    const pollMs = options.pollMs ?? 15 * 60_000;
    if (Date.now() + pollMs > deadline) return summary;
    emit({ type: "waiting", seconds: Math.round(pollMs / 1000), cold: result.cold.length });
    await sleep(pollMs, options.signal);
  }
  const check = await options.session.verifyTree!({
    local: target,
    name: options.source,
    archive: options.archive,
  });
  const count = (k: string) => check.differences.filter((d) => d.kind === k).length;
  summary.verified = {
    matching: check.matching,
    missing: count("missing-local"),
    differs: count("differs") + count("error"),
    extra: count("missing-remote"),
  };
  summary.complete = summary.verified.missing === 0 && summary.verified.differs === 0;
  return summary;
}

// ---------------------------------------------------------------------------------------------
// Verify

export interface VerifySummary {
  source: string;
  path: string;
  matching: number;
  /** Files at the source the backup lacks (new since the last backup, or never copied). */
  notBackedUp: number;
  /** Files the backup has that the source no longer has. */
  onlyInBackup: number;
  differs: number;
  examples: string[];
}

/** Compares each source with its tree in the backup (rclone cryptcheck, or sizes for cold storage). */
export async function verifyBackup(
  session: DestinationSession,
  sources: readonly BackupSourceSpec[],
): Promise<VerifySummary[]> {
  const out: VerifySummary[] = [];
  for (const source of sources) {
    const r = await session.verifyTree!({ local: source.path, name: source.name, exclude: source.exclude });
    const count = (k: string) => r.differences.filter((d) => d.kind === k).length;
    out.push({
      source: source.name,
      path: source.path,
      matching: r.matching,
      notBackedUp: count("missing-remote"),
      onlyInBackup: count("missing-local"),
      differs: count("differs") + count("error"),
      examples: r.differences.slice(0, 5).map((d) => `${d.kind}: ${d.path}`),
    });
  }
  return out;
}
