/**
 * The tracker: a SQLite database that maps every source asset to what it became at each
 * destination. Writes for one asset happen in one transaction, only after the destination
 * confirmed; updates name the columns they change and leave every other column alone.
 *
 * @example
 * ```ts
 * const tracker = Tracker.open(`${dataDir}/tracker.db`);
 * try { tracker.transfers("photoslibrary", "folder"); } finally { tracker.close(); }
 * ```
 * @module
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { hostname } from "node:os";
import process from "node:process";
import type { Asset } from "../model/asset.ts";
import type { ExportedGroup, Plan } from "../model/plan.ts";
import type { ErrorKind } from "../plugin/errors.ts";
import { ConfigError } from "../plugin/errors.ts";
import type { RemoteRef } from "../plugin/types.ts";
import { MIGRATIONS } from "./migrations.ts";
import { attachSql, int, Sql, text, textOrNull } from "./sql.ts";
import {
  busyMessage,
  checkIntact,
  createPrivately,
  isBusy,
  lockHolder,
  probeWriteLock,
  readOnlyMessage,
  unwritableFolder,
  writeLockHolder,
} from "./open_check.ts";

export type TransferStatus = "imported" | "failed" | "skipped";

/** What the diff needs to know of one asset at one destination. */
export interface TransferState {
  status: TransferStatus;
  attempts: number;
  /** `policy`: skipped on purpose by the run's policy (looked at again each run). */
  errorClass: ErrorKind | "policy" | null;
  nextAttemptAt: string | null;
  sourceModifiedAt: string | null;
  /** The metadata the destination was last given (null: never, or before tracking began). */
  syncedFavorite: boolean | null;
  syncedHidden: boolean | null;
  syncedCapturedAt: string | null;
  /** The destination no longer has it (deleted there); not uploaded again. */
  remoteGone: boolean;
}

export interface Classification {
  subtypes: string[];
  tags: string[];
  incomplete: string[];
  /** Keys of the resources the destination confirmed (it has a remote id for each). */
  sent: string[];
}

/**
 * What an asset lacks at a destination that has confirmed the resources `sent`: what the plan
 * could not include (missing from the library) and every planned resource not confirmed yet. A
 * resource that is back in the library is still lacking until a put of it was confirmed, so no
 * reading of the library alone can make an asset complete.
 */
export function incompleteAt(plan: Plan, sent: readonly string[]): string[] {
  const unsent = plan.resources.filter((r) => !sent.includes(r.key)).map((r) => `not sent yet: ${r.key}`);
  return [...new Set([...plan.incomplete, ...unsent])];
}

/** A sidecar of an asset kept in the sidecar store, found there by its SHA-1. */
export interface StoredSidecar {
  key: string;
  role: string;
  name: string;
  sha1: string;
  size: number;
}

export interface ProblemRow {
  assetId: string;
  filename: string;
  mediaKind: string;
  status: TransferStatus;
  errorClass: string | null;
  errorMessage: string | null;
  attempts: number;
  lastAttemptAt: string | null;
}

/** A failed or skipped transfer at any destination; `filename` is null when the asset is unknown. */
export interface ProblemTransfer {
  destination: string;
  status: "failed" | "skipped";
  errorClass: string | null;
  errorMessage: string | null;
  assetId: string;
  filename: string | null;
  lastAttemptAt: string | null;
}

export interface RunRow {
  id: number;
  command: string;
  pid: number;
  host: string;
  startedAt: string;
  heartbeatAt: string;
  endedAt: string | null;
  status: "running" | "succeeded" | "failed" | "interrupted";
  dryRun: boolean;
  progress: unknown;
  summary: unknown;
}

/** Thrown when another live process holds the run lock. */
export class LockedError extends Error {
  override name = "LockedError";
}

const now = () => new Date().toISOString();
const HOST = hostname();

/**
 * Whether the process that had this id at `since` still runs on this machine. A zombie (dead, not
 * yet reaped by its parent) is gone, and so is a process that started after `since`: the id was
 * reused (common in containers, where ids are small), so the holder is gone too.
 */
export function processAlive(pid: number, since?: Date): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as { code?: string }).code !== "EPERM") return false;
  }
  const proc = linuxProcess(pid);
  if (!proc) return true; // no /proc (macOS): the signal test is all there is
  if (proc.state === "Z" || proc.state === "X") return false;
  // Clocks of a lock and of the kernel can disagree a little: a few seconds of slack.
  return since === undefined || proc.startedAt.getTime() <= since.getTime() + 5_000;
}

/** State and start time of a process, from Linux's /proc; undefined elsewhere or when it is gone. */
function linuxProcess(pid: number): { state: string; startedAt: Date } | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // The command name (field 2) may hold spaces and parentheses: the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const bootSeconds = Number(/^btime (\d+)$/m.exec(Deno.readTextFileSync("/proc/stat"))?.[1]);
    // Field 22, in clock ticks since boot; Linux has used 100 ticks a second everywhere for decades.
    const startTicks = Number(fields[19]);
    if (!Number.isFinite(bootSeconds) || !Number.isFinite(startTicks)) return undefined;
    return { state: fields[0], startedAt: new Date(bootSeconds * 1000 + startTicks * 10) };
  } catch {
    return undefined;
  }
}

export class Tracker {
  readonly #db: DatabaseSync;
  readonly #sql: Sql;
  /** The library id each source's assets are recorded under in this run (see `identity.ts`). */
  readonly libraryIds = new Map<string, string>();

  private constructor(db: DatabaseSync) {
    this.#db = db;
    this.#sql = new Sql(db);
    attachSql(this, this.#sql);
  }

  /**
   * Opens (creating if needed) and migrates the tracker. Refuses a database written by a newer
   * photos-sync, which this build would not understand. With `readOnly` the file must exist and
   * already have this build's schema; nothing can be written through that connection.
   */
  static open(
    path: string,
    options: { migrations?: readonly string[]; readOnly?: boolean; busyTimeoutMs?: number } = {},
  ): Tracker {
    let db: DatabaseSync | undefined;
    if (!options.readOnly) createPrivately(path);
    try {
      db = new DatabaseSync(path, { readOnly: options.readOnly ?? false });
      db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 10000}`);
      checkIntact(db, path);
      if (!options.readOnly) {
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA foreign_keys = ON");
      }
    } catch (e) {
      db?.close();
      if (e instanceof ConfigError) throw e;
      if (isBusy(e)) throw new LockedError(busyMessage(path, writeLockHolder(path)));
      const unwritable = options.readOnly ? undefined : unwritableFolder(path);
      if (unwritable) throw new ConfigError(unwritable);
      throw new ConfigError(
        `the tracker database ${path} cannot be opened (${(e as Error).message}); ` +
          `check that the data directory is writable, or move a damaged file aside`,
      );
    }
    const tracker = new Tracker(db);
    try {
      if (options.readOnly) tracker.#checkCurrent(path, options.migrations ?? MIGRATIONS);
      else {
        probeWriteLock(db);
        tracker.#migrate(path, options.migrations ?? MIGRATIONS);
      }
    } catch (e) {
      const holder = isBusy(e) ? writeLockHolder(path) ?? lockHolder(db) : undefined;
      db.close();
      if (isBusy(e)) throw new LockedError(busyMessage(path, holder));
      const readOnly = readOnlyMessage(path, e);
      throw readOnly ? new ConfigError(readOnly) : e;
    }
    return tracker;
  }

  #migrate(path: string, migrations: readonly string[]): void {
    const version = this.schemaVersion;
    if (version > migrations.length) {
      throw new ConfigError(
        `the tracker ${path} has schema version ${version}, written by a newer photos-sync; ` +
          `this one knows up to version ${migrations.length}. Upgrade photos-sync; do not downgrade the database`,
      );
    }
    for (let v = version; v < migrations.length; v++) {
      this.transaction(() => {
        this.#db.exec(migrations[v]);
        this.#db.exec(`PRAGMA user_version = ${v + 1}`);
      });
    }
  }

  /** A read-only reader cannot migrate, so it needs exactly the schema this build knows. */
  #checkCurrent(path: string, migrations: readonly string[]): void {
    const version = this.schemaVersion;
    if (version !== migrations.length) {
      throw new ConfigError(
        `the tracker ${path} has schema version ${version} and this photos-sync reads version ` +
          `${migrations.length}; run \`photos-sync status\` once with this build to upgrade it, or upgrade photos-sync`,
      );
    }
  }

  /**
   * Changes whenever another connection commits to the database, so a reader in another process
   * can poll it (microseconds) and re-query only when something happened.
   */
  get dataVersion(): number {
    return Number((this.#stmt("PRAGMA data_version").get() as { data_version: number }).data_version);
  }

  get schemaVersion(): number {
    return Number((this.#db.prepare("PRAGMA user_version").get() as { user_version: number }).user_version);
  }

  close(): void {
    this.#db.close();
  }

  /** Runs `fn` in one immediate transaction; rolls back if it throws. */
  transaction<T>(fn: () => T): T {
    return this.#sql.transaction(fn);
  }

  #rows(sql: string): StatementSync {
    return this.#sql.arrays(sql);
  }

  #stmt(sql: string): StatementSync {
    return this.#sql.prepare(sql);
  }

  /** Writes a consistent copy of the database to `path` while it stays in use (`VACUUM INTO`). */
  snapshotTo(path: string): void {
    this.#sql.run(`VACUUM INTO $path`, { path });
  }

  // -------------------------------------------------------------------------------------------
  // Destinations as a whole

  /** Remote ids (primary resource) of up to `limit` random assets recorded as imported at `destination`. */
  sampleRemoteIds(destination: string, limit: number): string[] {
    return this.#sql.all(
      `SELECT r.remote_id FROM transfers t JOIN resources r ON r.source = t.source AND r.asset_id = t.asset_id
         AND r.destination = t.destination AND r.key = COALESCE(t.primary_key, 'original')
       WHERE t.destination = $destination AND t.status = 'imported' AND t.remote_gone_at IS NULL
       ORDER BY random() LIMIT $limit`,
      { destination, limit },
      (r) => text(r, "remote_id"),
    );
  }

  /** How many assets the tracker holds as imported at `destination` and not deleted there. */
  importedCount(destination: string): number {
    return this.#sql.get(
      `SELECT COUNT(*) AS n FROM transfers
       WHERE destination = $destination AND status = 'imported' AND remote_gone_at IS NULL`,
      { destination },
      (r) => int(r, "n"),
    )!;
  }

  /** How many assets have a transfer of any status at `destination`. */
  transferCount(destination: string): number {
    return this.#sql.get(
      `SELECT COUNT(*) AS n FROM transfers WHERE destination = $destination`,
      { destination },
      (r) => int(r, "n"),
    )!;
  }

  /**
   * Forgets everything recorded about one destination (transfers, files, album members and the
   * destination's `held:<key>` note), so the next import sends every asset again. The assets
   * themselves and other destinations are untouched. Returns how many transfers were dropped.
   */
  forgetDestination(destination: string): number {
    return this.transaction(() => {
      const { changes } = this.#sql.run(`DELETE FROM transfers WHERE destination = $destination`, {
        destination,
      });
      this.#sql.run(`DELETE FROM resources WHERE destination = $destination`, { destination });
      this.#sql.run(`DELETE FROM album_members WHERE destination = $destination`, { destination });
      this.#sql.run(`DELETE FROM plugin_state WHERE key = $key`, { key: `held:${destination}` });
      return changes;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Transfers

  /** Every asset's state at one destination, for the diff: one query, whatever the library size. */
  transfers(source: string, destination: string): Map<string, TransferState> {
    const rows = this.#rows(
      `SELECT asset_id, status, attempts, error_class, next_attempt_at, source_modified_at, synced_favorite,
              synced_hidden, synced_captured_at, remote_gone_at
       FROM transfers WHERE source = ? AND destination = ?`,
    ).iterate(source, destination) as Iterable<(string | number | null)[]>;
    const map = new Map<string, TransferState>();
    for (const r of rows) {
      map.set(r[0] as string, {
        status: r[1] as TransferStatus,
        attempts: r[2] as number,
        errorClass: r[3] as ErrorKind | null,
        nextAttemptAt: r[4] as string | null,
        sourceModifiedAt: r[5] as string | null,
        syncedFavorite: r[6] === null ? null : r[6] === 1,
        syncedHidden: r[7] === null ? null : r[7] === 1,
        syncedCapturedAt: r[8] as string | null,
        remoteGone: r[9] !== null,
      });
    }
    return map;
  }

  /** Upserts the facts about an asset; columns not named here keep their values. */
  #noteAsset(source: string, asset: Asset, at: string): void {
    this.#stmt(
      `INSERT INTO assets (source, asset_id, filename, media_kind, subtypes, captured_at, modified_at,
                           favorite, hidden, first_seen_at, last_seen_at, library_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, asset_id) DO UPDATE SET
         filename = excluded.filename, media_kind = excluded.media_kind, subtypes = excluded.subtypes,
         captured_at = excluded.captured_at, modified_at = excluded.modified_at,
         favorite = excluded.favorite, hidden = excluded.hidden, last_seen_at = excluded.last_seen_at,
         gone_at = NULL, library_id = COALESCE(excluded.library_id, library_id)`,
    ).run(
      source,
      asset.id,
      asset.filename,
      asset.kind,
      JSON.stringify(asset.subtypes),
      asset.captured?.utc ?? null,
      asset.modified ?? null,
      asset.favorite ? 1 : 0,
      asset.hidden ? 1 : 0,
      at,
      at,
      this.libraryIds.get(source) ?? null,
    );
  }

  /**
   * Records a confirmed put: the asset's facts, its transfer, every remote resource and its albums,
   * in one transaction.
   */
  recordImported(
    ids: { source: string; destination: string },
    group: ExportedGroup,
    remote: RemoteRef[],
  ): void {
    const { source, destination } = ids;
    const { asset, plan, files } = group;
    const at = now();
    this.transaction(() => {
      this.#noteAsset(source, asset, at);
      this.#stmt(
        `INSERT INTO transfers (source, asset_id, destination, status, attempts, last_attempt_at, imported_at,
                                source_modified_at, size, handlers, tags, incomplete, synced_favorite, synced_hidden,
                                synced_captured_at, primary_key, stack_group, stack_primary, stack_pending)
         VALUES (?, ?, ?, 'imported', 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, asset_id, destination) DO UPDATE SET
           status = 'imported', attempts = attempts + 1, error_class = NULL, error_message = NULL,
           next_attempt_at = NULL, last_attempt_at = excluded.last_attempt_at, imported_at = excluded.imported_at,
           source_modified_at = excluded.source_modified_at, size = excluded.size, handlers = excluded.handlers,
           tags = excluded.tags, incomplete = excluded.incomplete, synced_favorite = excluded.synced_favorite,
           synced_hidden = excluded.synced_hidden, synced_captured_at = excluded.synced_captured_at,
           primary_key = excluded.primary_key, remote_gone_at = NULL, stack_group = excluded.stack_group,
           stack_primary = excluded.stack_primary, stack_pending = excluded.stack_pending`,
      ).run(
        source,
        asset.id,
        destination,
        at,
        at,
        asset.modified ?? null,
        files.reduce((n, f) => n + f.size, 0),
        JSON.stringify(plan.handlers),
        JSON.stringify(plan.tags),
        JSON.stringify(incompleteAt(plan, remote.map((r) => r.key))),
        asset.favorite ? 1 : 0,
        asset.hidden ? 1 : 0,
        asset.captured?.utc ?? null,
        plan.primary,
        plan.stackGroup?.id ?? null,
        plan.stackGroup ? (plan.stackGroup.primary ? 1 : 0) : null,
        plan.stackGroup ? 1 : null,
      );
      const upsertResource = this.#stmt(
        `INSERT INTO resources (source, asset_id, destination, key, role, name, sha1, size, remote_id, duplicate, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, asset_id, destination, key) DO UPDATE SET
           role = excluded.role, name = excluded.name, sha1 = excluded.sha1, size = excluded.size,
           remote_id = excluded.remote_id, duplicate = excluded.duplicate, recorded_at = excluded.recorded_at`,
      );
      for (const ref of remote) {
        const file = files.find((f) => f.key === ref.key);
        const planned = plan.resources.find((r) => r.key === ref.key);
        if (!file || !planned) throw new Error(`destination returned an unknown resource key ${ref.key}`);
        upsertResource.run(
          source,
          asset.id,
          destination,
          ref.key,
          planned.role,
          file.name,
          file.sha1,
          file.size,
          ref.remoteId,
          ref.duplicate ? 1 : 0,
          at,
        );
      }
      const addAlbum = this.#stmt(
        `INSERT INTO album_members (destination, album_id, album_title, album_folders, source, asset_id)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET
           album_title = excluded.album_title, album_folders = excluded.album_folders`,
      );
      for (const album of asset.albums) {
        addAlbum.run(destination, album.id, album.title, JSON.stringify(album.folders), source, asset.id);
      }
    });
  }

  /**
   * Records a failed attempt. Keeps everything already known (remote ids of an earlier import,
   * album membership); only the attempt bookkeeping changes. An asset already imported stays
   * imported: a failed re-check must not hide that it is safe at the destination.
   */
  recordFailure(
    ids: { source: string; destination: string },
    asset: Asset,
    failure: { kind: ErrorKind; message: string; nextAttemptAt: string | null; skipped?: boolean },
  ): void {
    const at = now();
    const status: TransferStatus = failure.skipped ? "skipped" : "failed";
    this.transaction(() => {
      this.#noteAsset(ids.source, asset, at);
      this.#stmt(
        `INSERT INTO transfers (source, asset_id, destination, status, attempts, error_class, error_message,
                                last_attempt_at, next_attempt_at)
         VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?)
         ON CONFLICT (source, asset_id, destination) DO UPDATE SET
           status = CASE WHEN status = 'imported' THEN 'imported' ELSE excluded.status END,
           attempts = attempts + 1, error_class = excluded.error_class, error_message = excluded.error_message,
           last_attempt_at = excluded.last_attempt_at, next_attempt_at = excluded.next_attempt_at`,
      ).run(
        ids.source,
        asset.id,
        ids.destination,
        status,
        failure.kind,
        failure.message,
        at,
        failure.nextAttemptAt,
      );
    });
  }

  /**
   * Records that the run's policy leaves an asset out (e.g. an unpicked burst frame): status
   * `skipped`, class `policy`, the reason as the message. Attempts are not counted; the diff looks
   * at such an asset again on every run, so a changed policy imports it.
   */
  recordSkipped(ids: { source: string; destination: string }, asset: Asset, reason: string): void {
    const at = now();
    this.transaction(() => {
      this.#noteAsset(ids.source, asset, at);
      this.#stmt(
        `INSERT INTO transfers (source, asset_id, destination, status, attempts, error_class, error_message,
                                last_attempt_at)
         VALUES (?, ?, ?, 'skipped', 0, 'policy', ?, ?)
         ON CONFLICT (source, asset_id, destination) DO UPDATE SET
           status = CASE WHEN status = 'imported' THEN 'imported' ELSE 'skipped' END,
           error_class = CASE WHEN status = 'imported' THEN error_class ELSE 'policy' END,
           error_message = CASE WHEN status = 'imported' THEN error_message ELSE excluded.error_message END,
           last_attempt_at = excluded.last_attempt_at, next_attempt_at = NULL`,
      ).run(ids.source, asset.id, ids.destination, reason, at);
    });
  }

  /**
   * The imported members of a stack that spans assets, at one destination: each member's asset id,
   * the remote id of its primary resource, and whether it is the stack's primary.
   */
  stackMembers(
    ids: { source: string; destination: string },
    group: string,
  ): { assetId: string; remoteId: string; primary: boolean }[] {
    const rows = this.#stmt(
      `SELECT t.asset_id, r.remote_id, t.stack_primary FROM transfers t
       JOIN resources r ON r.source = t.source AND r.asset_id = t.asset_id AND r.destination = t.destination
                       AND r.key = t.primary_key
       WHERE t.source = ? AND t.destination = ? AND t.stack_group = ? AND t.status = 'imported'
       ORDER BY t.stack_primary DESC, t.asset_id`,
    ).all(ids.source, ids.destination, group) as {
      asset_id: string;
      remote_id: string;
      stack_primary: number;
    }[];
    return rows.map((r) => ({ assetId: r.asset_id, remoteId: r.remote_id, primary: r.stack_primary === 1 }));
  }

  /**
   * The stacks across assets with a member recorded but not yet known to be stacked at the
   * destination (see {@link stacked}), by group id.
   */
  pendingStacks(ids: { source: string; destination: string }): string[] {
    return (this.#stmt(
      `SELECT DISTINCT stack_group FROM transfers
       WHERE source = ? AND destination = ? AND stack_pending = 1 AND status = 'imported'`,
    ).all(ids.source, ids.destination) as { stack_group: string }[]).map((r) => r.stack_group);
  }

  /** Notes that these members of a stack across assets are stacked at the destination (or need not be). */
  stacked(ids: { source: string; destination: string }, group: string, assetIds: string[]): void {
    const clear = this.#stmt(
      `UPDATE transfers SET stack_pending = NULL
       WHERE source = ? AND destination = ? AND stack_group = ? AND asset_id = ?`,
    );
    this.transaction(() => {
      for (const id of assetIds) clear.run(ids.source, ids.destination, group, id);
    });
  }

  /** Records which sidecars of an asset the sidecar store holds, by SHA-1 (replacing earlier rows). */
  recordSidecars(
    source: string,
    assetId: string,
    sidecars: StoredSidecar[],
  ): void {
    const at = now();
    this.transaction(() => {
      const upsert = this.#stmt(
        `INSERT INTO sidecars (source, asset_id, key, role, name, sha1, size, stored_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source, asset_id, key) DO UPDATE SET role = excluded.role, name = excluded.name,
           sha1 = excluded.sha1, size = excluded.size, stored_at = excluded.stored_at`,
      );
      for (const s of sidecars) upsert.run(source, assetId, s.key, s.role, s.name, s.sha1, s.size, at);
    });
  }

  /** The stored sidecars of one asset, by key. */
  sidecars(source: string, assetId: string): StoredSidecar[] {
    return (this.#stmt(
      `SELECT key, role, name, sha1, size FROM sidecars WHERE source = ? AND asset_id = ? ORDER BY key`,
    ).all(source, assetId) as unknown as StoredSidecar[]).map((r) => ({ ...r }));
  }

  /** Records metadata that sync pushed; only the columns of the fields given change. */
  recordSynced(
    ids: { source: string; destination: string },
    asset: Asset,
    pushed: { favorite?: boolean; hidden?: boolean; capturedAt?: string | null },
  ): void {
    this.transaction(() => {
      this.#noteAsset(ids.source, asset, now());
      this.#stmt(
        `UPDATE transfers SET
           synced_favorite = CASE WHEN ? THEN ? ELSE synced_favorite END,
           synced_hidden = CASE WHEN ? THEN ? ELSE synced_hidden END,
           synced_captured_at = CASE WHEN ? THEN ? ELSE synced_captured_at END
         WHERE source = ? AND asset_id = ? AND destination = ?`,
      ).run(
        pushed.favorite !== undefined ? 1 : 0,
        pushed.favorite ? 1 : 0,
        pushed.hidden !== undefined ? 1 : 0,
        pushed.hidden ? 1 : 0,
        pushed.capturedAt !== undefined ? 1 : 0,
        pushed.capturedAt ?? null,
        ids.source,
        asset.id,
        ids.destination,
      );
    });
  }

  /**
   * Assets of a source that the tracker knows and that were not in a complete listing (`seen`),
   * with their remote id (primary resource) at `destination` when they have one. `among` limits the
   * candidates to ids the caller already holds (sync: those with a transfer to `destination`).
   */
  missingFromSource(
    source: string,
    destination: string,
    seen: Set<string>,
    options: { among?: Iterable<string> } = {},
  ): { assetId: string; remoteId: string | null; goneAt: string | null }[] {
    // One narrow scan (or the caller's ids), then a lookup per missing asset: a no-op sync has none.
    const missing = [];
    if (options.among) {
      const goneAt = this.#stmt(`SELECT gone_at FROM assets WHERE source = ? AND asset_id = ?`);
      for (const assetId of options.among) {
        if (seen.has(assetId)) continue;
        const row = goneAt.get(source, assetId) as { gone_at: string | null } | undefined;
        missing.push({ assetId, goneAt: row?.gone_at ?? null, remoteId: null as string | null });
      }
    } else {
      const rows = this.#rows(`SELECT asset_id, gone_at FROM assets WHERE source = ?`).iterate(
        source,
      ) as Iterable<
        [string, string | null]
      >;
      for (const [assetId, goneAt] of rows) {
        if (!seen.has(assetId)) missing.push({ assetId, goneAt, remoteId: null as string | null });
      }
    }
    const remote = this.#stmt(
      `SELECT r.remote_id FROM transfers t JOIN resources r ON r.source = t.source AND r.asset_id = t.asset_id
         AND r.destination = t.destination AND r.key = COALESCE(t.primary_key, 'original')
       WHERE t.source = ? AND t.asset_id = ? AND t.destination = ? AND t.remote_gone_at IS NULL`,
    );
    for (const m of missing) {
      m.remoteId =
        (remote.get(source, m.assetId, destination) as { remote_id: string } | undefined)?.remote_id ?? null;
    }
    return missing;
  }

  /** Marks assets as gone from the source (kept at every destination). */
  markGone(source: string, assetIds: string[]): void {
    const at = now();
    this.transaction(() => {
      const mark = this.#stmt(
        `UPDATE assets SET gone_at = ? WHERE source = ? AND asset_id = ? AND gone_at IS NULL`,
      );
      for (const id of assetIds) mark.run(at, source, id);
    });
  }

  /** Marks assets as no longer at the destination (deleted there), so they are not sent again. */
  markRemoteGone(ids: { source: string; destination: string }, assetIds: string[]): void {
    const at = now();
    this.transaction(() => {
      const mark = this.#stmt(
        `UPDATE transfers SET remote_gone_at = ? WHERE source = ? AND asset_id = ? AND destination = ? AND remote_gone_at IS NULL`,
      );
      for (const id of assetIds) mark.run(at, ids.source, id, ids.destination);
    });
  }

  /** Primary remote ids of every imported asset at a destination that is not known to be gone there. */
  importedRemoteIds(ids: { source: string; destination: string }): { assetId: string; remoteId: string }[] {
    return this.#sql.all(
      `SELECT t.asset_id, r.remote_id FROM transfers t
       JOIN resources r ON r.source = t.source AND r.asset_id = t.asset_id AND r.destination = t.destination
         AND r.key = COALESCE(t.primary_key, 'original')
       WHERE t.source = $source AND t.destination = $destination AND t.status = 'imported'
         AND t.remote_gone_at IS NULL`,
      { source: ids.source, destination: ids.destination },
      (r) => ({ assetId: text(r, "asset_id"), remoteId: text(r, "remote_id") }),
    );
  }

  /** What the tracker believes about each imported asset's type and completeness (for reclassify). */
  classification(ids: { source: string; destination: string }): Map<string, Classification> {
    const rows = this.#stmt(
      `SELECT t.asset_id, a.subtypes, t.tags, t.incomplete,
         (SELECT json_group_array(r.key) FROM resources r
          WHERE r.source = t.source AND r.asset_id = t.asset_id AND r.destination = t.destination) AS sent
       FROM transfers t JOIN assets a USING (source, asset_id)
       WHERE t.source = ? AND t.destination = ? AND t.status = 'imported'`,
    ).iterate(ids.source, ids.destination) as Iterable<Record<string, string | null>>;
    const map = new Map<string, Classification>();
    for (const r of rows) {
      map.set(r.asset_id!, {
        subtypes: JSON.parse(r.subtypes ?? "[]"),
        tags: JSON.parse(r.tags ?? "[]"),
        incomplete: JSON.parse(r.incomplete ?? "[]"),
        sent: JSON.parse(r.sent ?? "[]"),
      });
    }
    return map;
  }

  /**
   * Stores a fresh reading of an asset's type and plan; the transfer's status and ids stay as they
   * are. Its incompleteness is {@link incompleteAt} the resources recorded here: only a confirmed put
   * ({@link recordImported}) clears a mark.
   */
  updateClassification(ids: { source: string; destination: string }, asset: Asset, plan: Plan): void {
    this.transaction(() => {
      this.#noteAsset(ids.source, asset, now());
      const sent = this.#stmt(
        `SELECT key FROM resources WHERE source = ? AND asset_id = ? AND destination = ?`,
      ).all(ids.source, asset.id, ids.destination).map((r) => r.key as string);
      this.#stmt(
        `UPDATE transfers SET handlers = ?, tags = ?, incomplete = ? WHERE source = ? AND asset_id = ? AND destination = ?`,
      ).run(
        JSON.stringify(plan.handlers),
        JSON.stringify(plan.tags),
        JSON.stringify(incompleteAt(plan, sent)),
        ids.source,
        asset.id,
        ids.destination,
      );
    });
  }

  /** The remote id that represents an asset at a destination (its primary resource's). */
  primaryRemoteId(ids: { source: string; destination: string }, assetId: string): string | undefined {
    const row = this.#stmt(
      `SELECT r.remote_id FROM transfers t JOIN resources r ON r.source = t.source AND r.asset_id = t.asset_id
         AND r.destination = t.destination AND r.key = COALESCE(t.primary_key, 'original')
       WHERE t.source = ? AND t.asset_id = ? AND t.destination = ?`,
    ).get(ids.source, assetId, ids.destination) as { remote_id: string } | undefined;
    return row?.remote_id;
  }

  /** Remote ids by resource key for one asset at one destination. */
  remoteIds(ids: { source: string; destination: string }, assetId: string): Record<string, string> {
    const rows = this.#stmt(
      `SELECT key, remote_id FROM resources WHERE source = ? AND asset_id = ? AND destination = ?`,
    ).all(ids.source, assetId, ids.destination) as { key: string; remote_id: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.remote_id]));
  }

  /** Counts by transfer status at a destination. */
  statusCounts(destination: string): Record<TransferStatus, number> {
    const counts: Record<TransferStatus, number> = { imported: 0, failed: 0, skipped: 0 };
    const rows = this.#stmt(
      `SELECT status, COUNT(*) AS n FROM transfers WHERE destination = ? GROUP BY status`,
    )
      .all(destination) as { status: TransferStatus; n: number }[];
    for (const r of rows) counts[r.status] = r.n;
    return counts;
  }

  /** Failed and skipped assets at a destination, newest attempt first. */
  problems(destination: string): ProblemRow[] {
    return (this.#stmt(
      `SELECT t.asset_id, a.filename, a.media_kind, t.status, t.error_class, t.error_message, t.attempts,
              t.last_attempt_at
       FROM transfers t JOIN assets a USING (source, asset_id)
       WHERE t.destination = ? AND t.status IN ('failed', 'skipped')
       ORDER BY t.last_attempt_at DESC`,
    ).all(destination) as Record<string, string | number | null>[]).map((r) => ({
      assetId: r.asset_id as string,
      filename: r.filename as string,
      mediaKind: r.media_kind as string,
      status: r.status as TransferStatus,
      errorClass: r.error_class as string | null,
      errorMessage: r.error_message as string | null,
      attempts: r.attempts as number,
      lastAttemptAt: r.last_attempt_at as string | null,
    }));
  }

  /**
   * Failed and skipped transfers at every destination, newest attempt first, with the asset's
   * filename when the tracker has it (what `serve` groups by reason).
   */
  problemTransfers(): ProblemTransfer[] {
    return this.#sql.all(
      `SELECT t.destination, t.status, t.error_class, t.error_message, t.asset_id, a.filename, t.last_attempt_at
       FROM transfers t LEFT JOIN assets a USING (source, asset_id)
       WHERE t.status IN ('failed', 'skipped')
       ORDER BY t.last_attempt_at DESC`,
      {},
      (r) => ({
        destination: text(r, "destination"),
        status: text(r, "status") as ProblemTransfer["status"],
        errorClass: textOrNull(r, "error_class"),
        errorMessage: textOrNull(r, "error_message"),
        assetId: text(r, "asset_id"),
        filename: textOrNull(r, "filename"),
        lastAttemptAt: textOrNull(r, "last_attempt_at"),
      }),
    );
  }

  // -------------------------------------------------------------------------------------------
  // Plugin state

  stateGet(plugin: string, key: string): unknown {
    const row = this.#stmt(`SELECT value FROM plugin_state WHERE plugin = ? AND key = ?`).get(plugin, key) as
      | { value: string }
      | undefined;
    return row ? JSON.parse(row.value) : undefined;
  }

  stateSet(plugin: string, key: string, value: unknown): void {
    this.#stmt(
      `INSERT INTO plugin_state (plugin, key, value) VALUES (?, ?, ?)
       ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value`,
    ).run(plugin, key, JSON.stringify(value));
  }

  /** The plugin's keys that start with `prefix`. */
  stateKeys(plugin: string, prefix: string): string[] {
    const rows = this.#stmt(
      `SELECT key FROM plugin_state WHERE plugin = ? AND substr(key, 1, length(?)) = ? ORDER BY key`,
    ).all(plugin, prefix, prefix) as { key: string }[];
    return rows.map((r) => r.key);
  }

  stateDelete(plugin: string, key: string): void {
    this.#stmt(`DELETE FROM plugin_state WHERE plugin = ? AND key = ?`).run(plugin, key);
  }

  // -------------------------------------------------------------------------------------------
  // Runs and the run lock

  startRun(command: string, dryRun: boolean): number {
    const at = now();
    const r = this.#stmt(
      `INSERT INTO runs (command, pid, host, started_at, heartbeat_at, status, dry_run)
       VALUES (?, ?, ?, ?, ?, 'running', ?)`,
    ).run(command, Deno.pid, HOST, at, at, dryRun ? 1 : 0);
    return Number(r.lastInsertRowid);
  }

  /** Stores the live progress of a run (read by `serve` from another process). */
  runProgress(id: number, progress: unknown): void {
    this.#stmt(`UPDATE runs SET progress = ?, heartbeat_at = ? WHERE id = ?`).run(
      JSON.stringify(progress),
      now(),
      id,
    );
  }

  finishRun(id: number, status: "succeeded" | "failed" | "interrupted", summary: unknown): void {
    this.#stmt(`UPDATE runs SET status = ?, summary = ?, ended_at = ?, heartbeat_at = ? WHERE id = ?`).run(
      status,
      JSON.stringify(summary),
      now(),
      now(),
      id,
    );
  }

  recentRuns(limit = 10): RunRow[] {
    const rows = this.#stmt(`SELECT * FROM runs ORDER BY id DESC LIMIT ?`).all(limit) as Record<
      string,
      string | number | null
    >[];
    return rows.map((r) => {
      // A run whose process died without finishing shows as interrupted, not forever running.
      const dead = r.status === "running" && r.host === HOST &&
        !processAlive(r.pid as number, new Date(r.started_at as string));
      return {
        id: r.id as number,
        command: r.command as string,
        pid: r.pid as number,
        host: r.host as string,
        startedAt: r.started_at as string,
        heartbeatAt: r.heartbeat_at as string,
        endedAt: r.ended_at as string | null,
        status: dead ? "interrupted" : r.status as RunRow["status"],
        dryRun: r.dry_run === 1,
        progress: r.progress ? JSON.parse(r.progress as string) : null,
        summary: r.summary ? JSON.parse(r.summary as string) : null,
      };
    });
  }

  /**
   * Takes the named lock for this process. A lock held by a live process refuses with a message
   * naming it; a lock whose process is gone (same host) or whose heartbeat is older than
   * `staleAfterMs` (another host sharing the data directory) is taken over.
   */
  acquireLock(name: string, command: string, options: { staleAfterMs?: number } = {}): void {
    const staleAfterMs = options.staleAfterMs ?? 10 * 60_000;
    this.transaction(() => {
      const held = this.#stmt(`SELECT * FROM locks WHERE name = ?`).get(name) as
        | { pid: number; host: string; command: string; acquired_at: string; heartbeat_at: string }
        | undefined;
      if (held && !(held.pid === Deno.pid && held.host === HOST)) {
        const stale = held.host === HOST
          ? !processAlive(held.pid, new Date(held.acquired_at))
          : Date.now() - Date.parse(held.heartbeat_at) > staleAfterMs;
        if (!stale) {
          throw new LockedError(
            `another photos-sync is running (${held.command}, pid ${held.pid} on ${held.host}, ` +
              `since ${held.acquired_at}); wait for it to finish or stop it, then run again`,
          );
        }
      }
      const at = now();
      this.#stmt(
        `INSERT INTO locks (name, pid, host, command, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, command = excluded.command,
           acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
      ).run(name, Deno.pid, HOST, command, at, at);
    });
  }

  heartbeatLock(name: string): void {
    this.#stmt(`UPDATE locks SET heartbeat_at = ? WHERE name = ? AND pid = ? AND host = ?`).run(
      now(),
      name,
      Deno.pid,
      HOST,
    );
  }

  releaseLock(name: string): void {
    this.#stmt(`DELETE FROM locks WHERE name = ? AND pid = ? AND host = ?`).run(name, Deno.pid, HOST);
  }
}
