/**
 * Streams a Photos library's assets as {@link Asset} values, newest capture first.
 *
 * One query walks the asset table; album and keyword ids come along as `group_concat` lists from
 * indexed correlated subqueries and are resolved against two small maps (albums, keywords) loaded
 * once, so memory stays flat however large the library is and no asset costs a query of its own.
 * Columns the library lacks read as NULL, so older schemas degrade to missing facts, not errors.
 *
 * @example
 * ```ts
 * for (const asset of readAssets(openPhotosDatabase(path))) console.log(asset.id);
 * ```
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { AlbumRef, Asset, Resource, Subtype } from "../../../core/model/asset.ts";
import type { LibrarySchema, PhotosDatabase } from "./_database.ts";

/** Seconds between the Unix epoch and Core Data's reference date 2001-01-01 UTC. */
const CORE_DATA_EPOCH = 978_307_200;

/** ZKINDSUBTYPE values that are certain on macOS; the full reader will add more signals. */
const KIND_SUBTYPES: Record<number, Subtype> = {
  1: "panorama",
  2: "live",
  10: "screenshot",
  101: "slomo",
  102: "timelapse",
  103: "screen_recording",
};

/** ZDATASTORESUBTYPE of the original and of a Live Photo's video in ZINTERNALRESOURCE. */
const ORIGINAL = 1;
const LIVE_VIDEO = 18;

/** ZSAVEDASSETTYPE of a file left outside the library (referenced, not copied). */
const REFERENCED = 10;

type Row = Record<string, unknown>;

/** Yields every asset of the library, newest capture first (undated assets last). */
export function* readAssets({ db, schema, library }: PhotosDatabase): Generator<Asset> {
  const albums = loadAlbums(db, schema);
  const keywords = loadKeywords(db, schema);
  const iterator = db.prepare(assetQuery(schema)).iterate();
  try {
    for (const row of iterator) yield toAsset(row as Row, { library, albums, keywords });
  } finally {
    // Resets the statement when the consumer stops early.
    iterator.return?.();
  }
}

/** Builds the one listing query; a column this schema lacks reads as NULL. */
function assetQuery(schema: LibrarySchema): string {
  const has = (table: string, name: string) => schema.columns.get(table)?.has(name) ?? false;
  const A = schema.assetTable;
  const a = (name: string) => has(A, name) ? `a.${name}` : "NULL";
  const hasAttributes = has("ZADDITIONALASSETATTRIBUTES", "ZASSET");
  const attr = (name: string) =>
    hasAttributes && has("ZADDITIONALASSETATTRIBUTES", name) ? `attr.${name}` : "NULL";
  const hasDescriptions = attr("ZASSETDESCRIPTION") !== "NULL" &&
    has("ZASSETDESCRIPTION", "ZLONGDESCRIPTION");
  const hasResources = has("ZINTERNALRESOURCE", "ZDATASTORESUBTYPE");
  const res = (alias: string, name: string) => hasResources ? `${alias}.${name}` : "NULL";
  const resourceJoin = (alias: string, subtype: number) =>
    hasResources
      ? `LEFT JOIN ZINTERNALRESOURCE ${alias} ON ${alias}.Z_PK = (SELECT min(r.Z_PK) FROM ZINTERNALRESOURCE r
           WHERE r.ZASSET = a.Z_PK AND r.ZDATASTORESUBTYPE = ${subtype})`
      : "";
  // ZADJUSTMENTSSTATE replaced ZHASADJUSTMENTS in Photos 10 (macOS 15).
  const adjusted = has(A, "ZADJUSTMENTSSTATE") ? "a.ZADJUSTMENTSSTATE" : a("ZHASADJUSTMENTS");
  const aj = schema.albumJoin;
  const albumPks = aj
    ? `(SELECT group_concat(j.${aj.owner}) FROM ${aj.table} j WHERE j.${aj.member} = a.Z_PK)`
    : "NULL";
  const kj = hasAttributes ? schema.keywordJoin : undefined;
  const keywordPks = kj
    ? `(SELECT group_concat(k.${kj.member}) FROM ${kj.table} k WHERE k.${kj.owner} = attr.Z_PK)`
    : "NULL";
  return `
    SELECT a.Z_PK AS pk, a.ZUUID AS uuid, ${a("ZKIND")} AS kind, ${a("ZKINDSUBTYPE")} AS subtype,
      ${a("ZUNIFORMTYPEIDENTIFIER")} AS uti, ${a("ZDIRECTORY")} AS directory, ${a("ZFILENAME")} AS fileName,
      ${a("ZDATECREATED")} AS created, ${a("ZADDEDDATE")} AS added, ${a("ZMODIFICATIONDATE")} AS modified,
      ${a("ZLATITUDE")} AS latitude, ${a("ZLONGITUDE")} AS longitude, ${a("ZFAVORITE")} AS favorite,
      ${a("ZHIDDEN")} AS hidden, ${a("ZTRASHEDSTATE")} AS trashed, ${adjusted} AS adjusted,
      ${a("ZSAVEDASSETTYPE")} AS savedType, ${a("ZMEDIAGROUPUUID")} AS mediaGroup, ${a("ZWIDTH")} AS width,
      ${a("ZHEIGHT")} AS height, ${a("ZDURATION")} AS duration,
      ${attr("ZORIGINALFILENAME")} AS originalName, ${attr("ZTITLE")} AS title,
      ${attr("ZTIMEZONEOFFSET")} AS tzOffset, ${attr("ZTIMEZONENAME")} AS tzName,
      ${hasDescriptions ? "d.ZLONGDESCRIPTION" : "NULL"} AS caption,
      ${res("o", "ZLOCALAVAILABILITY")} AS originalLocal, ${res("o", "ZDATALENGTH")} AS originalSize,
      ${res("m", "Z_PK")} AS motionPk, ${res("m", "ZLOCALAVAILABILITY")} AS motionLocal,
      ${res("m", "ZDATALENGTH")} AS motionSize, ${albumPks} AS albumPks, ${keywordPks} AS keywordPks
    FROM ${A} a
    ${hasAttributes ? "LEFT JOIN ZADDITIONALASSETATTRIBUTES attr ON attr.ZASSET = a.Z_PK" : ""}
    ${hasDescriptions ? "LEFT JOIN ZASSETDESCRIPTION d ON d.Z_PK = attr.ZASSETDESCRIPTION" : ""}
    ${resourceJoin("o", ORIGINAL)}
    ${resourceJoin("m", LIVE_VIDEO)}
    ORDER BY ${a("ZDATECREATED")} DESC, a.Z_PK DESC`;
}

/** User albums (ZKIND 2, not trashed) by Z_PK, with their folder path below the root folder. */
function loadAlbums(db: DatabaseSync, schema: LibrarySchema): Map<number, AlbumRef> {
  const albums = new Map<number, AlbumRef>();
  if (!schema.albumJoin) return albums;
  const rows = db.prepare(
    "SELECT Z_PK, ZKIND, ZTITLE, ZUUID, ZPARENTFOLDER, ZTRASHEDSTATE FROM ZGENERICALBUM",
  )
    .all();
  const byPk = new Map(rows.map((r) => [Number(r.Z_PK), r]));
  for (const row of rows) {
    if (row.ZKIND !== 2 || (row.ZTRASHEDSTATE ?? 0) !== 0) continue;
    const folders: string[] = [];
    const seen = new Set<number>();
    // Walk up to the root folder (kind 3999), which Photos does not show; `seen` guards cycles.
    for (let parent = byPk.get(Number(row.ZPARENTFOLDER)); parent && parent.ZKIND !== 3999;) {
      const pk = Number(parent.Z_PK);
      if (seen.has(pk)) break;
      seen.add(pk);
      folders.unshift(String(parent.ZTITLE ?? ""));
      parent = byPk.get(Number(parent.ZPARENTFOLDER));
    }
    albums.set(Number(row.Z_PK), { id: String(row.ZUUID), title: String(row.ZTITLE ?? ""), folders });
  }
  return albums;
}

function loadKeywords(db: DatabaseSync, schema: LibrarySchema): Map<number, string> {
  if (!schema.keywordJoin) return new Map();
  return new Map(
    db.prepare("SELECT Z_PK, ZTITLE FROM ZKEYWORD").all().map((r) => [Number(r.Z_PK), String(r.ZTITLE)]),
  );
}

function isoFromCoreData(value: unknown): string | undefined {
  if (typeof value !== "number") return undefined;
  const date = new Date((value + CORE_DATA_EPOCH) * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const text = (value: unknown) => typeof value === "string" && value !== "" ? value : undefined;
const positive = (value: unknown) => typeof value === "number" && value > 0 ? value : undefined;

function ids(list: unknown): number[] {
  return typeof list === "string" ? list.split(",").map(Number) : typeof list === "number" ? [list] : [];
}

interface Lookups {
  library: string;
  albums: Map<number, AlbumRef>;
  keywords: Map<number, string>;
}

function toAsset(row: Row, { library, albums, keywords }: Lookups): Asset {
  const uuid = String(row.uuid);
  const kind = row.kind === 1 ? "video" : "photo";
  const filename = text(row.originalName) ?? text(row.fileName) ?? uuid;
  const directory = text(row.directory) ?? "";
  // A leading "/" makes ZDIRECTORY absolute: the original was referenced, not copied in.
  const referenced = row.savedType === REFERENCED || directory.startsWith("/");
  const folder = directory.startsWith("/") ? directory : join(library, "originals", directory);
  const subtype = KIND_SUBTYPES[Number(row.subtype)];

  const resources: Resource[] = [];
  const originalPath = join(folder, text(row.fileName) ?? filename);
  resources.push({
    role: "original",
    filename,
    uti: text(row.uti),
    size: positive(row.originalSize),
    path: originalPath,
    present: available(row.originalLocal) && existsSync(originalPath),
  });
  if (subtype === "live" || row.motionPk != null) {
    const motionPath = join(folder, `${uuid}_3.mov`);
    const stem = filename.replace(/\.[^.]*$/, "");
    const upper = /\.[A-Z0-9]+$/.test(filename);
    resources.push({
      role: "motion",
      filename: `${stem}.${upper ? "MOV" : "mov"}`,
      uti: "com.apple.quicktime-movie",
      size: positive(row.motionSize),
      path: motionPath,
      present: available(row.motionLocal) && existsSync(motionPath),
    });
  }

  const latitude = row.latitude;
  const longitude = row.longitude;
  const located = typeof latitude === "number" && typeof longitude === "number" &&
    !(latitude === -180 && longitude === -180) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
  const created = isoFromCoreData(row.created);
  const asset: Asset = {
    id: uuid,
    kind,
    filename,
    uti: text(row.uti),
    captured: created
      ? {
        utc: created,
        offsetSeconds: typeof row.tzOffset === "number" ? row.tzOffset : undefined,
        timeZone: text(row.tzName),
      }
      : undefined,
    added: isoFromCoreData(row.added),
    modified: isoFromCoreData(row.modified),
    location: located ? { latitude: latitude as number, longitude: longitude as number } : undefined,
    favorite: row.favorite === 1,
    hidden: row.hidden === 1,
    trashed: row.trashed === 1,
    title: text(row.title),
    caption: text(row.caption),
    keywords: ids(row.keywordPks).map((pk) => keywords.get(pk)).filter((k): k is string => k !== undefined),
    albums: ids(row.albumPks).flatMap((pk) => {
      const album = albums.get(pk);
      return album ? [{ ...album, folders: [...album.folders] }] : [];
    }),
    edited: typeof row.adjusted === "number" && row.adjusted !== 0,
    referenced,
    subtypes: subtype ? [subtype] : [],
    liveContentId: subtype === "live" ? text(row.mediaGroup) : undefined,
    width: positive(row.width),
    height: positive(row.height),
    durationSeconds: kind === "video" ? positive(row.duration) : undefined,
    resources,
  };
  // Drop undefined fields so the asset prints and compares as plain JSON.
  resources.forEach(withoutUndefined);
  if (asset.captured) withoutUndefined(asset.captured);
  return withoutUndefined(asset);
}

/** ZLOCALAVAILABILITY 1 means on disk; without a resource row, trust the file system alone. */
function available(local: unknown): boolean {
  return local === null || local === undefined || local === 1;
}

function withoutUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
