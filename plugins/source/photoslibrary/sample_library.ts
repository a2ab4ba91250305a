/**
 * Writes a small `.photoslibrary` bundle shaped like one macOS 26.1 Photos makes (Core Data model
 * 19320), for tests, demos and benchmarks on machines without Photos.
 *
 * The tables carry the real column names and types of Test-26.1's `Photos.sqlite` (a subset:
 * only what a reader may look at), the real entity numbers (Asset 3, Album 33, Folder 41,
 * Keyword 52…) and the real file layout (`originals/<X>/<UUID>.<ext>`, `<UUID>_3.mov`). Images
 * are genuine PNGs and videos are structurally valid (track-less) QuickTime files, each with
 * unique bytes. The same seed always gives the same UUIDs and file bytes.
 *
 * The last transaction, which marks the favourite, is left in `Photos.sqlite-wal` as Photos leaves
 * its recent changes, so a reader that ignores the WAL misses it.
 *
 * @example
 * ```ts
 * const info = await writeSampleLibrary("/tmp/Sample.photoslibrary");
 * info.uuids.live; // the Live Photo's UUID; its motion video is originals/X/<UUID>_3.mov
 * ```
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { join } from "node:path";
import { encodeBinaryPlist } from "./_bplist.ts";
import { encodePng } from "./_png.ts";
import { encodeQuickTime } from "./_quicktime.ts";

/** Options of {@link writeSampleLibrary}. */
export interface SampleLibraryOptions {
  /**
   * How many assets to write (default 8, at least 8). The first 8 are the showcase assets named
   * in {@link SampleUuids}; the rest are a mix of about 70% photos, 15% Live Photos and 15%
   * videos with some favourites, hidden, trashed, located, captioned, keyworded and album assets.
   */
  assets?: number;
  /** Seed for UUIDs, colours and bytes (default 1). */
  seed?: number;
  /**
   * Write the media files (default true). With false only the database is written: resources
   * still say ZLOCALAVAILABILITY 1 but the files are absent, and sizes in the database are
   * synthetic. Meant for benchmarks of listing.
   */
  files?: boolean;
}

/** UUIDs of the showcase assets, one per fact a reader must get right. */
export interface SampleUuids {
  /** Live Photo still (ZKINDSUBTYPE 2) with `<UUID>_3.mov` beside it; in album `Paris`. */
  live: string;
  /** A video (ZKIND 1). */
  video: string;
  /** ZFAVORITE 1, set by the transaction left in the WAL; in the top-level album `Family`. */
  favorite: string;
  /** ZHIDDEN 1. */
  hidden: string;
  /** In album `Paris` inside folders `Trips` > `2024`, and in a trashed album (not reported). */
  inAlbum: string;
  /** Has a title, a caption and two keywords. */
  captioned: string;
  /** Has a GPS location and the Europe/Paris time zone. */
  located: string;
  /** In Recently Deleted (ZTRASHEDSTATE 1). */
  trashed: string;
}

/** What {@link writeSampleLibrary} wrote. */
export interface SampleLibraryInfo {
  /** The `.photoslibrary` bundle. */
  path: string;
  /** `database/Photos.sqlite` inside it. */
  database: string;
  /** Number of assets (rows of ZASSET). */
  assets: number;
  uuids: SampleUuids;
  /** The showcase facts, as a reader should report them. */
  facts: {
    liveContentId: string;
    album: { uuid: string; title: string; folders: string[] };
    favoriteAlbum: { uuid: string; title: string; folders: string[] };
    title: string;
    caption: string;
    keywords: string[];
    location: { latitude: number; longitude: number };
    timeZone: { name: string; offsetSeconds: number };
    /** Capture instant of the located asset (ISO UTC). */
    locatedCaptured: string;
  };
}

/** Seconds between the Unix epoch and Core Data's reference date 2001-01-01 UTC. */
const CORE_DATA_EPOCH = 978_307_200;
const SHOWCASE = 8;

// Entity numbers and names of model 19320 (macOS 26.1), as its Z_PRIMARYKEY lists them.
// "Name:super" marks a sub-entity. They matter: join tables and columns are named after them.
const ENTITIES = [
  "AdditionalAssetAttributes",
  "AlbumList",
  "Asset",
  "AssetAnalysisState",
  "AssetContributor",
  "AssetDescription",
  "AssetResourceUploadJob",
  "AssetResourceUploadJobConfiguration",
  "AssetResourceUploadJobRequest",
  "BackgroundJobWorkItem",
  "CharacterRecognitionAttributes",
  "CloudFeedEntry",
  "CloudFeedAssetsEntry:12",
  "CloudFeedCommentsEntry:12",
  "CloudMaster",
  "CloudMasterMediaMetadata",
  "CloudResource",
  "CloudSharedAlbumInvitationRecord",
  "CloudSharedComment",
  "ComputedAssetAttributes",
  "ComputeSyncAttributes",
  "DeferredRebuildFace",
  "DetectedFace",
  "DetectedFaceGroup",
  "DetectedFaceprint",
  "DetectionTrait",
  "EditedIPTCAttributes",
  "ExtendedAttributes",
  "FaceCrop",
  "FileSystemBookmark",
  "FileSystemVolume",
  "GenericAlbum",
  "Album:32",
  "CloudSharedAlbum:33",
  "DuplicateAlbum:33",
  "LegacyFaceAlbum:33",
  "PhotoStreamAlbum:33",
  "ProjectAlbum:33",
  "Conversation:32",
  "FetchingAlbum:32",
  "Folder:32",
  "ImportSession:32",
  "GlobalKeyValue",
  "GraphEdge",
  "GraphEdgeAdditionalLabelAssignment",
  "GraphEdgeValue",
  "GraphLabel",
  "GraphNode",
  "GraphNodeAdditionalLabelAssignment",
  "GraphNodeValue",
  "InternalResource",
  "Keyword",
  "LegacyFace",
  "LimitedLibraryFetchFilter",
  "MediaAnalysisAssetAttributes",
  "Memory",
  "MigrationHistory",
  "Moment",
  "Person",
  "PersonReference",
  "PhotoAnalysisAssetAttributes",
  "PhotosHighlight",
  "Question",
  "SceneClassification",
  "Sceneprint",
  "Share",
  "CollectionShare:66",
  "LibraryScope:66",
  "MomentShare:66",
  "ShareParticipant",
  "Suggestion",
  "TransientInternalResource",
  "UnmanagedAdjustment",
  "UserFeedback",
  "VisualSearchAttributes",
];
const ENT = {
  attributes: 1,
  asset: 3,
  description: 6,
  genericAlbum: 32,
  album: 33,
  fetching: 40,
  folder: 41,
  importSession: 42,
  resource: 51,
  keyword: 52,
} as const;
/** The entity of each ZGENERICALBUM kind written here; every other kind is an Album (33). */
const ALBUM_ENTITY: Record<number, number> = {
  3999: ENT.folder,
  3998: ENT.folder,
  4000: ENT.folder,
  1506: ENT.importSession,
  1552: ENT.fetching,
};

// A subset of the real 26.1 columns, in the real order, with the real declared types.
const SCHEMA = `
CREATE TABLE ZASSET ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE INTEGER, ZADJUSTMENTSSTATE INTEGER, ZAVALANCHEKIND INTEGER,
  ZAVALANCHEPICKTYPE INTEGER, ZCLOUDLOCALSTATE INTEGER, ZCOMPLETE INTEGER, ZDEPTHTYPE INTEGER,
  ZFAVORITE INTEGER, ZHDRTYPE INTEGER, ZHEIGHT INTEGER, ZHIDDEN INTEGER, ZKIND INTEGER,
  ZKINDSUBTYPE INTEGER, ZORIENTATION INTEGER, ZPLAYBACKSTYLE INTEGER, ZPLAYBACKVARIATION INTEGER,
  ZSAVEDASSETTYPE INTEGER, ZSPATIALTYPE INTEGER, ZTRASHEDSTATE INTEGER, ZVISIBILITYSTATE INTEGER,
  ZWIDTH INTEGER, ZADDITIONALATTRIBUTES INTEGER, ZIMPORTSESSION INTEGER, ZLIBRARYSCOPE INTEGER,
  ZMOMENTSHARE INTEGER, ZADDEDDATE TIMESTAMP, ZADJUSTMENTTIMESTAMP TIMESTAMP,
  ZCLOUDBATCHPUBLISHDATE TIMESTAMP, ZDATECREATED TIMESTAMP, ZDURATION FLOAT, ZLATITUDE FLOAT,
  ZLONGITUDE FLOAT, ZMODIFICATIONDATE TIMESTAMP, ZSORTTOKEN FLOAT, ZTRASHEDDATE TIMESTAMP,
  ZAVALANCHEUUID VARCHAR, ZCLOUDASSETGUID VARCHAR, ZDIRECTORY VARCHAR, ZFILENAME VARCHAR,
  ZMEDIAGROUPUUID VARCHAR, ZUNIFORMTYPEIDENTIFIER VARCHAR, ZUUID VARCHAR );
CREATE TABLE ZADDITIONALASSETATTRIBUTES ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZCAMERACAPTUREDEVICE INTEGER, ZINFERREDTIMEZONEOFFSET INTEGER, ZORIGINALFILESIZE INTEGER,
  ZORIGINALHEIGHT INTEGER, ZORIGINALORIENTATION INTEGER, ZORIGINALRESOURCECHOICE INTEGER,
  ZORIGINALWIDTH INTEGER, ZTIMEZONEOFFSET INTEGER, ZASSET INTEGER, ZASSETDESCRIPTION INTEGER,
  ZUNMANAGEDADJUSTMENT INTEGER, ZIMPORTEDBYBUNDLEIDENTIFIER VARCHAR, ZIMPORTEDBYDISPLAYNAME VARCHAR,
  ZORIGINALFILENAME VARCHAR, ZORIGINALSTABLEHASH VARCHAR, ZTIMEZONENAME VARCHAR, ZTITLE VARCHAR,
  ZREVERSELOCATIONDATA BLOB );
CREATE TABLE ZASSETDESCRIPTION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZASSETATTRIBUTES INTEGER, ZLONGDESCRIPTION VARCHAR );
CREATE TABLE ZINTERNALRESOURCE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZDATALENGTH INTEGER, ZDATASTORECLASSID INTEGER, ZDATASTORESUBTYPE INTEGER,
  ZLOCALAVAILABILITY INTEGER, ZRECIPEID INTEGER, ZREMOTEAVAILABILITY INTEGER, ZRESOURCETYPE INTEGER,
  ZTRASHEDSTATE INTEGER, ZUNORIENTEDHEIGHT INTEGER, ZUNORIENTEDWIDTH INTEGER,
  ZUTICONFORMANCEHINT INTEGER, ZVERSION INTEGER, ZASSET INTEGER, ZFILESYSTEMBOOKMARK INTEGER,
  ZCODECFOURCHARCODENAME VARCHAR, ZCOMPACTUTI VARCHAR, ZFINGERPRINT VARCHAR, ZSTABLEHASH VARCHAR );
CREATE TABLE ZGENERICALBUM ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZCACHEDCOUNT INTEGER, ZCACHEDPHOTOSCOUNT INTEGER, ZCACHEDVIDEOSCOUNT INTEGER,
  ZCUSTOMSORTASCENDING INTEGER, ZCUSTOMSORTKEY INTEGER, ZKIND INTEGER, ZTRASHEDSTATE INTEGER,
  ZPARENTFOLDER INTEGER, Z_FOK_PARENTFOLDER INTEGER, ZCREATIONDATE TIMESTAMP, ZENDDATE TIMESTAMP,
  ZSTARTDATE TIMESTAMP, ZTRASHEDDATE TIMESTAMP, ZCLOUDGUID VARCHAR, ZIMPORTSESSIONID VARCHAR,
  ZTITLE VARCHAR, ZUUID VARCHAR );
CREATE TABLE Z_33ASSETS ( Z_33ALBUMS INTEGER, Z_3ASSETS INTEGER, Z_FOK_3ASSETS INTEGER,
  PRIMARY KEY (Z_33ALBUMS, Z_3ASSETS) );
CREATE TABLE ZKEYWORD ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZSHORTCUT VARCHAR,
  ZTITLE VARCHAR, ZUUID VARCHAR );
CREATE TABLE Z_1KEYWORDS ( Z_1ASSETATTRIBUTES INTEGER, Z_52KEYWORDS INTEGER,
  PRIMARY KEY (Z_1ASSETATTRIBUTES, Z_52KEYWORDS) );
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE TABLE Z_MODELCACHE (Z_CONTENT BLOB);
CREATE TABLE ATRANSACTION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZAUTHORTS INTEGER,
  ZBUNDLEIDTS INTEGER, ZCONTEXTNAMETS INTEGER, ZPROCESSIDTS INTEGER, ZTIMESTAMP FLOAT, ZAUTHOR VARCHAR,
  ZBUNDLEID VARCHAR, ZCONTEXTNAME VARCHAR, ZPROCESSID VARCHAR, ZQUERYGEN BLOB );
CREATE TABLE ACHANGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCHANGETYPE INTEGER,
  ZENTITY INTEGER, ZENTITYPK INTEGER, ZTRANSACTIONID INTEGER, ZCOLUMNS BLOB, ZTOMBSTONE0 BLOB,
  ZTOMBSTONE1 BLOB, ZTOMBSTONE2 BLOB, ZTOMBSTONE3 BLOB, ZTOMBSTONE4 BLOB, ZTOMBSTONE5 BLOB );
`;

// Created after the bulk insert because that is faster; the names are the real ones.
const INDEXES = `
CREATE INDEX ZASSET_ZADDITIONALATTRIBUTES_INDEX ON ZASSET (ZADDITIONALATTRIBUTES);
CREATE INDEX ZASSET_ZIMPORTSESSION_INDEX ON ZASSET (ZIMPORTSESSION);
CREATE INDEX Z_Asset_byDateCreatedIndex ON ZASSET (ZDATECREATED COLLATE BINARY ASC);
CREATE INDEX Z_Asset_byUuidIndex ON ZASSET (ZUUID COLLATE BINARY ASC);
CREATE INDEX Z_Asset_byMediaGroupUUIDIndex ON ZASSET (ZMEDIAGROUPUUID COLLATE BINARY ASC);
CREATE INDEX ZADDITIONALASSETATTRIBUTES_ZASSET_INDEX ON ZADDITIONALASSETATTRIBUTES (ZASSET);
CREATE INDEX ZADDITIONALASSETATTRIBUTES_ZASSETDESCRIPTION_INDEX
  ON ZADDITIONALASSETATTRIBUTES (ZASSETDESCRIPTION);
CREATE INDEX ZASSETDESCRIPTION_ZASSETATTRIBUTES_INDEX ON ZASSETDESCRIPTION (ZASSETATTRIBUTES);
CREATE INDEX ZINTERNALRESOURCE_ZASSET_INDEX ON ZINTERNALRESOURCE (ZASSET);
CREATE UNIQUE INDEX Z_InternalResource_UNIQUE_asset_resourceType_version_recipeID_compactUTI
  ON ZINTERNALRESOURCE (ZASSET, ZRESOURCETYPE, ZVERSION, ZRECIPEID, ZCOMPACTUTI);
CREATE INDEX ZGENERICALBUM_ZPARENTFOLDER_INDEX ON ZGENERICALBUM (ZPARENTFOLDER);
CREATE INDEX Z_GenericAlbum_byKindIndex ON ZGENERICALBUM (ZKIND COLLATE BINARY ASC, Z_ENT COLLATE BINARY ASC);
CREATE INDEX Z_33ASSETS_Z_3ASSETS_INDEX ON Z_33ASSETS (Z_3ASSETS, Z_33ALBUMS);
CREATE UNIQUE INDEX Z_Keyword_UNIQUE_title ON ZKEYWORD (ZTITLE COLLATE BINARY ASC);
CREATE INDEX Z_1KEYWORDS_Z_52KEYWORDS_INDEX ON Z_1KEYWORDS (Z_52KEYWORDS, Z_1ASSETATTRIBUTES);
CREATE INDEX ACHANGE_ZTRANSACTIONID_INDEX ON ACHANGE (ZTRANSACTIONID);
`;

/**
 * Core Data's persistent-history entities, numbered as every Photos model numbers them. The
 * sample keeps a short history: one transaction for the albums and keywords it made (Photos would
 * log every object; a reader starts from the last transaction, so the rest is not needed) and one
 * for the favourite set later, left in the WAL.
 */
const HISTORY_ENT = { change: 16001, transaction: 16002, transactionString: 16003 } as const;

/** Deterministic 32-bit generator (mulberry32); Math.random cannot be seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function uuidFrom(next: () => number): string {
  const hex = [next(), next(), next(), next()].map((n) => n.toString(16).padStart(8, "0")).join("");
  // Version 4 and RFC 4122 variant bits, upper case as Photos writes them.
  const v = `${hex.slice(0, 12)}4${hex.slice(13, 16)}${"89ab"[parseInt(hex[16], 16) & 3]}${hex.slice(17)}`;
  return `${v.slice(0, 8)}-${v.slice(8, 12)}-${v.slice(12, 16)}-${v.slice(16, 20)}-${v.slice(20)}`
    .toUpperCase();
}

const coreData = (unixMs: number) => unixMs / 1000 - CORE_DATA_EPOCH;

type Zone = readonly [name: string, offsetSeconds: number];
const ZONES: readonly Zone[] = [
  ["America/New_York", -14400],
  ["Europe/London", 3600],
  ["Europe/Paris", 7200],
  ["Asia/Tokyo", 32400],
  ["GMT-0300", -10800],
  ["Australia/Adelaide", 34200],
];

interface AssetSpec {
  /** Z_PK of the asset and of its attributes row. */
  pk: number;
  uuid: string;
  kind: "photo" | "video" | "live";
  filename: string;
  width: number;
  height: number;
  durationSeconds: number;
  /** Unix milliseconds. */
  captured: number;
  zone: Zone;
  latitude: number;
  longitude: number;
  favorite: boolean;
  hidden: boolean;
  trashed: boolean;
  title?: string;
  caption?: string;
  keywords: string[];
  albums: number[];
  contentId?: string;
}

interface AlbumSpec {
  pk: number;
  ent: number;
  kind: number;
  title: string | null;
  parent: number | null;
  trashed?: boolean;
  uuid: string;
}

/**
 * Writes a sample `.photoslibrary` bundle at `dir`, which must not exist yet or be empty.
 *
 * @example
 * ```ts
 * const info = await writeSampleLibrary(`${tmp}/Sample.photoslibrary`, { assets: 100_000, files: false });
 * ```
 */
export function writeSampleLibrary(
  dir: string,
  options: SampleLibraryOptions = {},
): Promise<SampleLibraryInfo> {
  // The work is synchronous (node:sqlite is); the promise keeps the door open for async file I/O.
  try {
    return Promise.resolve(writeSync(dir, options));
  } catch (error) {
    return Promise.reject(error);
  }
}

function writeSync(dir: string, options: SampleLibraryOptions): SampleLibraryInfo {
  const count = options.assets ?? SHOWCASE;
  const files = options.files ?? true;
  if (!Number.isInteger(count) || count < SHOWCASE) {
    throw new RangeError(
      `writeSampleLibrary: assets must be an integer of at least ${SHOWCASE}, got ${count}`,
    );
  }
  if (!isEmptyOrMissing(dir)) {
    throw new Error(`writeSampleLibrary: ${dir} is not empty; pick a new directory (nothing was written)`);
  }
  // One generator for everything, drawn in a fixed order: the same seed gives the same library.
  const next = prng(options.seed ?? 1);
  const uuid = () => uuidFrom(next);
  const database = join(dir, "database", "Photos.sqlite");
  Deno.mkdirSync(join(dir, "database"), { recursive: true });
  if (files) {
    for (const x of "0123456789ABCDEF") Deno.mkdirSync(join(dir, "originals", x), { recursive: true });
  }
  const tree = albumTree(uuid);
  const showcase = showcaseSpecs(uuid, tree);
  const specs = (i: number) =>
    i < SHOWCASE ? showcase[i] : bulkSpec(i, { next, uuid, albums: tree.bulkAlbums });
  writeDatabase({ dir, database, files, count, uuid, tree, specs, favoriteLater: showcase[2].uuid });
  return sampleInfo({ dir, database, count, showcase, tree });
}

const KEYWORD_POOL = ["harbour", "sunset", "family", "beach", "snow", "city", "food", "dog"];

/** The albums and the ones the showcase and bulk assets are put in, by Z_PK. */
interface AlbumTree {
  albums: AlbumSpec[];
  importSession: number;
  progress: number;
  paris: number;
  family: number;
  old: number;
  bulkAlbums: number[];
}

/**
 * The fixed tree a real library has (root folder, built-in albums, an import session) plus user
 * folders and albums. Readers must report only ZKIND 2 albums that are not trashed.
 */
function albumTree(uuid: () => string): AlbumTree {
  const albums: AlbumSpec[] = [];
  const album = (kind: number, { title = null, parent = null, trashed = false }: Partial<AlbumSpec> = {}) => {
    const pk = albums.length + 1;
    albums.push({ pk, ent: ALBUM_ENTITY[kind] ?? ENT.album, kind, title, parent, trashed, uuid: uuid() });
    return pk;
  };
  const root = album(3999);
  album(3998); // root of projects
  const importSession = album(1506);
  album(1552, { parent: root });
  const progress = album(3571, { title: "progress-sync" }); // Album entity, yet not a user album
  const trips = album(4000, { title: "Trips", parent: root });
  const year = album(4000, { title: "2024", parent: trips });
  const paris = album(2, { title: "Paris", parent: year });
  const family = album(2, { title: "Family", parent: root });
  const old = album(2, { title: "Old", parent: root, trashed: true });
  const bulkAlbums = Array.from(
    { length: 10 },
    (_, n) => album(2, { title: `Album ${n + 1}`, parent: n % 2 ? trips : root }),
  );
  return { albums, importSession, progress, paris, family, old, bulkAlbums };
}

/** The showcase assets, one per fact a reader must get right (see {@link SampleUuids}). */
function showcaseSpecs(uuid: () => string, { paris, family, old, progress }: AlbumTree): AssetSpec[] {
  const showcaseCaptured = (i: number, zone: Zone) => Date.UTC(2024, 5, 20 - i, 10) - zone[1] * 1000;
  const base = (i: number, { kind, zone }: Pick<AssetSpec, "kind" | "zone">): AssetSpec => ({
    pk: i + 1,
    uuid: uuid(),
    kind,
    filename: `IMG_${String(i + 1).padStart(4, "0")}.${kind === "video" ? "MOV" : "PNG"}`,
    width: kind === "video" ? 1920 : 48,
    height: kind === "video" ? 1080 : 32,
    durationSeconds: kind === "video" ? 3.2 : 0,
    captured: showcaseCaptured(i, zone),
    zone,
    latitude: -180,
    longitude: -180,
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    contentId: kind === "live" ? uuid() : undefined,
  });
  return [
    { ...base(0, { kind: "live", zone: ZONES[0] }), albums: [paris] },
    base(1, { kind: "video", zone: ZONES[1] }),
    { ...base(2, { kind: "photo", zone: ZONES[3] }), albums: [family] },
    { ...base(3, { kind: "photo", zone: ZONES[4] }), hidden: true },
    { ...base(4, { kind: "photo", zone: ZONES[5] }), albums: [paris, old, progress] },
    {
      ...base(5, { kind: "photo", zone: ZONES[1] }),
      title: "Harbour at dusk",
      caption: "Sunset over the harbour",
      keywords: ["harbour", "sunset"],
    },
    { ...base(6, { kind: "photo", zone: ZONES[2] }), latitude: 48.85837, longitude: 2.294481 },
    { ...base(7, { kind: "photo", zone: ZONES[0] }), trashed: true },
  ];
}

/** Bulk asset `i`: about 70% photos, 15% Live Photos and 15% videos, with a mix of facts. */
function bulkSpec(
  i: number,
  { next, uuid, albums }: { next: () => number; uuid: () => string; albums: number[] },
): AssetSpec {
  const r = i % 20;
  const kind = r < 14 ? "photo" : r < 17 ? "live" : "video";
  const zone = ZONES[i % ZONES.length];
  const located = i % 3 === 0;
  return {
    pk: i + 1,
    uuid: uuid(),
    kind,
    filename: `IMG_${String(i + 1).padStart(6, "0")}.${kind === "video" ? "MOV" : "PNG"}`,
    width: kind === "video" ? 1920 : 16,
    height: kind === "video" ? 1080 : 12,
    durationSeconds: kind === "video" ? 1 + (i % 30) : 0,
    // 37 minutes apart, older than every showcase asset, so newest-first order is the index.
    captured: Date.UTC(2024, 0, 1) - (i - SHOWCASE) * 37 * 60_000,
    zone,
    latitude: located ? (next() / 2 ** 32) * 140 - 70 : -180,
    longitude: located ? (next() / 2 ** 32) * 340 - 170 : -180,
    favorite: i % 11 === 0,
    hidden: i % 97 === 0,
    trashed: i % 101 === 0,
    caption: i % 50 === 0 ? `Caption of asset ${i}` : undefined,
    keywords: i % 5 === 0 ? [KEYWORD_POOL[i % 8], KEYWORD_POOL[(i + 3) % 8]] : [],
    albums: i % 4 === 0 ? [albums[(i >> 2) % albums.length]] : [],
    contentId: kind === "live" ? uuid() : undefined,
  };
}

/** What {@link writeDatabase} writes. */
interface DatabasePlan {
  dir: string;
  database: string;
  files: boolean;
  count: number;
  uuid: () => string;
  tree: AlbumTree;
  /** Asset `i`'s spec, made when it is written (bulk specs draw from the generator). */
  specs: (i: number) => AssetSpec;
  /** The asset whose favourite flag is set by the last transaction, left in the WAL. */
  favoriteLater: string;
}

function writeDatabase(plan: DatabasePlan): void {
  const { database, uuid } = plan;
  const db = new DatabaseSync(database);
  let reader: DatabaseSync | undefined;
  try {
    // Photos libraries use incremental auto-vacuum (must precede the first table) and WAL.
    db.exec("PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;");
    db.exec(SCHEMA);
    const insert = prepareInserts(db);
    const keywordPk = new Map(KEYWORD_POOL.map((k, n) => [k, n + 1]));
    db.exec("BEGIN");
    insertAlbums(insert, plan.tree.albums, uuid);
    for (const [title, pk] of keywordPk) insert.keyword.run(pk, ENT.keyword, 1, title, uuid());
    const counts = insertAssets(insert, plan, keywordPk);
    const max = new Map<number, number>([
      [ENT.attributes, plan.count],
      [ENT.asset, plan.count],
      [ENT.description, counts.descriptions],
      [ENT.genericAlbum, plan.tree.albums.length],
      [ENT.resource, counts.resources],
      [ENT.keyword, keywordPk.size],
    ]);
    ENTITIES.forEach((entry, n) => {
      const [name, parent] = entry.split(":");
      insert.entity.run(n + 1, name, parent ? Number(parent) : 0, max.get(n + 1) ?? 0);
    });
    db.prepare("INSERT INTO Z_METADATA (Z_VERSION, Z_UUID, Z_PLIST) VALUES (1, ?, ?)").run(
      uuid(),
      modelPlist(),
    );
    const made = [
      ...plan.tree.albums.map((a) => [a.ent, a.pk]),
      ...[...keywordPk.values()].map((pk) => [ENT.keyword, pk]),
    ];
    made.forEach(([ent, pk], n) => insert.change.run(n + 1, HISTORY_ENT.change, 0, ent, pk, 1));
    insert.transaction.run(1, HISTORY_ENT.transaction, coreData(Date.UTC(2024, 0, 1)));
    insert.entity.run(HISTORY_ENT.change, "CHANGE", 0, made.length + 1);
    insert.entity.run(HISTORY_ENT.transaction, "TRANSACTION", 0, 2);
    insert.entity.run(HISTORY_ENT.transactionString, "TRANSACTIONSTRING", 0, 0);
    db.exec("COMMIT");
    db.exec(INDEXES);

    // Leave the last change in the WAL: with a second connection open, closing the writer does
    // not checkpoint, and a read-only connection never does.
    db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA wal_autocheckpoint = 0;");
    reader = new DatabaseSync(database, { readOnly: true });
    reader.prepare("SELECT count(*) FROM ZASSET").get();
    db.exec("BEGIN");
    db.prepare("UPDATE ZASSET SET ZFAVORITE = 1, Z_OPT = Z_OPT + 1, ZMODIFICATIONDATE = ? WHERE ZUUID = ?")
      .run(coreData(Date.UTC(2024, 6, 2, 12)), plan.favoriteLater);
    const favoritePk = Number(
      db.prepare("SELECT Z_PK FROM ZASSET WHERE ZUUID = ?").get(plan.favoriteLater)!.Z_PK,
    );
    insert.transaction.run(2, HISTORY_ENT.transaction, coreData(Date.UTC(2024, 6, 2, 12)));
    insert.change.run(made.length + 1, HISTORY_ENT.change, 1, ENT.asset, favoritePk, 2);
    db.exec("COMMIT");
  } finally {
    db.close();
    reader?.close();
  }
}

function insertAlbums(insert: Inserts, albums: AlbumSpec[], uuid: () => string): void {
  for (const a of albums) {
    insert.album.run(
      a.pk,
      a.ent,
      1,
      a.kind === 2 ? 1 : 0, // manual sort (Z_FOK order) for user albums, as Photos defaults
      a.kind,
      a.trashed ? 1 : 0,
      a.parent,
      a.parent === null ? null : a.pk * 1024,
      coreData(Date.UTC(2024, 0, 1)),
      a.trashed ? coreData(Date.UTC(2024, 6, 1)) : null,
      a.kind === 1506 ? uuid() : null,
      a.title,
      a.uuid,
    );
  }
}

/** Every asset with its files, album memberships and keywords; returns the rows counted for Z_MAX. */
function insertAssets(
  insert: Inserts,
  { dir, files, count, tree, specs, favoriteLater }: DatabasePlan,
  keywordPk: Map<string, number>,
): WriteContext["counts"] {
  const counts = { resources: 0, descriptions: 0 };
  const fok = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const spec = specs(i);
    // The favourite of the showcase is marked by the final transaction, left in the WAL.
    const row = spec.uuid === favoriteLater ? { ...spec, favorite: false } : spec;
    writeAsset(row, { dir, files, insert, counts, importSession: tree.importSession });
    for (const albumPk of spec.albums) {
      const position = (fok.get(albumPk) ?? 0) + 1024;
      fok.set(albumPk, position);
      insert.member.run(albumPk, i + 1, position);
    }
    for (const keyword of spec.keywords) insert.keywordOf.run(i + 1, keywordPk.get(keyword)!);
  }
  return counts;
}

/** The UUIDs and facts of the showcase assets, for tests to check a reader against. */
function sampleInfo(
  { dir, database, count, showcase, tree }: {
    dir: string;
    database: string;
    count: number;
    showcase: AssetSpec[];
    tree: AlbumTree;
  },
): SampleLibraryInfo {
  const { albums } = tree;
  const [live, video, favorite, hidden, inAlbum, captioned, located, trashed] = showcase;
  const ref = (pk: number) => {
    const a = albums[pk - 1];
    return { uuid: a.uuid, title: a.title!, folders: folderPath(albums, a.parent) };
  };
  return {
    path: dir,
    database,
    assets: count,
    uuids: {
      live: live.uuid,
      video: video.uuid,
      favorite: favorite.uuid,
      hidden: hidden.uuid,
      inAlbum: inAlbum.uuid,
      captioned: captioned.uuid,
      located: located.uuid,
      trashed: trashed.uuid,
    },
    facts: {
      liveContentId: live.contentId!,
      album: ref(tree.paris),
      favoriteAlbum: ref(tree.family),
      title: captioned.title!,
      caption: captioned.caption!,
      keywords: captioned.keywords,
      location: { latitude: located.latitude, longitude: located.longitude },
      timeZone: { name: located.zone[0], offsetSeconds: located.zone[1] },
      locatedCaptured: new Date(located.captured).toISOString(),
    },
  };
}

function isEmptyOrMissing(dir: string): boolean {
  try {
    return Deno.readDirSync(dir)[Symbol.iterator]().next().done === true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return true;
    throw error;
  }
}

function folderPath(albums: AlbumSpec[], parent: number | null): string[] {
  const path: string[] = [];
  for (let pk = parent; pk !== null;) {
    const folder = albums[pk - 1];
    if (folder.kind === 3999) break;
    path.unshift(folder.title ?? "");
    pk = folder.parent;
  }
  return path;
}

function modelPlist(): Uint8Array {
  // The keys Core Data and Photos keep; PLModelVersion is what version detection reads.
  return encodeBinaryPlist({
    PLModelVersion: 19320,
    NSPersistenceMaximumFrameworkVersion: 1522,
    NSStoreModelVersionIdentifiers: [""],
    _NSAutoVacuumLevel: "2",
    NSStoreModelVersionHashesVersion: 3,
    NSPersistenceFrameworkVersion: 1522,
    migrationManagerClass: "NSSQLiteInPlaceMigrationManager",
    PLLegacyMigrationState: 2,
    NSStoreType: "SQLite",
  });
}

type Inserts = ReturnType<typeof prepareInserts>;

function prepareInserts(db: DatabaseSync) {
  const insert = (table: string, columns: string) => {
    const names = columns.trim().split(/\s*,\s*/);
    return db.prepare(
      `INSERT INTO ${table} (${names.join(", ")}) VALUES (${names.map(() => "?").join(", ")})`,
    );
  };
  return {
    asset: insert(
      "ZASSET",
      `Z_PK, Z_ENT, Z_OPT, ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE, ZADJUSTMENTSSTATE, ZAVALANCHEKIND,
       ZAVALANCHEPICKTYPE, ZCLOUDLOCALSTATE, ZCOMPLETE, ZDEPTHTYPE, ZFAVORITE, ZHDRTYPE, ZHEIGHT, ZHIDDEN,
       ZKIND, ZKINDSUBTYPE, ZORIENTATION, ZPLAYBACKSTYLE, ZPLAYBACKVARIATION, ZSAVEDASSETTYPE, ZSPATIALTYPE,
       ZTRASHEDSTATE, ZVISIBILITYSTATE, ZWIDTH, ZADDITIONALATTRIBUTES, ZIMPORTSESSION, ZADDEDDATE,
       ZDATECREATED, ZDURATION, ZLATITUDE, ZLONGITUDE, ZMODIFICATIONDATE, ZSORTTOKEN, ZTRASHEDDATE,
       ZDIRECTORY, ZFILENAME, ZMEDIAGROUPUUID, ZUNIFORMTYPEIDENTIFIER, ZUUID`,
    ),
    attributes: insert(
      "ZADDITIONALASSETATTRIBUTES",
      `Z_PK, Z_ENT, Z_OPT, ZCAMERACAPTUREDEVICE, ZINFERREDTIMEZONEOFFSET, ZORIGINALFILESIZE, ZORIGINALHEIGHT,
       ZORIGINALORIENTATION, ZORIGINALRESOURCECHOICE, ZORIGINALWIDTH, ZTIMEZONEOFFSET, ZASSET,
       ZASSETDESCRIPTION, ZIMPORTEDBYBUNDLEIDENTIFIER, ZIMPORTEDBYDISPLAYNAME, ZORIGINALFILENAME,
       ZTIMEZONENAME, ZTITLE`,
    ),
    description: insert("ZASSETDESCRIPTION", "Z_PK, Z_ENT, Z_OPT, ZASSETATTRIBUTES, ZLONGDESCRIPTION"),
    resource: insert(
      "ZINTERNALRESOURCE",
      `Z_PK, Z_ENT, Z_OPT, ZDATALENGTH, ZDATASTORECLASSID, ZDATASTORESUBTYPE, ZLOCALAVAILABILITY, ZRECIPEID,
       ZREMOTEAVAILABILITY, ZRESOURCETYPE, ZTRASHEDSTATE, ZUNORIENTEDHEIGHT, ZUNORIENTEDWIDTH,
       ZUTICONFORMANCEHINT, ZVERSION, ZASSET, ZCODECFOURCHARCODENAME, ZCOMPACTUTI`,
    ),
    album: insert(
      "ZGENERICALBUM",
      `Z_PK, Z_ENT, Z_OPT, ZCUSTOMSORTKEY, ZKIND, ZTRASHEDSTATE, ZPARENTFOLDER, Z_FOK_PARENTFOLDER,
       ZCREATIONDATE, ZTRASHEDDATE, ZIMPORTSESSIONID, ZTITLE, ZUUID`,
    ),
    member: insert("Z_33ASSETS", "Z_33ALBUMS, Z_3ASSETS, Z_FOK_3ASSETS"),
    keyword: insert("ZKEYWORD", "Z_PK, Z_ENT, Z_OPT, ZTITLE, ZUUID"),
    keywordOf: insert("Z_1KEYWORDS", "Z_1ASSETATTRIBUTES, Z_52KEYWORDS"),
    entity: insert("Z_PRIMARYKEY", "Z_ENT, Z_NAME, Z_SUPER, Z_MAX"),
    transaction: db.prepare("INSERT INTO ATRANSACTION (Z_PK, Z_ENT, Z_OPT, ZTIMESTAMP) VALUES (?, ?, 1, ?)"),
    change: db.prepare(
      `INSERT INTO ACHANGE (Z_PK, Z_ENT, Z_OPT, ZCHANGETYPE, ZENTITY, ZENTITYPK, ZTRANSACTIONID)
       VALUES (?, ?, 1, ?, ?, ?, ?)`,
    ),
  };
}

interface WriteContext {
  dir: string;
  files: boolean;
  insert: Inserts;
  counts: { resources: number; descriptions: number };
  importSession: number;
}

/** Stand-in sizes when no files are written, so byte totals in benchmarks look like a real library. */
const syntheticSize = (pk: number, base: number) => base + ((pk * 2_654_435_761) % 2_000_000);

function writeAsset(spec: AssetSpec, ctx: WriteContext): void {
  const video = spec.kind === "video";
  const fileName = `${spec.uuid}.${video ? "mov" : "png"}`;
  const sizes = ctx.files ? writeFiles(spec, ctx.dir, fileName) : {
    size: syntheticSize(spec.pk, video ? 8_000_000 : 1_500_000),
    motionSize: syntheticSize(spec.pk, 2_500_000),
  };
  let description: number | null = null;
  if (spec.caption !== undefined) {
    description = ++ctx.counts.descriptions;
    ctx.insert.description.run(description, ENT.description, 1, spec.pk, spec.caption);
  }
  ctx.insert.asset.run(...assetRow(spec, fileName, ctx.importSession));
  ctx.insert.attributes.run(
    spec.pk,
    ENT.attributes,
    1,
    0,
    spec.zone[1],
    sizes.size,
    spec.height,
    1,
    0,
    spec.width,
    spec.zone[1],
    spec.pk,
    description,
    "com.apple.Photos",
    "Photos",
    spec.filename,
    spec.zone[0],
    spec.title ?? null,
  );
  insertResources(spec, ctx, sizes);
}

/** The original and, for a Live Photo, its video, in `originals/<X>/`; returns their sizes. */
function writeFiles(spec: AssetSpec, dir: string, fileName: string): { size: number; motionSize: number } {
  const folder = join(dir, "originals", spec.uuid[0]);
  const bytes = spec.kind === "video"
    ? encodeQuickTime({
      created: new Date(spec.captured),
      durationSeconds: spec.durationSeconds,
      payload: payload("video", spec.uuid),
    })
    : samplePng(spec);
  // Deno's writer, not node:fs's: under Deno it is about eight times faster for many small files.
  Deno.writeFileSync(join(folder, fileName), bytes);
  let motionSize = syntheticSize(spec.pk, 2_500_000);
  if (spec.contentId) {
    const motion = encodeQuickTime({
      created: new Date(spec.captured),
      durationSeconds: 2.5,
      payload: payload("motion", spec.uuid),
      contentIdentifier: spec.contentId,
    });
    Deno.writeFileSync(join(folder, `${spec.uuid}_3.mov`), motion);
    motionSize = motion.length;
  }
  return { size: bytes.length, motionSize };
}

/** The `ZASSET` row, in the column order of `prepareInserts`. */
function assetRow(spec: AssetSpec, fileName: string, importSession: number): SQLInputValue[] {
  const video = spec.kind === "video";
  const added = spec.captured + 86_400_000;
  return [
    spec.pk,
    ENT.asset,
    2,
    0, // not in a shared library
    0, // not adjusted
    0,
    0,
    0, // local only, not synced with iCloud
    1,
    0,
    spec.favorite ? 1 : 0,
    0,
    spec.height,
    spec.hidden ? 1 : 0,
    video ? 1 : 0,
    spec.kind === "live" ? 2 : 0,
    1,
    spec.kind === "video" ? 4 : spec.kind === "live" ? 3 : 1, // ZPLAYBACKSTYLE: image, Live Photo, video
    0,
    3, // ZSAVEDASSETTYPE: imported into the library
    0,
    spec.trashed ? 1 : 0,
    0,
    spec.width,
    spec.pk,
    importSession,
    coreData(added),
    coreData(spec.captured),
    spec.durationSeconds,
    spec.latitude,
    spec.longitude,
    coreData(added + 3_600_000),
    coreData(spec.captured),
    spec.trashed ? coreData(added + 2 * 86_400_000) : null,
    spec.uuid[0],
    fileName,
    spec.contentId ?? null,
    video ? "com.apple.quicktime-movie" : "public.png",
    spec.uuid,
  ];
}

/** Original (data store subtype 1) and, for a Live Photo, its video (subtype 18, type 3). */
function insertResources(
  spec: AssetSpec,
  ctx: WriteContext,
  sizes: { size: number; motionSize: number },
): void {
  const video = spec.kind === "video";
  const { insert, counts } = ctx;
  insert.resource.run(
    ++counts.resources,
    ENT.resource,
    1,
    sizes.size,
    0,
    1,
    1,
    0,
    0,
    video ? 1 : 0,
    0,
    spec.height,
    spec.width,
    video ? 3 : 1,
    0,
    spec.pk,
    video ? "hvc1" : null,
    video ? "23" : "6", // ZCOMPACTUTI: 23 QuickTime, 6 PNG (stored as text, as Photos does)
  );
  if (spec.contentId) {
    insert.resource.run(
      ++counts.resources,
      ENT.resource,
      1,
      sizes.motionSize,
      0,
      18,
      1,
      0,
      0,
      3,
      0,
      spec.height,
      spec.width,
      3,
      0,
      spec.pk,
      "hvc1",
      "23",
    );
  }
}

function payload(role: string, uuid: string): Uint8Array {
  return new TextEncoder().encode(`photos-sync sample ${role} ${uuid}\n`.repeat(4));
}

/** A gradient whose base colour comes from the UUID, plus the UUID in a tEXt chunk. */
function samplePng(spec: AssetSpec): Uint8Array {
  const { width, height } = spec;
  const seed = parseInt(spec.uuid.slice(0, 6), 16);
  const [r, g, b] = [seed >> 16, (seed >> 8) & 0xff, seed & 0xff];
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0, at = 0; y < height; y++) {
    for (let x = 0; x < width; x++, at += 3) {
      rgb[at] = (r + x * 5) & 0xff;
      rgb[at + 1] = (g + y * 7) & 0xff;
      rgb[at + 2] = (b + x * y) & 0xff;
    }
  }
  return encodePng(rgb, { width, height, text: { Comment: `photos-sync sample ${spec.uuid}` } });
}
