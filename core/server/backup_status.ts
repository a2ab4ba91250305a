/**
 * The backup runs and their jobs, as the backup records them in the tracker (`backup_runs`,
 * `backup_jobs`). Kept to one function so that `serve` can switch to the backup module's own
 * report without touching anything else.
 *
 * @example
 * ```ts
 * const { runs } = backupStatus(tracker);
 * runs[0]?.jobs.map((j) => `${j.sourcePath}: ${j.bytesTransferred}/${j.bytesTotal}`);
 * ```
 * @module
 */
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

/** The newest `limit` backup runs (default 5), each with its jobs in priority order. */
export function backupStatus(tracker: Tracker, options: { limit?: number } = {}): BackupStatus {
  const runs = tracker.query<Record<string, string | number | null>>(
    `SELECT r.id, r.status, r.started_at, r.ended_at, r.dry_run, d.name, d.type
     FROM backup_runs r JOIN backup_destinations d ON d.id = r.destination_id
     ORDER BY r.id DESC LIMIT ?`,
    options.limit ?? 5,
  );
  return {
    runs: runs.map((r) => ({
      id: r.id as number,
      destination: r.name as string,
      destinationType: r.type as string,
      status: r.status as string,
      startedAt: r.started_at as string,
      endedAt: r.ended_at as string | null,
      dryRun: r.dry_run === 1,
      jobs: tracker.query<Record<string, string | number | null>>(
        `SELECT * FROM backup_jobs WHERE run_id = ? ORDER BY priority DESC, id`,
        r.id as number,
      ).map((j) => ({
        id: j.id as number,
        sourcePath: j.source_path as string,
        remotePath: j.remote_path as string,
        status: j.status as string,
        bytesTotal: j.bytes_total as number,
        bytesTransferred: j.bytes_transferred as number,
        filesTotal: j.files_total as number,
        filesTransferred: j.files_transferred as number,
        transferSpeed: j.transfer_speed as number,
        etaSeconds: j.eta_seconds as number | null,
        startedAt: j.started_at as string | null,
        completedAt: j.completed_at as string | null,
        lastUpdate: j.last_update as string,
        errorMessage: j.error_message as string | null,
        retryCount: j.retry_count as number,
      })),
    })),
  };
}
