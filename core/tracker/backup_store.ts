/**
 * The backup store: destinations, runs and their jobs (see `backup.ts` for the whole of backup
 * bookkeeping). A run is owned by one process that keeps a heartbeat; a run whose owner is gone is
 * taken over by the next `backup`, which resumes the jobs that did not complete.
 * @module
 */
import * as cold from "./backup_cold.ts";
import {
  archiveStamp,
  type BackupDestination,
  type BackupJob,
  type BackupRun,
  type BackupSource,
  type ColdState,
  destinationOf,
  jobOf,
  type JobProgress,
  runOf,
} from "./backup_rows.ts";
import type { Tracker } from "./mod.ts";
import { type EndStatus, HOST, isThisProcess, type Owner, ownerState } from "./owner.ts";
import { int, now, type Sql, sqlOf } from "./sql.ts";

/** Thrown when a live process is backing up to the same destination. */
export class BackupBusyError extends Error {
  override name = "BackupBusyError";
}

/** What {@link BackupStore.beginRun} started or took over. */
export interface BegunRun {
  run: BackupRun;
  resumed: boolean;
  previousOwner?: { pid: number; host: string };
  /** The previous owner's last heartbeat, when a run is resumed. */
  previousHeartbeat?: string | null;
}

export class BackupStore {
  readonly #sql: Sql;

  constructor(readonly tracker: Tracker) {
    this.#sql = sqlOf(tracker);
  }

  // Destinations

  destination(name: string): BackupDestination | undefined {
    return this.#sql.get(`SELECT * FROM backup_destinations WHERE name = $name`, { name }, destinationOf);
  }

  destinations(): BackupDestination[] {
    return this.#sql.all(`SELECT * FROM backup_destinations ORDER BY name`, {}, destinationOf);
  }

  /** Creates the destination, or updates where it points (a re-run of setup may change the bucket). */
  saveDestination(d: { name: string; type: string; bucket: string; remotePath: string }): BackupDestination {
    this.#sql.run(
      `INSERT INTO backup_destinations (name, type, bucket_name, remote_path, created_at)
       VALUES ($name, $type, $bucket_name, $remote_path, $at)
       ON CONFLICT (name) DO UPDATE SET type = excluded.type, bucket_name = excluded.bucket_name,
         remote_path = excluded.remote_path`,
      { name: d.name, type: d.type, bucket_name: d.bucket, remote_path: d.remotePath, at: now() },
    );
    return this.destination(d.name)!;
  }

  // Runs

  run(id: number): BackupRun | undefined {
    return this.#sql.get(`SELECT * FROM backup_runs WHERE id = $id`, { id }, runOf);
  }

  /** The newest runs of a destination, newest first. */
  runs(destinationId: number, limit = 10): BackupRun[] {
    return this.#sql.all(
      `SELECT * FROM backup_runs WHERE destination_id = $destination_id ORDER BY id DESC LIMIT $limit`,
      { destination_id: destinationId, limit },
      runOf,
    );
  }

  /** The newest runs of every destination, newest first. */
  recentRuns(limit: number): BackupRun[] {
    return this.#sql.all(`SELECT * FROM backup_runs ORDER BY id DESC LIMIT $limit`, { limit }, runOf);
  }

  /** The destination's run that has not ended (at most one exists), if any. */
  openRun(destinationId: number): BackupRun | undefined {
    return this.#sql.get(
      `SELECT * FROM backup_runs WHERE destination_id = $destination_id AND ended_at IS NULL ORDER BY id DESC LIMIT 1`,
      { destination_id: destinationId },
      runOf,
    );
  }

  /**
   * Starts work on a destination, atomically: resumes the run that did not end (its owner is dead,
   * or it was interrupted) or creates a new run with one pending job per source. Refuses when a
   * live process owns the open run; `force` also takes over a run whose owner cannot be proven
   * dead (another host, or a process that stopped beating).
   */
  beginRun(
    destinationId: number,
    sources: readonly BackupSource[],
    options: { staleAfterMs: number; force?: boolean; at?: Date },
  ): BegunRun {
    const at = options.at ?? new Date();
    return this.#sql.transaction(() => {
      const open = this.openRun(destinationId);
      if (!open) return this.#createRun(destinationId, sources, at);
      if (open.status === "running") refuseLiveOwner(open, { ...options, at });
      return this.#resumeRun(open, sources, at.toISOString());
    });
  }

  #createRun(destinationId: number, sources: readonly BackupSource[], at: Date): BegunRun {
    const iso = at.toISOString();
    const id = this.#sql.run(
      `INSERT INTO backup_runs (destination_id, started_at, status, dry_run, pid, host, owner_since, heartbeat_at,
                                archive_stamp)
       VALUES ($destination_id, $at, 'running', 0, $pid, $host, $owner_since, $at, $archive_stamp)`,
      {
        destination_id: destinationId,
        at: iso,
        pid: Deno.pid,
        host: HOST,
        // The real time, whatever clock the run keeps: it is compared with the process's start.
        owner_since: now(),
        archive_stamp: archiveStamp(at),
      },
    ).lastInsertRowid;
    sources.forEach((s, i) => this.#addJob(id, { destinationId, source: s, priority: i + 1, at: iso }));
    return { run: this.run(id)!, resumed: false };
  }

  /** Takes the open run over: its running jobs were cut off, and sources new since get a job. */
  #resumeRun(open: BackupRun, sources: readonly BackupSource[], at: string): BegunRun {
    this.#sql.run(
      `UPDATE backup_runs SET status = 'running', pid = $pid, host = $host, owner_since = $owner_since,
         heartbeat_at = $at
       WHERE id = $id`,
      { pid: Deno.pid, host: HOST, owner_since: now(), at, id: open.id },
    );
    this.#interruptRunningJobs(open.id, at);
    const jobs = this.jobs(open.id);
    const have = new Set(jobs.map((j) => j.source));
    const maxPriority = Math.max(0, ...jobs.map((j) => j.priority));
    sources.filter((s) => !have.has(s.name)).forEach((s, i) =>
      this.#addJob(open.id, {
        destinationId: open.destinationId,
        source: s,
        priority: maxPriority + i + 1,
        at,
      })
    );
    return {
      run: this.run(open.id)!,
      resumed: true,
      previousOwner: { pid: open.pid, host: open.host },
      // Only a run that was still running can have left an rclone behind.
      previousHeartbeat: open.status === "running" ? open.heartbeatAt : null,
    };
  }

  #interruptRunningJobs(runId: number, at: string): void {
    this.#sql.run(
      `UPDATE backup_jobs SET status = 'interrupted', last_update = $at WHERE run_id = $run_id AND status = 'running'`,
      { at, run_id: runId },
    );
  }

  #addJob(
    runId: number,
    job: { destinationId: number; source: BackupSource; priority: number; at: string },
  ): void {
    const { destinationId, source: s, priority, at } = job;
    this.#sql.run(
      `INSERT INTO backup_jobs (run_id, destination_id, source_path, remote_path, source_name, status, priority,
                                last_update)
       VALUES ($run_id, $destination_id, $source_path, $remote_path, $source_name, 'pending', $priority, $at)`,
      {
        run_id: runId,
        destination_id: destinationId,
        source_path: s.path,
        remote_path: s.remotePath,
        source_name: s.name,
        priority,
        at,
      },
    );
  }

  heartbeat(runId: number): void {
    this.#sql.run(
      `UPDATE backup_runs SET heartbeat_at = $at WHERE id = $id AND pid = $pid AND host = $host`,
      { at: now(), id: runId, pid: Deno.pid, host: HOST },
    );
  }

  /** Ends a run; a completed run also stamps the destination's last backup time. */
  finishRun(runId: number, status: EndStatus): void {
    const at = now();
    this.#sql.transaction(() => {
      // A run stopped by a signal stays open, so the next `backup` resumes it.
      this.#sql.run(
        `UPDATE backup_runs SET status = $status, ended_at = CASE WHEN $status = 'interrupted' THEN NULL ELSE $at END,
           heartbeat_at = $at WHERE id = $id`,
        { status, at, id: runId },
      );
      this.#interruptRunningJobs(runId, at);
      if (status === "succeeded") {
        this.#sql.run(
          `UPDATE backup_destinations SET last_backup_at = $at
           WHERE id = (SELECT destination_id FROM backup_runs WHERE id = $id)`,
          { at, id: runId },
        );
      }
    });
  }

  // Jobs

  jobs(runId: number): BackupJob[] {
    return this.#sql.all(
      `SELECT * FROM backup_jobs WHERE run_id = $run_id ORDER BY priority ASC, id ASC`,
      { run_id: runId },
      jobOf,
    );
  }

  job(id: number): BackupJob | undefined {
    return this.#sql.get(`SELECT * FROM backup_jobs WHERE id = $id`, { id }, jobOf);
  }

  /** Whether an earlier job copied files from this source to this destination. */
  hasBackedUpFiles(destinationId: number, source: string): boolean {
    return this.#sql.get(
      `SELECT COUNT(*) AS n FROM backup_jobs
       WHERE destination_id = $destination_id AND source_name = $source AND files_transferred > 0`,
      { destination_id: destinationId, source },
      (r) => int(r, "n"),
    )! > 0;
  }

  /** Jobs of a run that still have work: pending, interrupted, or failed with attempts left. */
  jobsToRun(runId: number, maxRetries: number): BackupJob[] {
    return this.jobs(runId).filter((j) =>
      j.status === "pending" || j.status === "interrupted" ||
      (j.status === "failed" && j.retryCount < maxRetries)
    );
  }

  jobStarted(jobId: number): void {
    this.#sql.run(
      `UPDATE backup_jobs SET status = 'running', pid = $pid, started_at = COALESCE(started_at, $at),
         last_update = $at, transfer_speed = 0, eta_seconds = NULL
       WHERE id = $id`,
      { pid: Deno.pid, at: now(), id: jobId },
    );
  }

  /**
   * Stores live progress; also the job's heartbeat. Ignored once the job is no longer running, so a
   * late update can never turn a finished job back into a running one.
   */
  jobProgress(jobId: number, p: JobProgress): void {
    this.#sql.run(
      `UPDATE backup_jobs SET bytes_total = $bytes_total, bytes_transferred = $bytes_transferred,
         files_total = $files_total, files_transferred = $files_transferred,
         files_archived = COALESCE($files_archived, files_archived), transfer_speed = $speed,
         eta_seconds = $eta_seconds, last_update = $at
       WHERE id = $id AND status = 'running'`,
      { ...progressParams(p), eta_seconds: p.etaSeconds, at: now(), id: jobId },
    );
  }

  jobCompleted(jobId: number, p: JobProgress): void {
    this.#sql.run(
      `UPDATE backup_jobs SET status = 'succeeded', bytes_total = $bytes_total,
         bytes_transferred = $bytes_transferred, files_total = $files_total, files_transferred = $files_transferred,
         files_archived = COALESCE($files_archived, files_archived), transfer_speed = $speed, eta_seconds = 0,
         completed_at = $at, last_update = $at, error_message = NULL
       WHERE id = $id`,
      { ...progressParams(p), at: now(), id: jobId },
    );
  }

  /** Records a failed attempt (the error message is already free of secrets). */
  jobFailed(jobId: number, error: string): void {
    this.#sql.run(
      `UPDATE backup_jobs SET status = 'failed', error_message = $error, retry_count = retry_count + 1,
         transfer_speed = 0, eta_seconds = NULL, last_update = $at
       WHERE id = $id`,
      { error, at: now(), id: jobId },
    );
  }

  /**
   * Forgets the destination's backup history (runs, jobs, cold-storage state). The remote, the
   * credentials and the destination itself are left alone. Refuses while a live process owns a run.
   */
  reset(destinationId: number, options: { staleAfterMs: number }): { runs: number; jobs: number } {
    return this.#sql.transaction(() => {
      const open = this.openRun(destinationId);
      if (open?.status === "running" && ownerState(ownerOf(open), options) === "live") {
        throw new BackupBusyError(
          `a backup to this destination is running (pid ${open.pid} on ${open.host}); stop it before --reset`,
        );
      }
      const where = { destination_id: destinationId };
      const jobs =
        this.#sql.run(`DELETE FROM backup_jobs WHERE destination_id = $destination_id`, where).changes;
      const runs =
        this.#sql.run(`DELETE FROM backup_runs WHERE destination_id = $destination_id`, where).changes;
      this.#sql.run(`DELETE FROM backup_cold_objects WHERE destination_id = $destination_id`, where);
      this.#sql.run(`UPDATE backup_destinations SET last_backup_at = NULL WHERE id = $destination_id`, where);
      return { runs, jobs };
    });
  }

  // Cold storage (backup_cold.ts)

  /** The state of each tracked object under `prefix` (a path relative to the destination root). */
  coldObjects(destinationId: number, prefix = ""): Map<string, cold.ColdObject> {
    return cold.coldObjects(this.#sql, destinationId, prefix);
  }

  setColdState(destinationId: number, change: { paths: readonly string[]; state: ColdState }): void {
    cold.setColdState(this.#sql, destinationId, change);
  }

  coldCounts(destinationId: number): Record<ColdState, number> {
    return cold.coldCounts(this.#sql, destinationId);
  }
}

/** The named parameters of a progress update, as the job's columns store them. */
function progressParams(p: JobProgress) {
  return {
    bytes_total: p.bytesTotal,
    bytes_transferred: p.bytesTransferred,
    files_total: p.filesTotal,
    files_transferred: p.filesTransferred,
    files_archived: p.filesArchived ?? null,
    speed: Math.round(p.speed),
  };
}

/** Refuses (BackupBusyError) to take over a running run whose owner is live, or not proven dead without `force`. */
function refuseLiveOwner(
  open: BackupRun,
  options: { staleAfterMs: number; force?: boolean; at: Date },
): void {
  if (isThisProcess(open)) {
    throw new BackupBusyError(`backup run #${open.id} is already running in this process`);
  }
  const state = ownerState(ownerOf(open), { staleAfterMs: options.staleAfterMs, at: options.at.getTime() });
  if (state === "live") {
    throw new BackupBusyError(
      `another photos-sync is backing up to this destination (run #${open.id}, pid ${open.pid} on ` +
        `${open.host}, last heartbeat ${open.heartbeatAt}); wait for it to finish or stop it`,
    );
  }
  if (state === "unknown" && !options.force) {
    throw new BackupBusyError(
      `backup run #${open.id} belongs to pid ${open.pid} on ${open.host}, which has not reported since ` +
        `${open.heartbeatAt}; if no photos-sync is running there any more, run again with --force`,
    );
  }
}

/** The owner of a backup run, as {@link ownerState} judges every run's owner. */
export function ownerOf(run: BackupRun): Owner {
  return { pid: run.pid, host: run.host, since: run.ownerSince, heartbeatAt: run.heartbeatAt };
}
