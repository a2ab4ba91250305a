/**
 * The shapes of backup bookkeeping (destinations, runs, jobs, cold objects) and the one mapper
 * from each table's row to its shape.
 * @module
 */
import type { RunStatus } from "./owner.ts";
import { int, intOrNull, type Row, text, textOrNull } from "./sql.ts";

export type { RunStatus } from "./owner.ts";
/** A backup job's status: the words of every run. */
export type JobStatus = RunStatus;
export type ColdState = "cold" | "requested" | "restored";

export interface BackupDestination {
  id: number;
  name: string;
  type: string;
  bucket: string;
  remotePath: string;
  createdAt: string;
  lastBackupAt: string | null;
}

export interface BackupRun {
  id: number;
  destinationId: number;
  startedAt: string;
  endedAt: string | null;
  status: RunStatus;
  dryRun: boolean;
  pid: number;
  host: string;
  /** When the owner (`pid` on `host`) took the run; null for runs from before it was recorded. */
  ownerSince: string | null;
  heartbeatAt: string | null;
  /** Name of the dated area that replaced and deleted files of this run are moved into. */
  archiveStamp: string | null;
}

export interface BackupJob {
  id: number;
  runId: number;
  destinationId: number;
  /** The source's name, e.g. `library`; also its folder under the remote's `current/`. */
  source: string;
  sourcePath: string;
  remotePath: string;
  status: JobStatus;
  bytesTotal: number;
  bytesTransferred: number;
  filesTotal: number;
  filesTransferred: number;
  filesArchived: number;
  speed: number;
  etaSeconds: number | null;
  startedAt: string | null;
  completedAt: string | null;
  lastUpdate: string;
  error: string | null;
  retryCount: number;
  priority: number;
  pid: number | null;
}

/** One source of a backup, in priority order. */
export interface BackupSource {
  name: string;
  path: string;
  remotePath: string;
}

export interface JobProgress {
  bytesTotal: number;
  bytesTransferred: number;
  filesTotal: number;
  filesTransferred: number;
  filesArchived?: number;
  speed: number;
  etaSeconds: number | null;
}

export function destinationOf(r: Row): BackupDestination {
  return {
    id: int(r, "id"),
    name: text(r, "name"),
    type: text(r, "type"),
    bucket: text(r, "bucket_name"),
    remotePath: text(r, "remote_path"),
    createdAt: text(r, "created_at"),
    lastBackupAt: textOrNull(r, "last_backup_at"),
  };
}

export function runOf(r: Row): BackupRun {
  return {
    id: int(r, "id"),
    destinationId: int(r, "destination_id"),
    startedAt: text(r, "started_at"),
    endedAt: textOrNull(r, "ended_at"),
    status: text(r, "status") as RunStatus,
    dryRun: int(r, "dry_run") === 1,
    pid: int(r, "pid"),
    host: text(r, "host"),
    ownerSince: textOrNull(r, "owner_since"),
    heartbeatAt: textOrNull(r, "heartbeat_at"),
    archiveStamp: textOrNull(r, "archive_stamp"),
  };
}

export function jobOf(r: Row): BackupJob {
  const remotePath = text(r, "remote_path");
  return {
    id: int(r, "id"),
    runId: int(r, "run_id"),
    destinationId: int(r, "destination_id"),
    // Jobs from before sources had names: the name is the last part of the remote path.
    source: textOrNull(r, "source_name") ?? remotePath.split("/").at(-1)!,
    sourcePath: text(r, "source_path"),
    remotePath,
    status: text(r, "status") as JobStatus,
    bytesTotal: int(r, "bytes_total"),
    bytesTransferred: int(r, "bytes_transferred"),
    filesTotal: int(r, "files_total"),
    filesTransferred: int(r, "files_transferred"),
    filesArchived: int(r, "files_archived"),
    speed: int(r, "transfer_speed"),
    etaSeconds: intOrNull(r, "eta_seconds"),
    startedAt: textOrNull(r, "started_at"),
    completedAt: textOrNull(r, "completed_at"),
    lastUpdate: text(r, "last_update"),
    error: textOrNull(r, "error_message"),
    retryCount: int(r, "retry_count"),
    priority: int(r, "priority"),
    pid: intOrNull(r, "pid"),
  };
}

/** `2025-11-21T06:14:32.123Z` -> `20251121T061432Z`: sortable, and safe as a folder name anywhere. */
export function archiveStamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, "Z").replaceAll("-", "").replaceAll(":", "");
}
