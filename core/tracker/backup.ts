/**
 * Backup bookkeeping in the tracker: destinations, runs (one record per `backup` invocation that
 * changes anything), one job per source in each run, and the cold-storage state of objects a
 * restore found in an archive tier. Every backup query lives here.
 *
 * A run is owned by one process (pid and host) that keeps a heartbeat. A run whose owner is gone
 * is taken over by the next `backup`, which resumes the jobs that did not complete.
 *
 * @example
 * ```ts
 * const store = new BackupStore(tracker);
 * const dest = store.saveDestination({ name: "b2", type: "b2", bucket: "photos", remotePath: "photos-sync" });
 * const { run } = store.beginRun(dest.id, sources, { staleAfterMs: 180_000 });
 * backupStatus(tracker); // what `backup --status` and `serve` show
 * ```
 * @module
 */
import { hostname } from "node:os";
import { processAlive, type Tracker } from "./mod.ts";
import { execute, query } from "./sql.ts";

export type JobStatus = "PENDING" | "RUNNING" | "COMPLETED" | "INTERRUPTED" | "FAILED";
export type RunStatus = "RUNNING" | "COMPLETED" | "FAILED" | "INTERRUPTED";
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

/**
 * Whether the process that owns a run is still working on it: `live` (running, heartbeat fresh),
 * `dead` (same host, process gone) or `unknown` (another host with a stale heartbeat, or a process
 * that exists but stopped beating: hung, or its pid was reused).
 */
export type OwnerState = "live" | "dead" | "unknown";

/** Thrown when a live process is backing up to the same destination. */
export class BackupBusyError extends Error {
  override name = "BackupBusyError";
}

const HOST = hostname();
const now = () => new Date().toISOString();

/** See {@link OwnerState}. */
export function ownerState(
  owner: { pid: number; host: string; heartbeatAt: string | null },
  options: { staleAfterMs: number; at?: number },
): OwnerState {
  const { staleAfterMs, at = Date.now() } = options;
  const beat = owner.heartbeatAt ? Date.parse(owner.heartbeatAt) : 0;
  const fresh = at - beat <= staleAfterMs;
  if (owner.host === HOST) {
    if (!processAlive(owner.pid)) return "dead";
    return fresh ? "live" : "unknown";
  }
  return fresh ? "live" : "unknown";
}

type Row = Record<string, string | number | null>;

function destinationOf(r: Row): BackupDestination {
  return {
    id: r.id as number,
    name: r.name as string,
    type: r.type as string,
    bucket: r.bucket_name as string,
    remotePath: r.remote_path as string,
    createdAt: r.created_at as string,
    lastBackupAt: r.last_backup_at as string | null,
  };
}

function runOf(r: Row): BackupRun {
  return {
    id: r.id as number,
    destinationId: r.destination_id as number,
    startedAt: r.started_at as string,
    endedAt: r.ended_at as string | null,
    status: r.status as RunStatus,
    dryRun: r.dry_run === 1,
    pid: r.pid as number,
    host: r.host as string,
    heartbeatAt: r.heartbeat_at as string | null,
    archiveStamp: r.archive_stamp as string | null,
  };
}

function jobOf(r: Row): BackupJob {
  return {
    id: r.id as number,
    runId: r.run_id as number,
    destinationId: r.destination_id as number,
    source: (r.source_name as string | null) ?? String(r.remote_path).split("/").at(-1)!,
    sourcePath: r.source_path as string,
    remotePath: r.remote_path as string,
    status: r.status as JobStatus,
    bytesTotal: r.bytes_total as number,
    bytesTransferred: r.bytes_transferred as number,
    filesTotal: r.files_total as number,
    filesTransferred: r.files_transferred as number,
    filesArchived: r.files_archived as number,
    speed: r.transfer_speed as number,
    etaSeconds: r.eta_seconds as number | null,
    startedAt: r.started_at as string | null,
    completedAt: r.completed_at as string | null,
    lastUpdate: r.last_update as string,
    error: r.error_message as string | null,
    retryCount: r.retry_count as number,
    priority: r.priority as number,
    pid: r.pid as number | null,
  };
}

/** `2025-11-21T06:14:32.123Z` -> `20251121T061432Z`: sortable, and safe as a folder name anywhere. */
export function archiveStamp(at: Date): string {
  return at.toISOString().replace(/\.\d+Z$/, "Z").replaceAll("-", "").replaceAll(":", "");
}

export class BackupStore {
  constructor(readonly tracker: Tracker) {}

  // -------------------------------------------------------------------------------------------
  // Destinations

  destination(name: string): BackupDestination | undefined {
    const [row] = query<Row>(this.tracker, `SELECT * FROM backup_destinations WHERE name = ?`, name);
    return row ? destinationOf(row) : undefined;
  }

  destinations(): BackupDestination[] {
    return query<Row>(this.tracker, `SELECT * FROM backup_destinations ORDER BY name`).map(destinationOf);
  }

  /** Creates the destination, or updates where it points (a re-run of setup may change the bucket). */
  saveDestination(d: { name: string; type: string; bucket: string; remotePath: string }): BackupDestination {
    execute(
      this.tracker,
      `INSERT INTO backup_destinations (name, type, bucket_name, remote_path, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET type = excluded.type, bucket_name = excluded.bucket_name,
         remote_path = excluded.remote_path`,
      d.name,
      d.type,
      d.bucket,
      d.remotePath,
      now(),
    );
    return this.destination(d.name)!;
  }

  // -------------------------------------------------------------------------------------------
  // Runs

  run(id: number): BackupRun | undefined {
    const [row] = query<Row>(this.tracker, `SELECT * FROM backup_runs WHERE id = ?`, id);
    return row ? runOf(row) : undefined;
  }

  /** The newest runs of a destination, newest first. */
  runs(destinationId: number, limit = 10): BackupRun[] {
    return query<Row>(
      this.tracker,
      `SELECT * FROM backup_runs WHERE destination_id = ? ORDER BY id DESC LIMIT ?`,
      destinationId,
      limit,
    ).map(runOf);
  }

  /** The destination's run that has not ended (at most one exists), if any. */
  openRun(destinationId: number): BackupRun | undefined {
    const [row] = query<Row>(
      this.tracker,
      `SELECT * FROM backup_runs WHERE destination_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1`,
      destinationId,
    );
    return row ? runOf(row) : undefined;
  }

  /**
   * Starts work on a destination, atomically: resumes the run that did not end (its owner is dead,
   * or it was interrupted) or creates a new run with one PENDING job per source. Refuses when a
   * live process owns the open run; `force` also takes over a run whose owner cannot be proven
   * dead (another host, or a process that stopped beating).
   */
  beginRun(
    destinationId: number,
    sources: readonly BackupSource[],
    options: { staleAfterMs: number; force?: boolean; at?: Date },
  ): {
    run: BackupRun;
    resumed: boolean;
    previousOwner?: { pid: number; host: string };
    /** The previous owner's last heartbeat, when a run is resumed. */
    previousHeartbeat?: string | null;
  } {
    const at = options.at ?? new Date();
    const iso = at.toISOString();
    return this.tracker.transaction(() => {
      const open = this.openRun(destinationId);
      if (open) {
        if (open.status === "RUNNING") {
          const state = ownerState(open, { staleAfterMs: options.staleAfterMs, at: at.getTime() });
          if (open.pid === Deno.pid && open.host === HOST) {
            throw new BackupBusyError(`backup run #${open.id} is already running in this process`);
          }
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
        execute(
          this.tracker,
          `UPDATE backup_runs SET status = 'RUNNING', pid = ?, host = ?, heartbeat_at = ? WHERE id = ?`,
          Deno.pid,
          HOST,
          iso,
          open.id,
        );
        execute(
          this.tracker,
          `UPDATE backup_jobs SET status = 'INTERRUPTED', last_update = ? WHERE run_id = ? AND status = 'RUNNING'`,
          iso,
          open.id,
        );
        const have = new Set(this.jobs(open.id).map((j) => j.source));
        const maxPriority = Math.max(0, ...this.jobs(open.id).map((j) => j.priority));
        sources.filter((s) => !have.has(s.name)).forEach((s, i) =>
          this.#addJob(open.id, { destinationId, source: s, priority: maxPriority + i + 1, at: iso })
        );
        return {
          run: this.run(open.id)!,
          resumed: true,
          previousOwner: { pid: open.pid, host: open.host },
          // Only a run that was still RUNNING can have left an rclone behind.
          previousHeartbeat: open.status === "RUNNING" ? open.heartbeatAt : null,
        };
      }
      const id = execute(
        this.tracker,
        `INSERT INTO backup_runs (destination_id, started_at, status, dry_run, pid, host, heartbeat_at, archive_stamp)
         VALUES (?, ?, 'RUNNING', 0, ?, ?, ?, ?)`,
        destinationId,
        iso,
        Deno.pid,
        HOST,
        iso,
        archiveStamp(at),
      ).lastInsertRowid;
      sources.forEach((s, i) => this.#addJob(id, { destinationId, source: s, priority: i + 1, at: iso }));
      return { run: this.run(id)!, resumed: false };
    });
  }

  #addJob(
    runId: number,
    job: { destinationId: number; source: BackupSource; priority: number; at: string },
  ): void {
    const { destinationId, source: s, priority, at } = job;
    execute(
      this.tracker,
      `INSERT INTO backup_jobs (run_id, destination_id, source_path, remote_path, source_name, status, priority,
                                last_update)
       VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?)`,
      runId,
      destinationId,
      s.path,
      s.remotePath,
      s.name,
      priority,
      at,
    );
  }

  heartbeat(runId: number): void {
    execute(
      this.tracker,
      `UPDATE backup_runs SET heartbeat_at = ? WHERE id = ? AND pid = ? AND host = ?`,
      now(),
      runId,
      Deno.pid,
      HOST,
    );
  }

  /** Ends a run; a completed run also stamps the destination's last backup time. */
  finishRun(runId: number, status: Exclude<RunStatus, "RUNNING">): void {
    const at = now();
    this.tracker.transaction(() => {
      execute(
        this.tracker,
        `UPDATE backup_runs SET status = ?, ended_at = CASE WHEN ? = 'INTERRUPTED' THEN NULL ELSE ? END,
           heartbeat_at = ? WHERE id = ?`,
        status,
        status,
        at,
        at,
        runId,
      );
      // A run stopped by a signal stays open, so the next `backup` resumes it.
      execute(
        this.tracker,
        `UPDATE backup_jobs SET status = 'INTERRUPTED', last_update = ? WHERE run_id = ? AND status = 'RUNNING'`,
        at,
        runId,
      );
      if (status === "COMPLETED") {
        execute(
          this.tracker,
          `UPDATE backup_destinations SET last_backup_at = ?
           WHERE id = (SELECT destination_id FROM backup_runs WHERE id = ?)`,
          at,
          runId,
        );
      }
    });
  }

  // -------------------------------------------------------------------------------------------
  // Jobs

  jobs(runId: number): BackupJob[] {
    return query<Row>(
      this.tracker,
      `SELECT * FROM backup_jobs WHERE run_id = ? ORDER BY priority ASC, id ASC`,
      runId,
    ).map(jobOf);
  }

  job(id: number): BackupJob | undefined {
    const [row] = query<Row>(this.tracker, `SELECT * FROM backup_jobs WHERE id = ?`, id);
    return row ? jobOf(row) : undefined;
  }

  /** Whether an earlier job copied files from this source to this destination. */
  hasBackedUpFiles(destinationId: number, source: string): boolean {
    return query<{ n: number }>(
      this.tracker,
      `SELECT COUNT(*) AS n FROM backup_jobs WHERE destination_id = ? AND source_name = ? AND files_transferred > 0`,
      destinationId,
      source,
    )[0].n > 0;
  }

  /** Jobs of a run that still have work: pending, interrupted, or failed with attempts left. */
  jobsToRun(runId: number, maxRetries: number): BackupJob[] {
    return this.jobs(runId).filter((j) =>
      j.status === "PENDING" || j.status === "INTERRUPTED" ||
      (j.status === "FAILED" && j.retryCount < maxRetries)
    );
  }

  jobStarted(jobId: number): void {
    const at = now();
    execute(
      this.tracker,
      `UPDATE backup_jobs SET status = 'RUNNING', pid = ?, started_at = COALESCE(started_at, ?), last_update = ?,
         transfer_speed = 0, eta_seconds = NULL
       WHERE id = ?`,
      Deno.pid,
      at,
      at,
      jobId,
    );
  }

  /**
   * Stores live progress; also the job's heartbeat. Ignored once the job is no longer RUNNING, so a
   * late update can never turn a finished job back into a running one.
   */
  jobProgress(jobId: number, p: JobProgress): void {
    execute(
      this.tracker,
      `UPDATE backup_jobs SET bytes_total = ?, bytes_transferred = ?, files_total = ?, files_transferred = ?,
         files_archived = COALESCE(?, files_archived), transfer_speed = ?, eta_seconds = ?, last_update = ?
       WHERE id = ? AND status = 'RUNNING'`,
      p.bytesTotal,
      p.bytesTransferred,
      p.filesTotal,
      p.filesTransferred,
      p.filesArchived ?? null,
      Math.round(p.speed),
      p.etaSeconds,
      now(),
      jobId,
    );
  }

  jobCompleted(jobId: number, p: JobProgress): void {
    const at = now();
    execute(
      this.tracker,
      `UPDATE backup_jobs SET status = 'COMPLETED', bytes_total = ?, bytes_transferred = ?, files_total = ?,
         files_transferred = ?, files_archived = COALESCE(?, files_archived), transfer_speed = ?, eta_seconds = 0,
         completed_at = ?, last_update = ?, error_message = NULL
       WHERE id = ?`,
      p.bytesTotal,
      p.bytesTransferred,
      p.filesTotal,
      p.filesTransferred,
      p.filesArchived ?? null,
      Math.round(p.speed),
      at,
      at,
      jobId,
    );
  }

  /** Records a failed attempt (the error message is already free of secrets). */
  jobFailed(jobId: number, error: string): void {
    execute(
      this.tracker,
      `UPDATE backup_jobs SET status = 'FAILED', error_message = ?, retry_count = retry_count + 1,
         transfer_speed = 0, eta_seconds = NULL, last_update = ?
       WHERE id = ?`,
      error,
      now(),
      jobId,
    );
  }

  /**
   * Forgets the destination's backup history (runs, jobs, cold-storage state). The remote, the
   * credentials and the destination itself are left alone. Refuses while a live process owns a run.
   */
  reset(destinationId: number, options: { staleAfterMs: number }): { runs: number; jobs: number } {
    return this.tracker.transaction(() => {
      const open = this.openRun(destinationId);
      if (open?.status === "RUNNING" && ownerState(open, { staleAfterMs: options.staleAfterMs }) === "live") {
        throw new BackupBusyError(
          `a backup to this destination is running (pid ${open.pid} on ${open.host}); stop it before --reset`,
        );
      }
      const jobs =
        execute(this.tracker, `DELETE FROM backup_jobs WHERE destination_id = ?`, destinationId).changes;
      const runs =
        execute(this.tracker, `DELETE FROM backup_runs WHERE destination_id = ?`, destinationId).changes;
      execute(this.tracker, `DELETE FROM backup_cold_objects WHERE destination_id = ?`, destinationId);
      execute(
        this.tracker,
        `UPDATE backup_destinations SET last_backup_at = NULL WHERE id = ?`,
        destinationId,
      );
      return { runs, jobs };
    });
  }

  // -------------------------------------------------------------------------------------------
  // Cold storage

  /** The state of each tracked object under `prefix` (a path relative to the destination root). */
  coldObjects(
    destinationId: number,
    prefix = "",
  ): Map<string, { state: ColdState; requestedAt: string | null }> {
    const rows = query<{ path: string; state: ColdState; requested_at: string | null }>(
      this.tracker,
      `SELECT path, state, requested_at FROM backup_cold_objects
       WHERE destination_id = ? AND substr(path, 1, ?) = ?`,
      destinationId,
      prefix.length,
      prefix,
    );
    return new Map(rows.map((r) => [r.path, { state: r.state, requestedAt: r.requested_at }]));
  }

  setColdState(destinationId: number, change: { paths: readonly string[]; state: ColdState }): void {
    const { paths, state } = change;
    if (paths.length === 0) return;
    const at = now();
    this.tracker.transaction(() => {
      for (const path of paths) {
        execute(
          this.tracker,
          `INSERT INTO backup_cold_objects (destination_id, path, state, requested_at, restored_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (destination_id, path) DO UPDATE SET state = excluded.state,
             requested_at = COALESCE(excluded.requested_at, requested_at),
             restored_at = COALESCE(excluded.restored_at, restored_at), updated_at = excluded.updated_at`,
          destinationId,
          path,
          state,
          state === "requested" ? at : null,
          state === "restored" ? at : null,
          at,
        );
      }
    });
  }

  coldCounts(destinationId: number): Record<ColdState, number> {
    const counts: Record<ColdState, number> = { cold: 0, requested: 0, restored: 0 };
    for (
      const r of query<{ state: ColdState; n: number }>(
        this.tracker,
        `SELECT state, COUNT(*) AS n FROM backup_cold_objects WHERE destination_id = ? GROUP BY state`,
        destinationId,
      )
    ) counts[r.state] = r.n;
    return counts;
  }
}

// ---------------------------------------------------------------------------------------------
// The status document

export interface BackupJobStatus {
  id: number;
  source: string;
  sourcePath: string;
  remotePath: string;
  /** As stored, except that a RUNNING job of a run whose owner is gone shows as INTERRUPTED. */
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
  /** As stored, except that a RUNNING run whose owner is gone shows as INTERRUPTED. */
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
 * One run as the status shows it: statuses as stored, except that a RUNNING run (and its RUNNING
 * jobs) whose owner is gone or silent shows as INTERRUPTED.
 */
export function backupRunStatus(
  store: BackupStore,
  run: BackupRun,
  options: { staleAfterMs: number },
): BackupRunStatus {
  const state = run.status === "RUNNING" ? ownerState(run, options) : "dead";
  const stale = run.status === "RUNNING" && state !== "live";
  const jobs = store.jobs(run.id).map((j): BackupJobStatus => {
    const status: JobStatus = stale && j.status === "RUNNING" ? "INTERRUPTED" : j.status;
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
      speed: status === "RUNNING" ? j.speed : 0,
      etaSeconds: status === "RUNNING" ? j.etaSeconds : null,
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
    status: stale ? "INTERRUPTED" : run.status,
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
  return query<Row>(tracker, `SELECT * FROM backup_runs ORDER BY id DESC LIMIT ?`, options.limit ?? 5).map(
    runOf,
  )
    .map((run) => ({
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
        PENDING: 0,
        RUNNING: 0,
        COMPLETED: 0,
        INTERRUPTED: 0,
        FAILED: 0,
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
