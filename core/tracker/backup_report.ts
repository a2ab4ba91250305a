/**
 * The backup state as `backup --status`, `status` and `serve` show it: statuses as stored, except
 * that a run (and its jobs) whose owner is gone or silent shows as interrupted. Reads only.
 * @module
 */
import type { ColdState, JobStatus, RunStatus } from "./backup_rows.ts";
import type { BackupRun } from "./backup_rows.ts";
import { BackupStore, ownerOf } from "./backup_store.ts";
import type { Tracker } from "./mod.ts";
import { type OwnerState, ownerState } from "./owner.ts";
import { now } from "./sql.ts";

export interface BackupJobStatus {
  id: number;
  source: string;
  sourcePath: string;
  remotePath: string;
  /** As stored, except that a running job of a run whose owner is gone shows as interrupted. */
  status: JobStatus;
  bytesTotal: number;
  bytesTransferred: number;
  filesTotal: number;
  filesTransferred: number;
  filesArchived: number;
  /** Bytes per second, while running. */
  speed: number;
  etaSeconds: number | null;
  /** Of bytes; null until rclone knows the total. */
  percent: number | null;
  retryCount: number;
  error: string | null;
  startedAt: string | null;
  completedAt: string | null;
  lastUpdate: string;
}

export interface BackupRunStatus {
  id: number;
  /** As stored, except that a running run whose owner is gone shows as interrupted. */
  status: RunStatus;
  /** The owner is gone or silent: the next `backup` resumes (or, if `unknown`, needs --force). */
  stale: boolean;
  owner: { pid: number; host: string; state: OwnerState };
  startedAt: string;
  endedAt: string | null;
  heartbeatAt: string | null;
  archiveStamp: string | null;
  jobs: BackupJobStatus[];
  totals: { bytesTotal: number; bytesTransferred: number; filesTotal: number; filesTransferred: number };
}

export interface BackupDestinationStatus {
  name: string;
  type: string;
  bucket: string;
  remotePath: string;
  lastBackupAt: string | null;
  /** The newest run, or null when this destination never ran. */
  run: BackupRunStatus | null;
  /** Jobs of the newest run by (effective) status. */
  counts: Record<JobStatus, number>;
  cold: Record<ColdState, number>;
}

export interface BackupStatusDocument {
  generatedAt: string;
  destinations: BackupDestinationStatus[];
}

/**
 * One run as the status shows it: statuses as stored, except that a running run (and its running
 * jobs) whose owner is gone or silent shows as interrupted.
 */
export function backupRunStatus(
  store: BackupStore,
  run: BackupRun,
  options: { staleAfterMs: number },
): BackupRunStatus {
  const state = run.status === "running" ? ownerState(ownerOf(run), options) : "dead";
  const stale = run.status === "running" && state !== "live";
  const jobs = store.jobs(run.id).map((j): BackupJobStatus => {
    const status: JobStatus = stale && j.status === "running" ? "interrupted" : j.status;
    return {
      id: j.id,
      source: j.source,
      sourcePath: j.sourcePath,
      remotePath: j.remotePath,
      status,
      bytesTotal: j.bytesTotal,
      bytesTransferred: j.bytesTransferred,
      filesTotal: j.filesTotal,
      filesTransferred: j.filesTransferred,
      filesArchived: j.filesArchived,
      speed: status === "running" ? j.speed : 0,
      etaSeconds: status === "running" ? j.etaSeconds : null,
      percent: j.bytesTotal > 0 ? Math.min(100, (j.bytesTransferred / j.bytesTotal) * 100) : null,
      retryCount: j.retryCount,
      error: j.error,
      startedAt: j.startedAt,
      completedAt: j.completedAt,
      lastUpdate: j.lastUpdate,
    };
  });
  const sum = (k: "bytesTotal" | "bytesTransferred" | "filesTotal" | "filesTransferred") =>
    jobs.reduce((n, j) => n + j[k], 0);
  return {
    id: run.id,
    status: stale ? "interrupted" : run.status,
    stale,
    owner: { pid: run.pid, host: run.host, state },
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    heartbeatAt: run.heartbeatAt,
    archiveStamp: run.archiveStamp,
    jobs,
    totals: {
      bytesTotal: sum("bytesTotal"),
      bytesTransferred: sum("bytesTransferred"),
      filesTotal: sum("filesTotal"),
      filesTransferred: sum("filesTransferred"),
    },
  };
}

/**
 * The newest runs of every destination, newest first, each as {@link backupRunStatus} shows it
 * (what `serve` lists).
 */
export function recentBackupRuns(
  tracker: Tracker,
  options: { limit?: number; staleAfterMs?: number } = {},
): (BackupRunStatus & { destination: string; destinationType: string; dryRun: boolean })[] {
  const store = new BackupStore(tracker);
  const names = new Map(store.destinations().map((d) => [d.id, d]));
  return store.recentRuns(options.limit ?? 5).map((run) => ({
    ...backupRunStatus(store, run, { staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_MS }),
    destination: names.get(run.destinationId)?.name ?? String(run.destinationId),
    destinationType: names.get(run.destinationId)?.type ?? "",
    dryRun: run.dryRun,
  }));
}

/** Three heartbeats at the default BACKUP_STATS_INTERVAL of 60 s. */
const DEFAULT_STALE_MS = 180_000;

/**
 * The backup state as one JSON-ready document: what `backup --status` prints and, through
 * {@link recentBackupRuns} (the same per-run view), what `serve` shows. Reads the tracker only.
 *
 * @example
 * ```ts
 * const doc = backupStatus(tracker, { destination: "b2", staleAfterMs: 180_000 });
 * doc.destinations[0].run?.jobs.map((j) => `${j.source} ${j.status}`);
 * ```
 */
export function backupStatus(
  tracker: Tracker,
  options: { destination?: string; staleAfterMs?: number } = {},
): BackupStatusDocument {
  const staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_MS;
  const store = new BackupStore(tracker);
  const destinations = store.destinations().filter((d) =>
    !options.destination || d.name === options.destination
  );
  return {
    generatedAt: now(),
    destinations: destinations.map((d) => {
      const [latest] = store.runs(d.id, 1);
      const counts: Record<JobStatus, number> = {
        pending: 0,
        running: 0,
        succeeded: 0,
        failed: 0,
        interrupted: 0,
      };
      const run = latest ? backupRunStatus(store, latest, { staleAfterMs }) : null;
      for (const j of run?.jobs ?? []) counts[j.status]++;
      return {
        name: d.name,
        type: d.type,
        bucket: d.bucket,
        remotePath: d.remotePath,
        lastBackupAt: d.lastBackupAt,
        run,
        counts,
        cold: store.coldCounts(d.id),
      };
    }),
  };
}
