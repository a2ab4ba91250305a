/**
 * Reading what became of assets at a destination: each asset's state for the diff, counts,
 * problems, and the remote ids of what was imported.
 * @module
 */
import type { ErrorKind } from "../plugin/errors.ts";
import { int, intOrNull, type Row, type Sql, text, textOrNull } from "./sql.ts";

export type TransferStatus = "imported" | "failed" | "skipped";

/** A source and a destination: the pair most questions about transfers are asked for. */
export interface Ids {
  source: string;
  destination: string;
}

/** What the diff needs to know of one asset at one destination. */
export interface TransferState {
  status: TransferStatus;
  attempts: number;
  /** `policy`: skipped on purpose by the run's policy (looked at again each run). */
  errorClass: ErrorKind | "policy" | null;
  nextAttemptAt: string | null;
  sourceModifiedAt: string | null;
  /** The destination no longer has it (deleted there); not uploaded again. */
  remoteGone: boolean;
  /** What the listing showed when Photos' side last matched the agreed values (see `sync_detect.ts`). */
  syncStamp: number | null;
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

/** The columns of the rows that are not plainly imported, in order (read as arrays: one row per asset). */
type OtherRow = [
  assetId: string,
  sourceModifiedAt: string | null,
  syncStamp: number | null,
  attempts: number,
  status: TransferStatus,
  errorClass: ErrorKind | "policy" | null,
  nextAttemptAt: string | null,
  remoteGoneAt: string | null,
];
/** A plainly imported row (present at the destination, no failure since): its first four columns. */
type ImportedRow = [
  assetId: string,
  sourceModifiedAt: string | null,
  syncStamp: number | null,
  attempts: number,
];

/**
 * Every asset's state at one destination, as read in one pass: the rows are kept as SQLite gave
 * them and a {@link TransferState} is built only for an asset asked for (a sync asks once per
 * listed asset; an object per row made up front was a third of the read at 100,000 assets).
 */
export class TransferStates {
  readonly #rows: Map<string, ImportedRow | OtherRow>;

  constructor(rows: Map<string, ImportedRow | OtherRow>) {
    this.#rows = rows;
  }

  get size(): number {
    return this.#rows.size;
  }

  has(assetId: string): boolean {
    return this.#rows.has(assetId);
  }

  get(assetId: string): TransferState | undefined {
    const row = this.#rows.get(assetId);
    if (row === undefined) return undefined;
    const [, sourceModifiedAt, syncStamp, attempts] = row;
    if (row.length === 4) {
      return {
        status: "imported",
        attempts,
        errorClass: null,
        nextAttemptAt: null,
        sourceModifiedAt,
        remoteGone: false,
        syncStamp,
      };
    }
    const [, , , , status, errorClass, nextAttemptAt, gone] = row as OtherRow;
    return {
      status,
      attempts,
      errorClass,
      nextAttemptAt,
      sourceModifiedAt,
      remoteGone: gone !== null,
      syncStamp,
    };
  }

  /** The asset ids, in no particular order. */
  keys(): IterableIterator<string> {
    return this.#rows.keys();
  }

  /** How many assets are imported, present at the destination and without a sync stamp. */
  unstamped(): number {
    let n = 0;
    for (const row of this.#rows.values()) {
      if (row[2] === null && (row.length === 4 || (row[4] === "imported" && row[7] === null))) n++;
    }
    return n;
  }
}

/**
 * Every asset's state at one destination, for the diff: two queries, whatever the library size.
 * The plainly imported rows (nearly all of a synced library) are read with the four columns that
 * can differ among them, the others (failed, skipped, gone at the destination) with all. Each
 * reads the table in one sequential pass (`NOT INDEXED`): through the status index SQLite would
 * look each row up on its own, three times slower at 100,000 rows. `all()` fetches the rows in one
 * call, where `iterate()` pays one call per row.
 */
export function transferStates(sql: Sql, ids: Ids): TransferStates {
  const params = { source: ids.source, destination: ids.destination };
  const map = new Map<string, ImportedRow | OtherRow>();
  const imported = sql.allArrays<ImportedRow>(
    `SELECT asset_id, source_modified_at, sync_stamp, attempts
     FROM transfers NOT INDEXED WHERE source = $source AND destination = $destination AND ${PLAIN}`,
    params,
  );
  for (const row of imported) map.set(row[0], row);
  const others = sql.allArrays<OtherRow>(
    `SELECT asset_id, source_modified_at, sync_stamp, attempts, status, error_class, next_attempt_at,
            remote_gone_at
     FROM transfers NOT INDEXED WHERE source = $source AND destination = $destination AND NOT (${PLAIN})`,
    params,
  );
  for (const row of others) map.set(row[0], row);
  return new TransferStates(map);
}

/** A plainly imported transfer: what {@link TransferStates} reads in four columns. */
const PLAIN =
  `status = 'imported' AND remote_gone_at IS NULL AND error_class IS NULL AND next_attempt_at IS NULL`;

/** Counts by transfer status at a destination. */
export function statusCounts(sql: Sql, destination: string): Record<TransferStatus, number> {
  const counts: Record<TransferStatus, number> = { imported: 0, failed: 0, skipped: 0 };
  const rows = sql.all(
    `SELECT status, COUNT(*) AS n FROM transfers WHERE destination = $destination GROUP BY status`,
    { destination },
    (r) => ({ status: text(r, "status") as TransferStatus, n: int(r, "n") }),
  );
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

function problemRowOf(r: Row): ProblemRow {
  return {
    assetId: text(r, "asset_id"),
    filename: text(r, "filename"),
    mediaKind: text(r, "media_kind"),
    status: text(r, "status") as TransferStatus,
    errorClass: textOrNull(r, "error_class"),
    errorMessage: textOrNull(r, "error_message"),
    attempts: int(r, "attempts"),
    lastAttemptAt: textOrNull(r, "last_attempt_at"),
  };
}

/** Failed and skipped assets at a destination, newest attempt first. */
export function problems(sql: Sql, destination: string): ProblemRow[] {
  return sql.all(
    `SELECT t.asset_id, a.filename, a.media_kind, t.status, t.error_class, t.error_message, t.attempts,
            t.last_attempt_at
     FROM transfers t JOIN assets a USING (source, asset_id)
     WHERE t.destination = $destination AND t.status IN ('failed', 'skipped')
     ORDER BY t.last_attempt_at DESC`,
    { destination },
    problemRowOf,
  );
}

function problemTransferOf(r: Row): ProblemTransfer {
  return {
    destination: text(r, "destination"),
    status: text(r, "status") as ProblemTransfer["status"],
    errorClass: textOrNull(r, "error_class"),
    errorMessage: textOrNull(r, "error_message"),
    assetId: text(r, "asset_id"),
    filename: textOrNull(r, "filename"),
    lastAttemptAt: textOrNull(r, "last_attempt_at"),
  };
}

/** Failed and skipped transfers at every destination, newest attempt first. */
export function problemTransfers(sql: Sql): ProblemTransfer[] {
  return sql.all(
    `SELECT t.destination, t.status, t.error_class, t.error_message, t.asset_id, a.filename, t.last_attempt_at
     FROM transfers t LEFT JOIN assets a USING (source, asset_id)
     WHERE t.status IN ('failed', 'skipped')
     ORDER BY t.last_attempt_at DESC`,
    {},
    problemTransferOf,
  );
}

// The resource that represents an asset at a destination: its id there is the asset's id.
const PRIMARY_RESOURCE = `JOIN resources r ON r.source = t.source AND r.asset_id = t.asset_id
  AND r.destination = t.destination AND r.key = COALESCE(t.primary_key, 'original')`;

/** Primary remote ids of every imported asset at a destination that is not known to be gone there. */
export function importedRemoteIds(sql: Sql, ids: Ids): { assetId: string; remoteId: string }[] {
  return sql.all(
    `SELECT t.asset_id, r.remote_id FROM transfers t ${PRIMARY_RESOURCE}
     WHERE t.source = $source AND t.destination = $destination AND t.status = 'imported'
       AND t.remote_gone_at IS NULL`,
    { source: ids.source, destination: ids.destination },
    (r) => ({ assetId: text(r, "asset_id"), remoteId: text(r, "remote_id") }),
  );
}

/** The remote id that represents an asset at a destination (its primary resource's). */
export function primaryRemoteId(sql: Sql, ids: Ids, assetId: string): string | undefined {
  return sql.get(
    `SELECT r.remote_id FROM transfers t ${PRIMARY_RESOURCE}
     WHERE t.source = $source AND t.asset_id = $asset_id AND t.destination = $destination`,
    { source: ids.source, asset_id: assetId, destination: ids.destination },
    (r) => text(r, "remote_id"),
  );
}

/** Remote ids by resource key for one asset at one destination. */
export function remoteIds(sql: Sql, ids: Ids, assetId: string): Record<string, string> {
  const rows = sql.all(
    `SELECT key, remote_id FROM resources WHERE source = $source AND asset_id = $asset_id AND destination = $destination`,
    { source: ids.source, asset_id: assetId, destination: ids.destination },
    (r) => [text(r, "key"), text(r, "remote_id")] as const,
  );
  return Object.fromEntries(rows);
}

/** Remote ids (primary resource) of up to `limit` random assets recorded as imported at `destination`. */
export function sampleRemoteIds(sql: Sql, destination: string, limit: number): string[] {
  // Random row ids first: a few lookups, where ordering every imported row at random costs a pass
  // over the table (50 to 400 ms at 100,000 assets, at every run's start). A tracker whose rows are
  // mostly elsewhere (other destinations, failures) misses and falls back to that pass.
  const last = sql.get(`SELECT max(rowid) AS n FROM transfers`, {}, (r) => intOrNull(r, "n")) ?? null;
  if (last !== null && last > 0) {
    const picks = new Set<number>();
    while (picks.size < Math.min(4 * limit, last)) picks.add(1 + Math.floor(Math.random() * last));
    const found = sql.all(
      `SELECT r.remote_id FROM transfers t ${PRIMARY_RESOURCE}
       WHERE t.rowid IN (SELECT value FROM json_each($picks)) AND t.destination = $destination
         AND t.status = 'imported' AND t.remote_gone_at IS NULL
       LIMIT $limit`,
      { destination, limit, picks: JSON.stringify([...picks]) },
      (r) => text(r, "remote_id"),
    );
    if (found.length === limit) return found;
  }
  return sql.all(
    // The sample is drawn from the transfers alone, then joined: joining every row first costs a lookup
    // per asset of the library.
    `SELECT r.remote_id FROM (
       SELECT * FROM transfers WHERE destination = $destination AND status = 'imported' AND remote_gone_at IS NULL
       ORDER BY random() LIMIT $limit) t ${PRIMARY_RESOURCE}`,
    { destination, limit },
    (r) => text(r, "remote_id"),
  );
}

/** How many assets the tracker holds as imported at `destination` and not deleted there. */
export function importedCount(sql: Sql, destination: string): number {
  return sql.get(
    `SELECT COUNT(*) AS n FROM transfers
     WHERE destination = $destination AND status = 'imported' AND remote_gone_at IS NULL`,
    { destination },
    (r) => int(r, "n"),
  )!;
}

/** How many assets have a transfer of any status at `destination`. */
export function transferCount(sql: Sql, destination: string): number {
  return sql.get(
    `SELECT COUNT(*) AS n FROM transfers WHERE destination = $destination`,
    { destination },
    (r) => int(r, "n"),
  )!;
}

/** An asset the tracker knows that a complete listing of its source did not hold. */
export interface MissingAsset {
  assetId: string;
  /** Its primary resource's id at the destination, when it has one there. */
  remoteId: string | null;
  goneAt: string | null;
}

/**
 * Assets of a source that the tracker knows and that were not in a complete listing (`seen`),
 * with their remote id (primary resource) at the destination when they have one. `among` limits
 * the candidates to ids the caller already holds (sync: those with a transfer to the destination).
 */
export function missingFromSource(
  sql: Sql,
  ids: Ids,
  seen: Set<string>,
  among?: Iterable<string>,
): MissingAsset[] {
  // One narrow scan (or the caller's ids), then a lookup per missing asset: a no-op sync has none.
  const missing: MissingAsset[] = [];
  if (among) {
    for (const assetId of among) {
      if (seen.has(assetId)) continue;
      const goneAt = sql.get(
        `SELECT gone_at FROM assets WHERE source = $source AND asset_id = $asset_id`,
        { source: ids.source, asset_id: assetId },
        (r) => textOrNull(r, "gone_at"),
      );
      missing.push({ assetId, goneAt: goneAt ?? null, remoteId: null });
    }
  } else {
    const rows = sql.allArrays<[string, string | null]>(
      `SELECT asset_id, gone_at FROM assets WHERE source = $source`,
      { source: ids.source },
    );
    for (const [assetId, goneAt] of rows) {
      if (!seen.has(assetId)) missing.push({ assetId, goneAt, remoteId: null });
    }
  }
  for (const m of missing) {
    m.remoteId = sql.get(
      `SELECT r.remote_id FROM transfers t ${PRIMARY_RESOURCE}
       WHERE t.source = $source AND t.asset_id = $asset_id AND t.destination = $destination
         AND t.remote_gone_at IS NULL`,
      { source: ids.source, asset_id: m.assetId, destination: ids.destination },
      (r) => text(r, "remote_id"),
    ) ?? null;
  }
  return missing;
}
