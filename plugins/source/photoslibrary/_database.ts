/**
 * Opens a library's `database/Photos.sqlite` strictly read-only and learns its shape from the
 * catalogue instead of a table of macOS versions: the asset table (ZASSET, or ZGENERICASSET on
 * 10.15), the album and keyword join tables (named after Core Data entity numbers that change
 * with nearly every release) and which optional columns exist.
 *
 * @example
 * ```ts
 * const { db, schema } = openPhotosDatabase("/Users/me/Pictures/Photos Library.photoslibrary");
 * ```
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../../../core/plugin/errors.ts";

/** A many-to-many join table and the two columns that matter. */
export interface JoinTable {
  table: string;
  /** Column holding the Z_PK of the owner (album, or attributes row for keywords). */
  owner: string;
  /** Column holding the Z_PK of the member (asset, or keyword). */
  member: string;
}

/** What this library's database looks like. */
export interface LibrarySchema {
  /** `ZASSET` (macOS 11+) or `ZGENERICASSET` (10.15). */
  assetTable: string;
  /** Column names per table, for tables the reader looks at. */
  columns: Map<string, Set<string>>;
  /** Album membership (`Z_33ASSETS(Z_33ALBUMS, Z_3ASSETS)` on 26.1); absent if none found. */
  albumJoin?: JoinTable;
  /** Keyword assignment (`Z_1KEYWORDS(Z_1ASSETATTRIBUTES, Z_52KEYWORDS)` on 26.1). */
  keywordJoin?: JoinTable;
}

/** An open library database and its shape. */
export interface PhotosDatabase {
  db: DatabaseSync;
  schema: LibrarySchema;
  /** Absolute path of the `.photoslibrary` bundle. */
  library: string;
}

/** SQLite waits this long for a lock; WAL readers are only blocked by exclusive writers. */
const BUSY_TIMEOUT_MS = 1000;

/**
 * Opens `<library>/database/Photos.sqlite` read-only (the WAL stays readable) and discovers its
 * schema. Every failure is a {@link ConfigError} that says what is wrong and what to do.
 *
 * @example
 * ```ts
 * const { db, schema } = openPhotosDatabase("/Volumes/Photos/Family.photoslibrary");
 * schema.assetTable; // "ZASSET"
 * ```
 */
export function openPhotosDatabase(library: string): PhotosDatabase {
  const hint = "Set --library (or PHOTOS_SYNC_LIBRARY) to the library bundle, e.g. " +
    '"~/Pictures/Photos Library.photoslibrary".';
  const kind = statKind(library);
  if (kind === "missing") {
    throw new ConfigError(`Photos library not found: ${library} does not exist. ${hint}`);
  }
  if (kind === "denied") {
    throw new ConfigError(
      `cannot read the Photos library ${library}: permission denied. On macOS, give the terminal (or ` +
        "this program) Full Disk Access in System Settings > Privacy & Security, then try again.",
    );
  }
  if (kind !== "directory") {
    throw new ConfigError(
      `${library} is a file, not a Photos library bundle (a .photoslibrary folder). ${hint}`,
    );
  }
  const path = join(library, "database", "Photos.sqlite");
  if (statKind(path) !== "file") {
    if (statKind(join(library, "database", "photos.db")) === "file") {
      throw new ConfigError(
        `${library} was made by Photos 4 or older (macOS 10.14 or earlier): it has database/photos.db ` +
          "but no database/Photos.sqlite. Open it once in a current Photos to upgrade it, then try again.",
      );
    }
    throw new ConfigError(
      `${library} is not a Photos library: database/Photos.sqlite is missing. Point --library at the ` +
        ".photoslibrary bundle itself, not a folder inside or above it.",
    );
  }

  let db: DatabaseSync | undefined;
  try {
    // readOnly: SQLite never writes the database or the WAL; it may create an empty -wal/-shm
    // when they are absent, as any reader (Photos included) does.
    db = new DatabaseSync(path, { readOnly: true });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const schema = discoverSchema(db, path);
    return { db, schema, library };
  } catch (error) {
    db?.close();
    if (error instanceof ConfigError) throw error;
    throw sqliteConfigError(error, path);
  }
}

function statKind(path: string): "missing" | "denied" | "directory" | "file" | "other" {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? "directory" : stat.isFile() ? "file" : "other";
  } catch (error) {
    const code = (error as { code?: string }).code;
    return code === "EACCES" || code === "EPERM" ? "denied" : "missing";
  }
}

/** Turns an SQLite failure while opening into advice; primary result codes are the low byte. */
function sqliteConfigError(error: unknown, path: string): ConfigError {
  const raw = (error as { errcode?: unknown }).errcode;
  const code = typeof raw === "number" ? raw & 0xff : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const options = { cause: error };
  if (code === 5 || code === 6) {
    return new ConfigError(
      `${path} is locked by another program (${detail}). Quit Photos or wait until it finishes, then try again.`,
      options,
    );
  }
  if (code === 26 || code === 11) {
    return new ConfigError(
      `${path} is damaged or not an SQLite database (${detail}). Repair the library (hold Option and ` +
        "Command while opening Photos) or restore it from a backup, then try again.",
      options,
    );
  }
  return new ConfigError(
    `cannot read ${path} (${detail}). Check that the library is readable and not in use, then try again.`,
    options,
  );
}

function discoverSchema(db: DatabaseSync, path: string): LibrarySchema {
  const tables = new Set(
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => String(r.name)),
  );
  const assetTable = ["ZASSET", "ZGENERICASSET"].find((t) => tables.has(t));
  if (!assetTable) {
    throw new ConfigError(
      `${path} is an SQLite database but not a Photos library's: it has no ZASSET or ZGENERICASSET ` +
        "table. Point --library at a .photoslibrary bundle made by Photos 5 or later (macOS 10.15+).",
    );
  }
  const columns = new Map<string, Set<string>>();
  const columnsOf = (table: string) => {
    let set = columns.get(table);
    if (!set) {
      const rows = tables.has(table) ? db.prepare("SELECT name FROM pragma_table_info(?)").all(table) : [];
      set = new Set(rows.map((r) => String(r.name)));
      columns.set(table, set);
    }
    return set;
  };
  for (const table of [assetTable, "ZADDITIONALASSETATTRIBUTES", "ZASSETDESCRIPTION", "ZINTERNALRESOURCE"]) {
    columnsOf(table);
  }

  // Entity numbers name the join tables; Z_PRIMARYKEY says which number is the Album entity.
  const entities = new Map<string, number>();
  if (tables.has("Z_PRIMARYKEY")) {
    for (const row of db.prepare("SELECT Z_ENT, Z_NAME FROM Z_PRIMARYKEY").all()) {
      entities.set(String(row.Z_NAME), Number(row.Z_ENT));
    }
  }
  const albumTables = [...tables].filter((t) => /^Z_\d+ASSETS$/.test(t));
  const albumTable = albumTables.length === 1
    ? albumTables[0]
    : albumTables.find((t) => t === `Z_${entities.get("Album")}ASSETS`);
  const albumJoin = albumTable
    ? joinOf(albumTable, { columns: columnsOf(albumTable), owner: /^Z_\d+ALBUMS$/, member: /^Z_\d+ASSETS$/ })
    : undefined;
  const keywordTable = [...tables].find((t) => /^Z_\d+KEYWORDS$/.test(t));
  const keywordJoin = keywordTable && tables.has("ZKEYWORD")
    ? joinOf(keywordTable, {
      columns: columnsOf(keywordTable),
      owner: /^Z_\d+ASSETATTRIBUTES$/,
      member: /^Z_\d+KEYWORDS$/,
    })
    : undefined;
  return { assetTable, columns, albumJoin, keywordJoin };
}

/** The join table's owner and member columns, found by pattern because their numbers vary. */
function joinOf(
  table: string,
  { columns, owner, member }: { columns: Set<string>; owner: RegExp; member: RegExp },
): JoinTable | undefined {
  const ownerColumn = [...columns].find((c) => owner.test(c));
  const memberColumn = [...columns].find((c) => member.test(c));
  return ownerColumn && memberColumn ? { table, owner: ownerColumn, member: memberColumn } : undefined;
}
