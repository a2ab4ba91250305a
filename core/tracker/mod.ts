/**
 * The tracker: a SQLite database that maps every source asset to what it became at each
 * destination. Writes for one asset happen in one transaction, only after the destination
 * confirmed; updates name the columns they change and leave every other column alone.
 *
 * {@link Tracker} is the one entry point; each concern's SQL lives in its own file of this folder
 * (transfers, record, classification, stacks, sidecars, plugin_state, runs, backup...) and the
 * class hands each call to it.
 *
 * @example
 * ```ts
 * const tracker = Tracker.open(`${dataDir}/tracker.db`);
 * try { tracker.transfers("photoslibrary", "folder"); } finally { tracker.close(); }
 * ```
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import type { Asset } from "../model/asset.ts";
import type { ExportedGroup, Plan } from "../model/plan.ts";
import type { ErrorKind } from "../plugin/errors.ts";
import { ConfigError } from "../plugin/errors.ts";
import type { RemoteRef } from "../plugin/types.ts";
import * as classifications from "./classification.ts";
import { MIGRATIONS } from "./migrations.ts";
import {
  busyMessage,
  checkIntact,
  createPrivately,
  isBusy,
  lockHolder,
  probeWriteLock,
  readOnlyMessage,
  removeSeal,
  sealedCheck,
  unwritableFolder,
  writeLockHolder,
  writeSeal,
} from "./open_check.ts";
import type { EndStatus } from "./owner.ts";
import * as pluginState from "./plugin_state.ts";
import * as record from "./record.ts";
import * as runs from "./runs.ts";
import { LockedError } from "./runs.ts";
import * as sidecars from "./sidecars.ts";
import { attachSql, int, Sql } from "./sql.ts";
import * as stacks from "./stacks.ts";
import * as transfers from "./transfers.ts";

export { type Classification, incompleteAt } from "./classification.ts";
export { type EndStatus, type OwnerState, ownerState, processAlive, type RunStatus } from "./owner.ts";
export { LockedError, type RunRow } from "./runs.ts";
export type { StoredSidecar } from "./sidecars.ts";
export type { StackMember } from "./stacks.ts";
export type {
  MissingAsset,
  ProblemRow,
  ProblemTransfer,
  TransferState,
  TransferStates,
  TransferStatus,
} from "./transfers.ts";

type Ids = transfers.Ids;

export class Tracker {
  readonly #db: DatabaseSync;
  readonly #sql: Sql;
  /** Where a writable connection seals the file on close (see `Seal`), and when it last passed the check. */
  #seal?: { path: string; checkedAt: number };
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
    // Looked at before SQLite opens the file, so only another connection's -wal file can be there.
    let checkedAt = sealedCheck(path);
    try {
      db = new DatabaseSync(path, { readOnly: options.readOnly ?? false });
      db.exec(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 10000}`);
      if (checkedAt === undefined) {
        checkIntact(db, path);
        checkedAt = Date.now();
      }
      if (!options.readOnly) {
        db.exec("PRAGMA journal_mode = WAL");
        db.exec("PRAGMA synchronous = NORMAL");
        db.exec("PRAGMA foreign_keys = ON");
      }
    } catch (e) {
      db?.close();
      removeSeal(path); // an open that failed is checked in full next time, whatever the reason
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
      removeSeal(path);
      if (isBusy(e)) throw new LockedError(busyMessage(path, holder));
      const readOnly = readOnlyMessage(path, e);
      throw readOnly ? new ConfigError(readOnly) : e;
    }
    if (!options.readOnly) tracker.#seal = { path, checkedAt };
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
    return this.#sql.get("PRAGMA data_version", {}, (r) => int(r, "data_version"))!;
  }

  get schemaVersion(): number {
    return this.#sql.get("PRAGMA user_version", {}, (r) => int(r, "user_version"))!;
  }

  /** Closes the connection; a writable one then seals the file, so the next open can skip the check. */
  close(): void {
    this.#db.close();
    if (!this.#seal) return;
    // After SQLite said the file is damaged, the next open checks it in full and says so.
    if (this.#sql.damageSeen) removeSeal(this.#seal.path);
    else writeSeal(this.#seal.path, this.#seal.checkedAt);
  }

  /** Runs `fn` in one immediate transaction; rolls back if it throws. */
  transaction<T>(fn: () => T): T {
    return this.#sql.transaction(fn);
  }

  /** Writes a consistent copy of the database to `path` while it stays in use (`VACUUM INTO`). */
  snapshotTo(path: string): void {
    this.#sql.run(`VACUUM INTO $path`, { path });
  }

  /** The ids a write records an asset under: the pair, and the library bound to its source. */
  #withLibrary(ids: Ids): Ids & { libraryId?: string } {
    return { ...ids, libraryId: this.libraryIds.get(ids.source) };
  }

  // Reading transfers (transfers.ts)

  /** Every asset's state at one destination, for the diff: one query, whatever the library size. */
  transfers(source: string, destination: string): transfers.TransferStates {
    return transfers.transferStates(this.#sql, { source, destination });
  }

  /** Counts by transfer status at a destination. */
  statusCounts(destination: string): Record<transfers.TransferStatus, number> {
    return transfers.statusCounts(this.#sql, destination);
  }

  /** Failed and skipped assets at a destination, newest attempt first. */
  problems(destination: string): transfers.ProblemRow[] {
    return transfers.problems(this.#sql, destination);
  }

  /** Failed and skipped transfers at every destination, newest attempt first (what `serve` groups). */
  problemTransfers(): transfers.ProblemTransfer[] {
    return transfers.problemTransfers(this.#sql);
  }

  /** Primary remote ids of every imported asset at a destination that is not known to be gone there. */
  importedRemoteIds(ids: Ids): { assetId: string; remoteId: string }[] {
    return transfers.importedRemoteIds(this.#sql, ids);
  }

  /** The remote id that represents an asset at a destination (its primary resource's). */
  primaryRemoteId(ids: Ids, assetId: string): string | undefined {
    return transfers.primaryRemoteId(this.#sql, ids, assetId);
  }

  /** Remote ids by resource key for one asset at one destination. */
  remoteIds(ids: Ids, assetId: string): Record<string, string> {
    return transfers.remoteIds(this.#sql, ids, assetId);
  }

  /** Remote ids (primary resource) of up to `limit` random assets recorded as imported at `destination`. */
  sampleRemoteIds(destination: string, limit: number): string[] {
    return transfers.sampleRemoteIds(this.#sql, destination, limit);
  }

  /** How many assets are recorded as imported at `destination` and not deleted there. */
  importedCount(destination: string): number {
    return transfers.importedCount(this.#sql, destination);
  }

  /** How many assets have a transfer of any status at `destination`. */
  transferCount(destination: string): number {
    return transfers.transferCount(this.#sql, destination);
  }

  /** Known assets of a source that a complete listing (`seen`) did not hold; see {@link transfers.missingFromSource}. */
  missingFromSource(
    source: string,
    destination: string,
    seen: Set<string>,
    options: { among?: Iterable<string> } = {},
  ): transfers.MissingAsset[] {
    return transfers.missingFromSource(this.#sql, { source, destination }, seen, options.among);
  }

  // Recording (record.ts)

  /** Records a confirmed put: the asset, its transfer, every remote resource and its albums, at once. */
  recordImported(ids: Ids, group: ExportedGroup, remote: RemoteRef[]): void {
    record.recordImported(this.#sql, this.#withLibrary(ids), group, remote);
  }

  /** Records a failed attempt; an asset already imported stays imported. */
  recordFailure(
    ids: Ids,
    asset: Asset,
    failure: { kind: ErrorKind; message: string; nextAttemptAt: string | null; skipped?: boolean },
  ): void {
    record.recordFailure(this.#sql, this.#withLibrary(ids), asset, failure);
  }

  /** Records that the run's policy leaves an asset out (looked at again every run). */
  recordSkipped(ids: Ids, asset: Asset, reason: string): void {
    record.recordSkipped(this.#sql, this.#withLibrary(ids), asset, reason);
  }

  /** Records metadata that sync pushed; only the columns of the fields given change. */
  recordSynced(
    ids: Ids,
    asset: Asset,
    pushed: { favorite?: boolean; hidden?: boolean; capturedAt?: string | null },
  ): void {
    record.recordSynced(this.#sql, this.#withLibrary(ids), asset, pushed);
  }

  /** Marks assets as gone from the source (kept at every destination). */
  markGone(source: string, assetIds: string[]): void {
    record.markGone(this.#sql, source, assetIds);
  }

  /** Marks assets as no longer at the destination (deleted there), so they are not sent again. */
  markRemoteGone(ids: Ids, assetIds: string[]): void {
    record.markRemoteGone(this.#sql, ids, assetIds);
  }

  /** Forgets what was recorded at one destination, so the next import sends everything again. */
  forgetDestination(destination: string): number {
    return record.forgetDestination(this.#sql, destination);
  }

  // Classification, stacks and sidecars

  /** What the tracker believes about each imported asset's type and completeness (for reclassify). */
  classification(ids: Ids): Map<string, classifications.Classification> {
    return classifications.classification(this.#sql, ids);
  }

  /** Stores a fresh reading of an asset's type and plan; status and ids stay as they are. */
  updateClassification(ids: Ids, asset: Asset, plan: Plan): void {
    classifications.updateClassification(this.#sql, this.#withLibrary(ids), asset, plan);
  }

  /** The imported members of a stack that spans assets, at one destination, primary first. */
  stackMembers(ids: Ids, group: string): stacks.StackMember[] {
    return stacks.stackMembers(this.#sql, ids, group);
  }

  /** The stacks with a member recorded but not yet known to be stacked (see {@link stacked}). */
  pendingStacks(ids: Ids): string[] {
    return stacks.pendingStacks(this.#sql, ids);
  }

  /** Notes that these members of a stack are stacked at the destination (or need not be). */
  stacked(ids: Ids, group: string, assetIds: string[]): void {
    stacks.stacked(this.#sql, ids, group, assetIds);
  }

  /** Records which sidecars of an asset the sidecar store holds, by SHA-1. */
  recordSidecars(source: string, assetId: string, stored: sidecars.StoredSidecar[]): void {
    sidecars.recordSidecars(this.#sql, source, assetId, stored);
  }

  /** The stored sidecars of one asset, by key. */
  sidecars(source: string, assetId: string): sidecars.StoredSidecar[] {
    return sidecars.sidecars(this.#sql, source, assetId);
  }

  // Plugin state

  stateGet(plugin: string, key: string): unknown {
    return pluginState.stateGet(this.#sql, plugin, key);
  }

  stateSet(plugin: string, key: string, value: unknown): void {
    pluginState.stateSet(this.#sql, plugin, key, value);
  }

  /** The plugin's keys that start with `prefix`. */
  stateKeys(plugin: string, prefix: string): string[] {
    return pluginState.stateKeys(this.#sql, plugin, prefix);
  }

  stateDelete(plugin: string, key: string): void {
    pluginState.stateDelete(this.#sql, plugin, key);
  }

  // Runs and the run lock (runs.ts)

  startRun(command: string, dryRun: boolean): number {
    return runs.startRun(this.#sql, command, dryRun);
  }

  /** Stores the live progress of a run (read by `serve` from another process). */
  runProgress(id: number, progress: unknown): void {
    runs.runProgress(this.#sql, id, progress);
  }

  finishRun(id: number, status: EndStatus, summary: unknown): void {
    runs.finishRun(this.#sql, id, status, summary);
  }

  recentRuns(limit = 10): runs.RunRow[] {
    return runs.recentRuns(this.#sql, limit);
  }

  /**
   * Takes the named lock for this process; refuses (LockedError) while a live process holds it.
   * A holder that is gone, or silent for `staleAfterMs` on another host, is taken over.
   */
  acquireLock(name: string, command: string, options: { staleAfterMs?: number } = {}): void {
    runs.acquireLock(this.#sql, name, command, options.staleAfterMs ?? 10 * 60_000);
  }

  heartbeatLock(name: string): void {
    runs.heartbeatLock(this.#sql, name);
  }

  releaseLock(name: string): void {
    runs.releaseLock(this.#sql, name);
  }
}
