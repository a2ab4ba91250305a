/**
 * Import-type runs (import, sync, cleanup, ...: one record per command that changes anything)
 * and the run lock that keeps two of them from working on one tracker at once.
 * @module
 */
import { type EndStatus, HOST, isThisProcess, ownerState, type RunStatus } from "./owner.ts";
import { int, json, now, type Row, type Sql, text, textOrNull } from "./sql.ts";

export interface RunRow {
  id: number;
  command: string;
  pid: number;
  host: string;
  startedAt: string;
  heartbeatAt: string;
  endedAt: string | null;
  /** Never `pending`: a run is recorded when it starts. */
  status: RunStatus;
  dryRun: boolean;
  progress: unknown;
  summary: unknown;
}

/** Thrown when another live process holds the run lock. */
export class LockedError extends Error {
  override name = "LockedError";
}

export function startRun(sql: Sql, command: string, dryRun: boolean): number {
  const at = now();
  return sql.run(
    `INSERT INTO runs (command, pid, host, started_at, heartbeat_at, status, dry_run)
     VALUES ($command, $pid, $host, $at, $at, 'running', $dry_run)`,
    { command, pid: Deno.pid, host: HOST, at, dry_run: dryRun ? 1 : 0 },
  ).lastInsertRowid;
}

/** Stores the live progress of a run (read by `serve` from another process). */
export function runProgress(sql: Sql, id: number, progress: unknown): void {
  sql.run(`UPDATE runs SET progress = $progress, heartbeat_at = $at WHERE id = $id`, {
    progress: JSON.stringify(progress),
    at: now(),
    id,
  });
}

export function finishRun(
  sql: Sql,
  id: number,
  status: EndStatus,
  summary: unknown,
): void {
  sql.run(
    `UPDATE runs SET status = $status, summary = $summary, ended_at = $at, heartbeat_at = $at WHERE id = $id`,
    { status, summary: JSON.stringify(summary), at: now(), id },
  );
}

function runOf(r: Row): RunRow {
  const run: RunRow = {
    id: int(r, "id"),
    command: text(r, "command"),
    pid: int(r, "pid"),
    host: text(r, "host"),
    startedAt: text(r, "started_at"),
    heartbeatAt: text(r, "heartbeat_at"),
    endedAt: textOrNull(r, "ended_at"),
    status: text(r, "status") as RunStatus,
    dryRun: int(r, "dry_run") === 1,
    progress: json(r, "progress", null),
    summary: json(r, "summary", null),
  };
  // A run whose process died without finishing shows as interrupted, not forever running.
  const owner = { pid: run.pid, host: run.host, since: run.startedAt, heartbeatAt: run.heartbeatAt };
  const dead = run.status === "running" && ownerState(owner, { staleAfterMs: Infinity }) === "dead";
  return dead ? { ...run, status: "interrupted" } : run;
}

export function recentRuns(sql: Sql, limit: number): RunRow[] {
  return sql.all(`SELECT * FROM runs ORDER BY id DESC LIMIT $limit`, { limit }, runOf);
}

interface LockRow {
  pid: number;
  host: string;
  command: string;
  acquiredAt: string;
  heartbeatAt: string;
}

function lockOf(r: Row): LockRow {
  return {
    pid: int(r, "pid"),
    host: text(r, "host"),
    command: text(r, "command"),
    acquiredAt: text(r, "acquired_at"),
    heartbeatAt: text(r, "heartbeat_at"),
  };
}

/**
 * Takes the named lock for this process. A lock held by a live process refuses with a message
 * naming it; a lock whose process is gone (same host) or whose heartbeat is older than
 * `staleAfterMs` (another host sharing the data directory) is taken over.
 */
export function acquireLock(sql: Sql, name: string, command: string, staleAfterMs: number): void {
  sql.transaction(() => {
    const held = sql.get(`SELECT * FROM locks WHERE name = $name`, { name }, lockOf);
    if (held && !isThisProcess(held)) {
      const state = ownerState({ ...held, since: held.acquiredAt }, { staleAfterMs });
      // A silent holder on another host cannot be asked: its stale heartbeat is all there is. One on
      // this host whose process runs is never taken over (hung, perhaps, but two runs at once is worse).
      const free = state === "dead" || (state === "unknown" && held.host !== HOST);
      if (!free) {
        throw new LockedError(
          `another photos-sync is running (${held.command}, pid ${held.pid} on ${held.host}, ` +
            `since ${held.acquiredAt}); wait for it to finish or stop it, then run again`,
        );
      }
    }
    const at = now();
    sql.run(
      `INSERT INTO locks (name, pid, host, command, acquired_at, heartbeat_at) VALUES ($name, $pid, $host, $command, $at, $at)
       ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, command = excluded.command,
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
      { name, pid: Deno.pid, host: HOST, command, at },
    );
  });
}

export function heartbeatLock(sql: Sql, name: string): void {
  sql.run(`UPDATE locks SET heartbeat_at = $at WHERE name = $name AND pid = $pid AND host = $host`, {
    at: now(),
    name,
    pid: Deno.pid,
    host: HOST,
  });
}

export function releaseLock(sql: Sql, name: string): void {
  sql.run(`DELETE FROM locks WHERE name = $name AND pid = $pid AND host = $host`, {
    name,
    pid: Deno.pid,
    host: HOST,
  });
}
