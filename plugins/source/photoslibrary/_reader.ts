/**
 * Streams a Photos library's assets as {@link Asset} values: dated assets newest capture first,
 * then the undated ones.
 *
 * The listing statements (see `_query.ts`) return one JSON row per asset; album and keyword ids
 * are resolved against two small maps loaded once, so memory stays flat however large the library
 * is.
 *
 * How the facts are derived, and which of them are heuristics, is in the plugin's README section.
 *
 * @example
 * ```ts
 * for (const asset of readAssets(openPhotosDatabase(path))) console.log(asset.id);
 * ```
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { AlbumRef, Asset, Subtype } from "../../../core/model/asset.ts";
import type { LibrarySchema, PhotosDatabase } from "./_database.ts";
import { exists, FolderIndex } from "./_disk.ts";
import { COLUMN as C, listingQuery, PAGE_ROWS } from "./_query.ts";
import { assetResources, type Layout, type ResourceFacts } from "./_resources.ts";
import { isRawUti } from "./_uti.ts";
import { loadFaces, peopleOf, type StoredFace } from "./_people.ts";
import { loadContributors } from "./_contributors.ts";

/** `ZKINDSUBTYPE` values and the subtype each means (osxphotos, iLEAPP; 3 is iOS' screenshot). */
const KIND_SUBTYPES: Readonly<Record<number, Subtype>> = {
  1: "panorama",
  2: "live",
  3: "screenshot",
  10: "screenshot",
  101: "slomo",
  102: "timelapse",
  103: "screen_recording",
};

/** `ZPLAYBACKSTYLE` 3 is a Live Photo, whatever the subtype says. */
const PLAYBACK_LIVE = 3;

/** `ZSAVEDASSETTYPE`: from an iCloud shared album; a file referenced outside the bundle. */
const SAVED = { sharedAlbum: 4, referenced: 10 } as const;

/**
 * `ZCUSTOMRENDEREDVALUE` (Photos 5–6) holds EXIF CustomRendered: 2 and 3 are HDR (without and with
 * the original kept), 7 portrait HDR, 6 panorama; 4 is the plain twin of an HDR shot.
 */
const CUSTOM_RENDERED = { hdr: new Set([2, 3, 7]), panorama: 6 } as const;

/** `ZAVALANCHEPICKTYPE` bits: Photos' default pick, the user's pick, the key (cover) frame. */
const BURST = { defaultPick: 4, selected: 8, key: 16 } as const;

type Row = unknown[];

/**
 * Yields every asset of the library. Throws SQLite errors as they come; the caller words them.
 * The pages are read in one read transaction, so the listing is one snapshot of the library even
 * while Photos writes.
 */
export function* readAssets(database: PhotosDatabase): Generator<Asset> {
  const { db } = database;
  // A listing that overlaps another on the same connection shares its snapshot.
  const own = !db.isTransaction;
  if (own) db.exec("BEGIN");
  try {
    // Loaded in the transaction, so the maps and the rows are one snapshot.
    const context = readerContext(database);
    for (const { sql, first } of listingQuery(database.schema).pages) {
      const statement = db.prepare(sql);
      // Deno implements node:sqlite's setReturnArrays; its type definitions lag behind.
      (statement as unknown as { setReturnArrays(enabled: boolean): void }).setReturnArrays(true);
      for (let key: unknown[] = first;;) {
        const rows = statement.all(...key as number[]) as unknown as [number, number, string][];
        for (const row of rows) yield toAsset(JSON.parse(row[2]), context);
        if (rows.length < PAGE_ROWS) break;
        key = rows[rows.length - 1].slice(0, 2);
      }
    }
  } finally {
    if (own && db.isTransaction) db.exec("COMMIT");
  }
}

interface ReaderContext {
  layout: Layout;
  albums: Map<number, AlbumRef>;
  keywords: Map<number, string>;
  /** Named faces by asset Z_PK. */
  faces: Map<number, StoredFace[]>;
  /** Shared Library contributors by asset Z_PK. */
  contributors: Map<number, string>;
  /** The HDR column holds EXIF CustomRendered values (Photos 5–6) rather than an HDR type. */
  customRendered: boolean;
}

function readerContext({ db, schema, library }: PhotosDatabase): ReaderContext {
  const heicRenders = schema.modelVersion === undefined || schema.modelVersion >= 14000;
  const modernShared = `${library}/scopes/cloudsharing/data`;
  const legacyShared = `${library}/resources/cloudsharing/data`;
  // Photos 8 moved shared albums under scopes/; trust the disk first, the version second.
  const sharedData = exists(modernShared)
    ? modernShared
    : exists(legacyShared)
    ? legacyShared
    : (schema.modelVersion ?? 16000) >= 16000
    ? modernShared
    : legacyShared;
  return {
    layout: {
      library,
      originals: `${library}/originals`,
      renders: `${library}/resources/renders`,
      sharedData,
      heicRenders,
      compactUti: schema.resourceUti === "compact",
      disk: new FolderIndex(library),
    },
    albums: loadAlbums(db, schema),
    keywords: loadKeywords(db, schema),
    faces: loadFaces(db, schema),
    contributors: loadContributors(db, schema),
    customRendered: schema.facts.hdr === "ZCUSTOMRENDEREDVALUE",
  };
}

/** The library's own albums now (not trashed, not shared), empty ones included. */
export function readAlbums(database: PhotosDatabase): AlbumRef[] {
  return [...loadAlbums(database.db, database.schema).values()].filter((album) => !album.shared);
}

/** Album kinds reported as albums: the user's own (2) and iCloud shared albums (1505). */
const ALBUM_KIND = { user: 2, shared: 1505, rootFolder: 3999 } as const;

/** User and shared albums (not trashed) by Z_PK, with their folder path below the root folder. */
function loadAlbums(db: DatabaseSync, schema: LibrarySchema): Map<number, AlbumRef> {
  const albums = new Map<number, AlbumRef>();
  const columns = schema.columns.get("ZGENERICALBUM");
  if (!schema.albumJoin || !columns?.has("ZKIND")) return albums;
  const col = (name: string) => columns.has(name) ? name : `NULL AS ${name}`;
  const rows = db.prepare(
    `SELECT Z_PK, ZKIND, ${col("ZTITLE")}, ${col("ZUUID")}, ${col("ZPARENTFOLDER")}, ${col("ZTRASHEDSTATE")}
     FROM ZGENERICALBUM`,
  ).all();
  const byPk = new Map(rows.map((r) => [Number(r.Z_PK), r]));
  for (const row of rows) {
    const kind = Number(row.ZKIND);
    if ((kind !== ALBUM_KIND.user && kind !== ALBUM_KIND.shared) || (row.ZTRASHEDSTATE ?? 0) !== 0) continue;
    const folders: string[] = [];
    const seen = new Set<number>();
    // Walk up to the root folder, which Photos does not show; `seen` guards against cycles.
    for (
      let parent = byPk.get(Number(row.ZPARENTFOLDER));
      parent && parent.ZKIND !== ALBUM_KIND.rootFolder;
    ) {
      const pk = Number(parent.Z_PK);
      if (seen.has(pk)) break;
      seen.add(pk);
      folders.unshift(String(parent.ZTITLE ?? ""));
      parent = byPk.get(Number(parent.ZPARENTFOLDER));
    }
    const album: AlbumRef = { id: String(row.ZUUID ?? row.Z_PK), title: String(row.ZTITLE ?? ""), folders };
    if (kind === ALBUM_KIND.shared) album.shared = true;
    albums.set(Number(row.Z_PK), album);
  }
  return albums;
}

function loadKeywords(db: DatabaseSync, schema: LibrarySchema): Map<number, string> {
  if (!schema.keywordJoin || !schema.columns.get("ZKEYWORD")?.has("ZTITLE")) return new Map();
  return new Map(
    db.prepare("SELECT Z_PK, ZTITLE FROM ZKEYWORD").all().map((r) => [Number(r.Z_PK), String(r.ZTITLE)]),
  );
}

const text = (value: unknown) => typeof value === "string" && value !== "" ? value : undefined;
const positive = (value: unknown) => typeof value === "number" && value > 0 ? value : undefined;
const number = (value: unknown) => typeof value === "number" ? value : 0;

function toAsset(row: Row, context: ReaderContext): Asset {
  const facts = resourceFacts(row);
  const { uuid, video, live, uti } = facts;
  const { resources, originalLocal, hasRawAlternate } = assetResources(
    facts,
    row[C.resources],
    context.layout,
  );
  // Keys in a fixed order: optional facts are added after the required ones, always in this order.
  const asset: Asset = {
    id: uuid,
    kind: video ? "video" : "photo",
    filename: facts.filename,
    favorite: row[C.favorite] === 1,
    hidden: row[C.hidden] === 1,
    trashed: row[C.trashed] === 1,
    keywords: keywordsOf(row[C.keywords], context.keywords),
    albums: albumsOf(row[C.albums], context.albums),
    edited: facts.edited,
    cloud: { synced: row[C.cloudGuid] === 1, originalLocal },
    sharing: sharingOf(row, facts, context.contributors),
    referenced: facts.referenced,
    subtypes: subtypesOf(row, facts, { customRendered: context.customRendered, hasRawAlternate }),
    resources,
  };
  if (uti) asset.uti = uti;
  const captured = capturedOf(row);
  if (captured) asset.captured = captured;
  const added = text(row[C.added]);
  if (added) asset.added = added;
  const modified = modifiedOf(row);
  if (modified) asset.modified = modified;
  const location = locationOf(row);
  if (location) asset.location = location;
  const title = text(row[C.title]);
  if (title) asset.title = title;
  const caption = text(row[C.caption]);
  if (caption) asset.caption = caption;
  const burst = burstOf(row);
  if (burst) asset.burst = burst;
  const contentId = live ? text(row[C.mediaGroup]) : undefined;
  if (contentId) asset.liveContentId = contentId;
  if (hasRawAlternate) asset.rawPrimary = row[C.resourceChoice] === 1;
  const width = positive(row[C.width]);
  if (width) asset.width = width;
  const height = positive(row[C.height]);
  if (height) asset.height = height;
  const duration = video ? positive(row[C.duration]) : undefined;
  if (duration) asset.durationSeconds = duration;
  const people = peopleOf(context.faces.get(number(row[C.pk])), number(width), number(height));
  if (people.length > 0) asset.people = people;
  asset.sourceData = sourceDataOf(row, context.customRendered);
  return asset;
}

/**
 * When the asset last changed: the later of its modification date (which Photos bumps on every
 * edit of its metadata) and its adjustment timestamp (a new edit of the pixels); an asset with
 * neither (shared-album assets in Test-Cloud-13.1) has not changed since it was added. ISO strings
 * of one format compare as dates.
 */
function modifiedOf(row: Row): string | undefined {
  const modified = text(row[C.modified]);
  const adjusted = text(row[C.adjustedAt]);
  if (modified && adjusted) return adjusted > modified ? adjusted : modified;
  return modified ?? adjusted ?? text(row[C.added]);
}

/** Shared album and Shared Library scope, and who contributed a Shared Library asset when recorded. */
function sharingOf(row: Row, facts: ResourceFacts, contributors: Map<number, string>): Asset["sharing"] {
  const sharing: NonNullable<Asset["sharing"]> = {
    sharedAlbum: facts.sharedAlbum,
    // A guess shared with osxphotos: no real library with a Shared Library was available.
    sharedLibrary: row[C.libraryScope] === 1 || number(row[C.scopeState]) !== 0,
  };
  const contributor = contributors.get(number(row[C.pk]));
  if (contributor) sharing.contributor = contributor;
  return sharing;
}

/** The facts of a row that say where the asset's files are. */
function resourceFacts(row: Row): ResourceFacts {
  const uuid = String(row[C.uuid]);
  const savedType = row[C.savedType];
  const directory = text(row[C.directory]) ?? "";
  const fileName = text(row[C.fileName]) ?? uuid;
  return {
    uuid,
    video: row[C.kind] === 1,
    live: number(row[C.kindSubtype]) === 2 || row[C.playbackStyle] === PLAYBACK_LIVE,
    edited: number(row[C.adjusted]) !== 0,
    sharedAlbum: savedType === SAVED.sharedAlbum || row[C.published] === 1,
    referenced: savedType === SAVED.referenced || directory.startsWith("/"),
    momentShare: row[C.momentShare] === 1,
    syndicatedOnly: row[C.syndicated] === 1 && number(row[C.syndicationHistory]) === 0,
    directory,
    fileName,
    filename: text(row[C.originalName]) ?? fileName,
    uti: text(row[C.uti]),
  };
}

/** The asset's subtypes, in the order of SUBTYPES, so that equal assets list equal subtypes. */
function subtypesOf(
  row: Row,
  { video, live, uti }: ResourceFacts,
  { customRendered, hasRawAlternate }: { customRendered: boolean; hasRawAlternate: boolean },
): Subtype[] {
  const hdr = number(row[C.hdr]);
  const depth = number(row[C.depth]);
  const subtypes: Subtype[] = [];
  if (live) subtypes.push("live");
  // Depth on a photo is Portrait; on a video it is (probably) Cinematic, below.
  if (depth !== 0 && !video) subtypes.push("portrait");
  if (customRendered ? CUSTOM_RENDERED.hdr.has(hdr) : hdr !== 0) subtypes.push("hdr");
  const kindSubtypeName = KIND_SUBTYPES[number(row[C.kindSubtype])];
  if (kindSubtypeName === "panorama" || customRendered && hdr === CUSTOM_RENDERED.panorama) {
    subtypes.push("panorama");
  }
  for (const name of ["screenshot", "screen_recording", "slomo", "timelapse"] as const) {
    if (kindSubtypeName === name) subtypes.push(name);
  }
  if (depth !== 0 && video) subtypes.push("cinematic");
  if (number(row[C.spatial]) !== 0) subtypes.push("spatial");
  if (hasRawAlternate) subtypes.push("raw_jpeg");
  const make = text(row[C.cameraMake]);
  if (uti === "com.adobe.raw-image" && make?.toLowerCase() === "apple") subtypes.push("proraw");
  if (!hasRawAlternate && isRawUti(uti)) subtypes.push("raw");
  if (text(row[C.burstId])) subtypes.push("burst");
  return subtypes;
}

function capturedOf(row: Row): Asset["captured"] {
  const utc = text(row[C.captured]);
  if (!utc) return undefined;
  const captured: NonNullable<Asset["captured"]> = { utc };
  // Photos leaves ZTIMEZONEOFFSET null for many files whose EXIF has no offset, and keeps the
  // offset it inferred from the place and date beside it.
  const offset = row[C.tzOffset] ?? row[C.tzInferred];
  if (typeof offset === "number") captured.offsetSeconds = offset;
  const zone = text(row[C.tzName]);
  if (zone) captured.timeZone = zone;
  return captured;
}

/** The place, unless it is missing, out of range, or Photos' "no location" (-180, -180). */
function locationOf(row: Row): Asset["location"] {
  const latitude = row[C.latitude];
  const longitude = row[C.longitude];
  const located = typeof latitude === "number" && typeof longitude === "number" &&
    !(latitude === -180 && longitude === -180) && Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180;
  return located ? { latitude: latitude as number, longitude: longitude as number } : undefined;
}

function burstOf(row: Row): Asset["burst"] {
  const id = text(row[C.burstId]);
  if (!id) return undefined;
  const pick = number(row[C.burstPick]);
  return {
    id,
    picked: (pick & (BURST.defaultPick | BURST.selected | BURST.key)) !== 0,
    key: (pick & BURST.key) !== 0,
  };
}

/** Photos' own values behind the derived facts, for `scan` and for finding out what a fact meant. */
function sourceDataOf(row: Row, customRendered: boolean): Record<string, string | number | boolean | null> {
  const data: Record<string, string | number | boolean | null> = {
    kindSubtype: number(row[C.kindSubtype]),
    playbackStyle: row[C.playbackStyle] as number | null,
    savedAssetType: row[C.savedType] as number | null,
    visibility: row[C.visibility] as number | null,
  };
  if (row[C.hdr] !== null) data[customRendered ? "customRendered" : "hdrType"] = number(row[C.hdr]);
  if (row[C.depth] !== null) data.depth = number(row[C.depth]);
  if (row[C.spatial] !== null) data.spatialType = number(row[C.spatial]);
  if (row[C.adjusted] !== null) data.adjustments = number(row[C.adjusted]);
  if (text(row[C.burstId])) data.burstPick = row[C.burstPick] as number | null;
  if (row[C.cloudLocalState] !== null) data.cloudLocalState = row[C.cloudLocalState] as number;
  const undated = row[C.undatedCreated];
  if (typeof undated === "number") data.dateCreated = undated;
  const trashedDate = text(row[C.trashedDate]);
  if (trashedDate) data.trashedDate = trashedDate;
  const make = text(row[C.cameraMake]);
  if (make) data.cameraMake = make;
  return data;
}

function keywordsOf(list: unknown, keywords: Map<number, string>): string[] {
  if (list === null || list === undefined) return [];
  const out: string[] = [];
  for (const pk of String(list).split(",")) {
    const keyword = keywords.get(Number(pk));
    if (keyword !== undefined) out.push(keyword);
  }
  return out.sort();
}

/** `pk:position,…` -> albums ordered by id within the library (stable across runs). */
function albumsOf(list: unknown, albums: Map<number, AlbumRef>): AlbumRef[] {
  if (list === null || list === undefined) return [];
  const out: [number, AlbumRef][] = [];
  for (const entry of String(list).split(",")) {
    const colon = entry.indexOf(":");
    const pk = Number(colon < 0 ? entry : entry.slice(0, colon));
    const album = albums.get(pk);
    if (!album) continue;
    const ref: AlbumRef = { ...album, folders: [...album.folders] };
    const position = colon < 0 ? "" : entry.slice(colon + 1);
    if (position !== "") ref.position = Number(position);
    out.push([pk, ref]);
  }
  return out.sort((x, y) => x[0] - y[0]).map(([, ref]) => ref);
}
