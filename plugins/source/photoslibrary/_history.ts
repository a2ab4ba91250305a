/**
 * The library's own change history, as the source's `history()`: Core Data's persistent history,
 * which Photos keeps in the library (`ATRANSACTION`, one row per save; `ACHANGE`, one row per
 * object inserted, updated or deleted by it, naming the object's entity by its `Z_PRIMARYKEY`
 * number). The reader never writes, so it keeps no cursor of its own: the token names the last
 * transaction it saw (the store's UUID, its `Z_PK` and its timestamp).
 *
 * The answer is coarse on purpose: no change at all to a table a listing reads is `[]`, anything
 * else is `all` (the engine then compares every listed asset, as without a history). Which assets
 * an update touched would need Core Data's model (which column each `ZCOLUMNS` bit names), which the
 * library does not carry; telling "nothing that matters changed" apart is what saves a listing.
 *
 * `all` too whenever the history cannot vouch for the window: no history tables, another store,
 * the token's transaction gone or rewritten (history purged, the library restored from a backup),
 * or a gap after it.
 *
 * @example
 * ```ts
 * const { changed, token } = readHistory(openPhotosDatabase(path), savedToken);
 * if (changed !== "all" && changed.length === 0) console.log("nothing changed since", savedToken);
 * ```
 * @module
 */
import type { PhotosDatabase } from "./_database.ts";

/**
 * The entity tables a listing (`readAssets`) and `readAlbums` read, every schema together. The
 * join tables (`Z_1KEYWORDS`, `Z_33ASSETS`) are not here: Core Data records a change of a
 * many-to-many relationship on the objects it joins. `history_test.ts` checks this against the
 * statements the reader prepares on every shared library, so a new join cannot go unlisted.
 */
export const LISTING_TABLES: ReadonlySet<string> = new Set([
  "ZADDITIONALASSETATTRIBUTES",
  "ZASSET",
  "ZASSETCONTRIBUTOR",
  "ZASSETDESCRIPTION",
  "ZDETECTEDFACE",
  "ZEXTENDEDATTRIBUTES",
  "ZFILESYSTEMBOOKMARK",
  "ZFILESYSTEMVOLUME",
  "ZGENERICALBUM",
  "ZGENERICASSET",
  "ZINTERNALRESOURCE",
  "ZKEYWORD",
  "ZMOMENTSHARE",
  "ZPERSON",
  "ZSHAREPARTICIPANT",
  "ZUNIFORMTYPEIDENTIFIER",
]);

/** The source's history answer (see `SourceSession.history`). */
export interface HistoryAnswer {
  changed: string[] | "all";
  token: string;
}

/** Token of a library without history tables: every run compares everything. */
const NO_HISTORY = "none";

/** What changed, for a listing, since the transaction `since` names; and the token of the last one now. */
export function readHistory(database: PhotosDatabase, since: string | undefined): HistoryAnswer {
  const { db } = database;
  const tables = new Set(
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => String(r.name)),
  );
  if (!tables.has("ATRANSACTION") || !tables.has("ACHANGE") || !tables.has("Z_PRIMARYKEY")) {
    return { changed: "all", token: NO_HISTORY };
  }
  // One snapshot: the last transaction and what came after the token's are read together.
  const own = !db.isTransaction;
  if (own) db.exec("BEGIN");
  try {
    const store = storeOf(db);
    const last = db.prepare("SELECT Z_PK, ZTIMESTAMP FROM ATRANSACTION ORDER BY Z_PK DESC LIMIT 1").get();
    const token = last ? tokenOf(store, Number(last.Z_PK), last.ZTIMESTAMP) : tokenOf(store, 0, null);
    return { changed: since === undefined ? "all" : changedSince(db, tables, store, since), token };
  } finally {
    if (own && db.isTransaction) db.exec("COMMIT");
  }
}

function changedSince(
  db: PhotosDatabase["db"],
  present: Set<string>,
  store: string,
  since: string,
): [] | "all" {
  const seen = parseToken(since);
  if (!seen || seen.store !== store) return "all";
  if (seen.pk > 0) {
    // The token's own transaction, as it was: else history was purged past it or the file replaced.
    const row = db.prepare("SELECT ZTIMESTAMP FROM ATRANSACTION WHERE Z_PK = ?").get(seen.pk);
    if (!row || String(row.ZTIMESTAMP) !== seen.timestamp) return "all";
  }
  const after = db.prepare(
    "SELECT count(*) AS n, min(Z_PK) AS first, max(Z_PK) AS last FROM ATRANSACTION WHERE Z_PK > ?",
  )
    .get(seen.pk) as { n: number; first: number | null; last: number | null };
  if (after.n === 0) return [];
  // Transactions are numbered one after another; a gap is history that was purged.
  if (after.first !== seen.pk + 1 || after.last! - after.first + 1 !== after.n) return "all";
  const tables = entityTables(db);
  const entities = db.prepare("SELECT DISTINCT ZENTITY FROM ACHANGE WHERE ZTRANSACTIONID > ?").all(seen.pk);
  for (const { ZENTITY } of entities) {
    const table = tables.get(Number(ZENTITY));
    // An entity Z_PRIMARYKEY does not name, or whose table is gone, is taken to matter.
    if (table === undefined || !present.has(table) || LISTING_TABLES.has(table)) return "all";
  }
  return [];
}

/** Each entity's table: `Z` and its root entity's name in capitals (sub-entities share the root's). */
function entityTables(db: PhotosDatabase["db"]): Map<number, string> {
  const rows = db.prepare("SELECT Z_ENT, Z_NAME, Z_SUPER FROM Z_PRIMARYKEY").all();
  const byNumber = new Map(
    rows.map((r) => [Number(r.Z_ENT), { name: String(r.Z_NAME), parent: Number(r.Z_SUPER) }]),
  );
  const tables = new Map<number, string>();
  for (const [ent] of byNumber) {
    let entity = byNumber.get(ent);
    // Bounded: a damaged table whose parents loop ends unnamed, and so matters.
    for (let depth = 0; entity && entity.parent !== 0 && depth < byNumber.size; depth++) {
      entity = byNumber.get(entity.parent);
    }
    if (entity && entity.parent === 0) tables.set(ent, `Z${entity.name.toUpperCase()}`);
  }
  return tables;
}

function storeOf(db: PhotosDatabase["db"]): string {
  const row = db.prepare("SELECT Z_UUID FROM Z_METADATA ORDER BY Z_VERSION DESC LIMIT 1").get();
  return String(row?.Z_UUID ?? "");
}

/** `coredata:<store UUID>:<transaction Z_PK>:<its timestamp>`; the timestamp as SQLite prints it. */
function tokenOf(store: string, pk: number, timestamp: unknown): string {
  return `coredata:${store}:${pk}:${timestamp === null || timestamp === undefined ? "" : String(timestamp)}`;
}

function parseToken(token: string): { store: string; pk: number; timestamp: string } | undefined {
  const match = /^coredata:([^:]*):(\d+):(.*)$/.exec(token);
  return match ? { store: match[1], pk: Number(match[2]), timestamp: match[3] } : undefined;
}
