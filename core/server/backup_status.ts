/**
 * The backup runs and their jobs for `serve`, in the shape the dashboard and the metrics read,
 * computed by the backup module's own status code (`recentBackupRuns`), so that `serve` and
 * `backup --status` always agree.
 *
 * @example
 * ```ts
 * const { runs } = backupStatus(tracker);
 * runs[0]?.jobs.map((j) => `${j.sourcePath}: ${j.bytesTransferred}/${j.bytesTotal}`);
 * ```
 * @module
 */
import { recentBackupRuns } from "../tracker/backup.ts";
import type { Tracker } from "../tracker/mod.ts";

export interface BackupJobView {
  id: number;
  sourcePath: string;
  remotePath: string;
  status: string;
  bytesTotal: number;
  bytesTransferred: number;
  filesTotal: number;
  filesTransferred: number;
  /** Bytes per second, as the backup measured it. */
  transferSpeed: number;
  etaSeconds: number | null;
  startedAt: string | null;
  completedAt: string | null;
  lastUpdate: string;
  errorMessage: string | null;
  retryCount: number;
}

export interface BackupRunView {
  id: number;
  destination: string;
  destinationType: string;
  status: string;
  startedAt: string;
  endedAt: string | null;
  dryRun: boolean;
  jobs: BackupJobView[];
}

export interface BackupStatus {
  runs: BackupRunView[];
}

/**
 * The newest `limit` backup runs (default 5), each with its jobs in priority order, with the same
 * statuses `backup --status` shows: a run whose process died shows as interrupted, not running.
 */
export function backupStatus(tracker: Tracker, options: { limit?: number } = {}): BackupStatus {
  return {
    runs: recentBackupRuns(tracker, { limit: options.limit ?? 5 }).map((r) => ({
      id: r.id,
      destination: r.destination,
      destinationType: r.destinationType,
      status: r.status,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      dryRun: r.dryRun,
      jobs: r.jobs.map((j) => ({
        id: j.id,
        sourcePath: j.sourcePath,
        remotePath: j.remotePath,
        status: j.status,
        bytesTotal: j.bytesTotal,
        bytesTransferred: j.bytesTransferred,
        filesTotal: j.filesTotal,
        filesTransferred: j.filesTransferred,
        transferSpeed: j.speed,
        etaSeconds: j.etaSeconds,
        startedAt: j.startedAt,
        completedAt: j.completedAt,
        lastUpdate: j.lastUpdate,
        errorMessage: j.error,
        retryCount: j.retryCount,
      })),
    })),
  };
}
