/**
 * Opens a library's `database/Photos.sqlite` strictly read-only and learns its shape from the
 * catalogue instead of a table of macOS versions: the asset table (ZASSET, or ZGENERICASSET on
 * 10.15), the album and keyword join tables (named after Core Data entity numbers that change
 * with nearly every release), which optional columns exist and under which name (the edited flag,
 * HDR, depth and spatial columns were renamed or added over the years).
 *
 * @example
 * ```ts
 * const { db, schema } = openPhotosDatabase("/Users/me/Pictures/Photos Library.photoslibrary");
 * schema.assetTable; // "ZASSET"
 * ```
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { joinPath } from "../../../core/model/path.ts";
import { ConfigError } from "../../../core/plugin/errors.ts";
import { decodeBinaryPlist } from "./_bplist.ts";

/** A many-to-many join table and the columns that matter. */
export interface JoinTable {
  table: string;
  /** Column holding the Z_PK of the owner (album, or attributes row for keywords). */
  owner: string;
  /** Column holding the Z_PK of the member (asset, or keyword). */
  member: string;
  /** Column holding the member's manual position (`Z_FOK_…`), if any. */
  order?: string;
}

/** What this library's database looks like. */
export interface LibrarySchema {
  /** Core Data model version (`PLModelVersion` in `Z_METADATA`), when readable. */
  modelVersion?: number;
  /** `ZASSET` (macOS 11+) or `ZGENERICASSET` (10.15). */
  assetTable: string;
  /** Core Data entity number of the asset rows (3 from macOS 11 on, 34 on 10.15). */
  assetEntity?: number;
  /** Column names per table, for tables the reader looks at. */
  columns: Map<string, Set<string>>;
  /** Album membership (`Z_33ASSETS(Z_33ALBUMS, Z_3ASSETS)` on 26.1); absent if none found. */
  albumJoin?: JoinTable;
  /** Keyword assignment (`Z_1KEYWORDS(Z_1ASSETATTRIBUTES, Z_52KEYWORDS)` on 26.1). */
  keywordJoin?: JoinTable;
  /** The asset columns that carry facts whose column changed name over the releases. */
  facts: {
    /** `ZADJUSTMENTSSTATE` (15+) or `ZHASADJUSTMENTS`. */
    edited?: string;
    /** `ZHDRTYPE` (12+) or `ZCUSTOMRENDEREDVALUE` (10.15, 11: EXIF CustomRendered values). */
    hdr?: string;
    /** `ZDEPTHTYPE` (11+) or `ZDEPTHSTATES` (10.15). */
    depth?: string;
    /** `ZSPATIALTYPE` (14.6+). */
    spatial?: string;
  };
  /**
   * How resources name their type: `compact` (`ZCOMPACTUTI` codes, 12+) or `table` (a foreign
   * key to `ZUNIFORMTYPEIDENTIFIER`, 10.15 and 11).
   */
  resourceUti?: "compact" | "table";
  /** Whether referenced files can be located through bookmark and volume tables. */
  bookmarks: boolean;
}

/** An open library database and its shape. */
export interface PhotosDatabase {
  db: DatabaseSync;
  schema: LibrarySchema;
  /** Absolute path of the `.photoslibrary` bundle, where the media files are resolved. */
  library: string;
  /** Absolute path of the database file that was opened. */
  database: string;
  /**
   * True when the database had no write-ahead log and was opened as immutable, so that reading
   * creates no file in the bundle (see {@link openPhotosDatabase}).
   */
  immutable: boolean;
}

/** Options of {@link openPhotosDatabase}. */
export interface OpenOptions {
  /**
   * The `Photos.sqlite` to read, if not the bundle's own (default
   * `<library>/database/Photos.sqlite`). Tests read a copy of a database while resolving media
   * files in the original bundle.
   */
  database?: string;
}

/** SQLite waits this long for a lock; WAL readers are only blocked by exclusive writers. */
const BUSY_TIMEOUT_MS = 1000;

/**
 * Opens the library's database read-only and discovers its schema. Every failure is a
 * {@link ConfigError} that says what is wrong and what to do.
 *
 * Nothing in the bundle is written: with a `Photos.sqlite-wal` present (Photos running, or
 * quit without merging), SQLite reads through the log and at most refreshes the shared-memory
 * index `-shm` as every reader does, Photos included; without one, the file is opened as
 * immutable, so no empty log is created either.
 *
 * @example
 * ```ts
 * const { db, schema } = openPhotosDatabase("/Volumes/Photos/Family.photoslibrary");
 * schema.assetTable; // "ZASSET"
 * ```
 */
export function openPhotosDatabase(library: string, options: OpenOptions = {}): PhotosDatabase {
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
  const path = options.database ?? joinPath(library, "database", "Photos.sqlite");
  if (statKind(path) !== "file") {
    if (statKind(joinPath(library, "database", "photos.db")) === "file") {
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

  // No log means no writer has the database open: immutable reads create no -wal/-shm files.
  const immutable = statKind(`${path}-wal`) === "missing";
  let db: DatabaseSync | undefined;
  try {
    db = immutable
      ? new DatabaseSync(`file:${encodeURI(path).replaceAll("?", "%3F")}?immutable=1`, { readOnly: true })
      : new DatabaseSync(path, { readOnly: true });
    db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const schema = discoverSchema(db, path);
    return { db, schema, library, database: path, immutable };
  } catch (error) {
    db?.close();
    if (error instanceof ConfigError) throw error;
    throw sqliteError(error, path, "open");
  }
}

function statKind(path: string): "missing" | "denied" | "directory" | "file" | "other" {
  try {
    const stat = Deno.statSync(path);
    return stat.isDirectory ? "directory" : stat.isFile ? "file" : "other";
  } catch (error) {
    // EACCES and EPERM; anything else (not there, a vanished disk, a loop) is as good as missing.
    return error instanceof Deno.errors.PermissionDenied ? "denied" : "missing";
  }
}

/** SQLite primary result codes (the low byte of an extended code) that mean something to users. */
export const SQLITE = { busy: 5, locked: 6, corrupt: 11, cantOpen: 14, notADatabase: 26 } as const;

/** The primary SQLite result code of an error thrown by node:sqlite, if it has one. */
export function sqliteCode(error: unknown): number | undefined {
  const raw = (error as { errcode?: unknown }).errcode;
  return typeof raw === "number" ? raw & 0xff : undefined;
}

/**
 * Turns an SQLite failure into advice. While opening, every failure is a configuration problem
 * (exit code 2); while listing, a busy database is worth another try and damage is fatal.
 */
export function sqliteError(error: unknown, path: string, during: "open" | "list"): Error {
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  const options = { cause: error };
  if (code === SQLITE.busy || code === SQLITE.locked) {
    return new ConfigError(
      `${path} is locked by another program (${detail}). Quit Photos or wait until it finishes, then try again.`,
      options,
    );
  }
  if (code === SQLITE.notADatabase || code === SQLITE.corrupt) {
    return new ConfigError(
      `${path} is damaged or not an SQLite database (${detail}). Repair the library (hold Option and ` +
        "Command while opening Photos) or restore it from a backup, then try again.",
      options,
    );
  }
  if (code === SQLITE.cantOpen) {
    return new ConfigError(
      `cannot open ${path} (${detail}). If the library is on a read-only disk and was not closed by ` +
        "Photos (database/Photos.sqlite-wal exists), open it once in Photos, or copy it to a writable disk.",
      options,
    );
  }
  return new ConfigError(
    `cannot read ${path} ${during === "open" ? "" : "while listing "}(${detail}). Check that the library ` +
      "is readable and not in use, then try again.",
    options,
  );
}

/** The tables the reader looks at besides the asset table; their columns are read up front. */
const READ_TABLES = [
  "ZADDITIONALASSETATTRIBUTES",
  "ZASSETDESCRIPTION",
  "ZINTERNALRESOURCE",
  "ZGENERICALBUM",
  "ZKEYWORD",
  "ZEXTENDEDATTRIBUTES",
  "ZFILESYSTEMBOOKMARK",
  "ZFILESYSTEMVOLUME",
  "ZUNIFORMTYPEIDENTIFIER",
  "ZDETECTEDFACE",
  "ZPERSON",
  "ZASSETCONTRIBUTOR",
  "ZSHAREPARTICIPANT",
];

/** The database's tables and, read once each on demand, their columns. */
interface Catalog {
  tables: Set<string>;
  columns: Map<string, Set<string>>;
  columnsOf(table: string): Set<string>;
  has(table: string, column: string): boolean;
}

function discoverSchema(db: DatabaseSync, path: string): LibrarySchema {
  const catalog = readCatalog(db);
  const assetTable = ["ZASSET", "ZGENERICASSET"].find((t) => catalog.tables.has(t));
  if (!assetTable) {
    throw new ConfigError(
      `${path} is an SQLite database but not a Photos library's: it has no ZASSET or ZGENERICASSET ` +
        "table. Point --library at a .photoslibrary bundle made by Photos 5 or later (macOS 10.15+).",
    );
  }
  for (const table of [assetTable, ...READ_TABLES]) catalog.columnsOf(table);
  const { has } = catalog;
  const first = (names: string[]) => names.find((n) => has(assetTable, n));
  return {
    modelVersion: catalog.tables.has("Z_METADATA") ? readModelVersion(db) : undefined,
    assetTable,
    ...joins(db, catalog, assetTable),
    columns: catalog.columns,
    facts: {
      edited: first(["ZADJUSTMENTSSTATE", "ZHASADJUSTMENTS"]),
      hdr: first(["ZHDRTYPE", "ZCUSTOMRENDEREDVALUE"]),
      depth: first(["ZDEPTHTYPE", "ZDEPTHSTATES"]),
      spatial: first(["ZSPATIALTYPE"]),
    },
    resourceUti: has("ZINTERNALRESOURCE", "ZCOMPACTUTI")
      ? "compact"
      : has("ZINTERNALRESOURCE", "ZUNIFORMTYPEIDENTIFIER") && has("ZUNIFORMTYPEIDENTIFIER", "ZIDENTIFIER")
      ? "table"
      : undefined,
    bookmarks: has("ZINTERNALRESOURCE", "ZFILESYSTEMBOOKMARK") &&
      has("ZFILESYSTEMBOOKMARK", "ZPATHRELATIVETOVOLUME") && has("ZINTERNALRESOURCE", "ZFILESYSTEMVOLUME") &&
      has("ZFILESYSTEMVOLUME", "ZNAME"),
  };
}

function readCatalog(db: DatabaseSync): Catalog {
  const tables = new Set(
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => String(r.name)),
  );
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
  return { tables, columns, columnsOf, has: (table, column) => columnsOf(table).has(column) };
}

/** The asset entity's number and the album and keyword join tables, whose names carry entity numbers. */
function joins(
  db: DatabaseSync,
  { tables, columnsOf }: Catalog,
  assetTable: string,
): Pick<LibrarySchema, "assetEntity" | "albumJoin" | "keywordJoin"> {
  // Entity numbers name the join tables; Z_PRIMARYKEY says which number is which entity.
  const entities = new Map<string, number>();
  if (tables.has("Z_PRIMARYKEY")) {
    for (const row of db.prepare("SELECT Z_ENT, Z_NAME FROM Z_PRIMARYKEY").all()) {
      entities.set(String(row.Z_NAME), Number(row.Z_ENT));
    }
  }
  // One candidate is taken as it is; among several, the one numbered after its entity.
  const joinTable = (pattern: RegExp, entity: string, suffix: string) => {
    const candidates = [...tables].filter((t) => pattern.test(t));
    return candidates.length === 1
      ? candidates[0]
      : candidates.find((t) => t === `Z_${entities.get(entity)}${suffix}`);
  };
  const albumTable = joinTable(/^Z_\d+ASSETS$/, "Album", "ASSETS");
  const keywordTable = joinTable(/^Z_\d+KEYWORDS$/, "AdditionalAssetAttributes", "KEYWORDS");
  return {
    assetEntity: entities.get(assetTable === "ZASSET" ? "Asset" : "GenericAsset"),
    albumJoin: albumTable && tables.has("ZGENERICALBUM")
      ? joinOf(albumTable, {
        columns: columnsOf(albumTable),
        owner: /^Z_\d+ALBUMS$/,
        member: /^Z_\d+ASSETS$/,
        order: /^Z_FOK_\d+ASSETS$/,
      })
      : undefined,
    keywordJoin: keywordTable && tables.has("ZKEYWORD")
      ? joinOf(keywordTable, {
        columns: columnsOf(keywordTable),
        owner: /^Z_\d+ASSETATTRIBUTES$/,
        member: /^Z_\d+KEYWORDS$/,
      })
      : undefined,
  };
}

/** `PLModelVersion` of the newest `Z_METADATA` row; undefined when absent or unreadable. */
function readModelVersion(db: DatabaseSync): number | undefined {
  try {
    const row = db.prepare("SELECT Z_PLIST FROM Z_METADATA ORDER BY Z_VERSION DESC LIMIT 1").get();
    if (!(row?.Z_PLIST instanceof Uint8Array)) return undefined;
    const version = (decodeBinaryPlist(row.Z_PLIST) as Record<string, unknown> | null)?.PLModelVersion;
    return typeof version === "number" ? version : undefined;
  } catch (error) {
    // A damaged metadata blob costs the version label only; the schema itself is discovered.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** The join table's columns, found by pattern because their numbers vary. */
function joinOf(
  table: string,
  { columns, owner, member, order }: { columns: Set<string>; owner: RegExp; member: RegExp; order?: RegExp },
): JoinTable | undefined {
  const ownerColumn = [...columns].find((c) => owner.test(c));
  const memberColumn = [...columns].find((c) => member.test(c));
  const orderColumn = order ? [...columns].find((c) => order.test(c)) : undefined;
  return ownerColumn && memberColumn
    ? { table, owner: ownerColumn, member: memberColumn, ...(orderColumn ? { order: orderColumn } : {}) }
    : undefined;
}

/**
 * The Photos release a model version belongs to, after the bands osxphotos documents. Only a
 * label for people: nothing in the reader depends on it.
 */
export function photosRelease(modelVersion: number | undefined): string {
  if (modelVersion === undefined) return "unknown Photos version";
  const bands: [number, string][] = [
    [13000, "Photos 5 (macOS 10.15)"],
    [14000, "Photos 6 (macOS 11)"],
    [15000, "Photos 7 (macOS 12)"],
    [16000, "Photos 8 (macOS 13)"],
    [17000, "Photos 9 (macOS 14)"],
    [17600, "Photos 9 (macOS 14.6)"],
    [18000, "Photos 10 (macOS 15 beta)"],
    [18201, "Photos 10 (macOS 15)"],
    [19000, "Photos 11 (macOS 26)"],
    [19320, "Photos 11.1 (macOS 26.1)"],
    [20000, "a Photos newer than 11.1"],
  ];
  let label = "a Photos older than 5";
  for (const [from, name] of bands) if (modelVersion >= from) label = name;
  return label;
}

/** The newest model version the reader was checked against (Test-26.1). */
export const NEWEST_KNOWN_MODEL = 19320;
