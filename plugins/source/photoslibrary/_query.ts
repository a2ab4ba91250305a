/**
 * The SQL of a listing, built from the discovered schema. Each asset is one row: the asset and
 * attributes columns, its caption, and its resources, albums and keywords folded into one value
 * each by indexed correlated subqueries, so no asset costs a query of its own and SQLite streams
 * the rows in date order straight from the date index.
 *
 * The row is a single JSON array: handing 47 values one by one to JavaScript costs more than
 * SQLite building one string and `JSON.parse` reading it (about a quarter of the listing's time
 * on 100,000 assets). SQLite writes reals with 17 significant digits, so nothing is lost.
 *
 * The reader takes the rows in pages of a few hundred (keyset paging along the same index, in one
 * read transaction), which costs less than stepping through them one at a time.
 *
 * A column this schema lacks reads as NULL, so older or newer schemas degrade to missing facts,
 * never to errors. The benchmark hands the unpaged statements to the `sqlite3` tool as its peer.
 *
 * @example
 * ```ts
 * const { statements, column } = listingQuery(schema);
 * for (const sql of statements) {
 *   for (const { row } of db.prepare(sql).iterate()) JSON.parse(row as string)[column.uuid];
 * }
 * ```
 * @module
 */
import type { LibrarySchema } from "./_database.ts";

/**
 * The row's fields, in the order of the row's JSON array. Dates are ISO-8601 UTC strings, made by
 * SQLite (`undatedCreated` keeps a capture date that is no date, as stored). `resources` is an
 * array of `[dataStoreSubtype, resourceType, localAvailability, dataLength, uti, bookmarkPath,
 * volumeName]`; `albums` is `albumPk:position,…`; `keywords` is `pk,…`.
 */
const FIELDS = [
  "pk",
  "uuid",
  "kind",
  "kindSubtype",
  "playbackStyle",
  "uti",
  "directory",
  "fileName",
  "captured",
  "undatedCreated",
  "added",
  "modified",
  "adjustedAt",
  "trashedDate",
  "latitude",
  "longitude",
  "favorite",
  "hidden",
  "trashed",
  "visibility",
  "adjusted",
  "savedType",
  "mediaGroup",
  "width",
  "height",
  "duration",
  "hdr",
  "depth",
  "spatial",
  "burstId",
  "burstPick",
  "cloudGuid",
  "cloudLocalState",
  "published",
  "scopeState",
  "libraryScope",
  "momentShare",
  "cameraMake",
  "originalName",
  "title",
  "tzOffset",
  "tzName",
  "tzInferred",
  "resourceChoice",
  "syndicated",
  "syndicationHistory",
  "caption",
  "resources",
  "albums",
  "keywords",
] as const;

export type Field = typeof FIELDS[number];

/** Index of each field in a row's JSON array. */
export const COLUMN: Readonly<Record<Field, number>> = Object.fromEntries(
  FIELDS.map((f, i) => [f, i]),
) as Record<
  Field,
  number
>;

/** Data store subtypes (`ZDATASTORESUBTYPE`) of the library's own store that the reader reports. */
export const DSS = {
  original: 1,
  render: 2,
  rawAlternate: 17,
  liveVideo: 18,
  liveVideoRender: 19,
  cameraAdjustments: 22,
} as const;

/**
 * Capture dates outside 1826 (the oldest photograph) to 9999 are damage, not dates: such assets
 * are listed after the dated ones. In Core Data seconds (since 2001-01-01 UTC).
 */
export const PLAUSIBLE_DATES = { from: -5_585_000_000, to: 252_423_000_000 } as const;

/** Seconds between the Unix epoch and Core Data's reference date 2001-01-01 UTC. */
const CORE_DATA_EPOCH = 978_307_200;

/** ISO-8601 UTC with milliseconds of a Core Data timestamp; NULL outside years 0–9999. */
function iso(expression: string): string {
  return expression === "NULL"
    ? "NULL"
    : `strftime('%Y-%m-%dT%H:%M:%fZ', ${expression} + ${CORE_DATA_EPOCH}, 'unixepoch')`;
}

/**
 * One listing statement in pages: `sql` takes the last row's `[key1, key2]` (start with `first`)
 * and returns at most `PAGE_ROWS` rows of `[key1, key2, row JSON]`.
 */
export interface Paged {
  sql: string;
  first: [number, number];
}

export interface ListingQuery {
  /** The whole listing, run in order: dated assets newest first, then the undated ones. */
  statements: string[];
  /** The same statements, read page by page (see {@link Paged}). */
  pages: Paged[];
  column: typeof COLUMN;
}

/**
 * Rows per page. Taking rows a page at a time with `all()` costs less than stepping through them
 * one by one, and a page of JSON rows is a few hundred kilobytes at most.
 */
export const PAGE_ROWS = 500;

/** Builds the listing statements for this schema. */
export function listingQuery(schema: LibrarySchema): ListingQuery {
  const names = sqlNames(schema);
  const created = names.a("ZDATECREATED");
  const dated = `${created} BETWEEN ${PLAUSIBLE_DATES.from} AND ${PLAUSIBLE_DATES.to}`;
  const expressions: Record<Field, string> = {
    ...assetFields(names, created, dated),
    ...attributeFields(names),
    resources: resourcesExpression(schema),
    albums: albumsExpression(schema),
  };
  // json() keeps the resources a nested array instead of a string within the row.
  const values = FIELDS.map((f) => f === "resources" ? `json(${expressions[f]})` : expressions[f]);
  const select = `SELECT json_array(${values.join(",\n  ")}) AS row
FROM ${schema.assetTable} a
${names.hasAttributes ? "LEFT JOIN ZADDITIONALASSETATTRIBUTES attr ON attr.ZASSET = a.Z_PK" : ""}
${names.hasDescriptions ? "LEFT JOIN ZASSETDESCRIPTION d ON d.Z_PK = attr.ZASSETDESCRIPTION" : ""}`;
  return inOrder(select, created, dated);
}

/** How the listing names the columns of this schema: `a.ZNAME`, `attr.ZNAME`, or NULL where one is missing. */
interface SqlNames {
  schema: LibrarySchema;
  has(table: string, name: string): boolean;
  /** An asset-table column (`a.`), NULL for none or a missing one. */
  a(name: string | undefined): string;
  /** A column of the additional attributes (`attr.`). */
  attr(name: string): string;
  hasAttributes: boolean;
  hasDescriptions: boolean;
}

function sqlNames(schema: LibrarySchema): SqlNames {
  const has = (table: string, name: string) => schema.columns.get(table)?.has(name) ?? false;
  const hasAttributes = has("ZADDITIONALASSETATTRIBUTES", "ZASSET");
  const attr = (name: string) =>
    hasAttributes && has("ZADDITIONALASSETATTRIBUTES", name) ? `attr.${name}` : "NULL";
  return {
    schema,
    has,
    a: (name) => name && has(schema.assetTable, name) ? `a.${name}` : "NULL",
    attr,
    hasAttributes,
    hasDescriptions: attr("ZASSETDESCRIPTION") !== "NULL" && has("ZASSETDESCRIPTION", "ZLONGDESCRIPTION"),
  };
}

const notNull = (expr: string) => expr === "NULL" ? "NULL" : `(${expr} IS NOT NULL)`;

/** The fields read from the asset table itself; `created` is its creation date, `dated` says it is plausible. */
function assetFields({ schema, has, a }: SqlNames, created: string, dated: string) {
  return {
    pk: "a.Z_PK",
    uuid: "a.ZUUID",
    kind: a("ZKIND"),
    kindSubtype: a("ZKINDSUBTYPE"),
    playbackStyle: a("ZPLAYBACKSTYLE"),
    uti: a("ZUNIFORMTYPEIDENTIFIER"),
    directory: a("ZDIRECTORY"),
    fileName: a("ZFILENAME"),
    captured: created === "NULL" ? "NULL" : `CASE WHEN ${dated} THEN ${iso(created)} END`,
    undatedCreated: created === "NULL" ? "NULL" : `CASE WHEN ${dated} THEN NULL ELSE ${created} END`,
    added: iso(a("ZADDEDDATE")),
    modified: iso(a("ZMODIFICATIONDATE")),
    adjustedAt: iso(a("ZADJUSTMENTTIMESTAMP")),
    trashedDate: iso(a("ZTRASHEDDATE")),
    latitude: a("ZLATITUDE"),
    longitude: a("ZLONGITUDE"),
    favorite: a("ZFAVORITE"),
    hidden: a("ZHIDDEN"),
    trashed: a("ZTRASHEDSTATE"),
    visibility: a("ZVISIBILITYSTATE"),
    adjusted: a(schema.facts.edited),
    savedType: a("ZSAVEDASSETTYPE"),
    mediaGroup: a("ZMEDIAGROUPUUID"),
    width: a("ZWIDTH"),
    height: a("ZHEIGHT"),
    duration: a("ZDURATION"),
    hdr: a(schema.facts.hdr),
    depth: a(schema.facts.depth),
    spatial: a(schema.facts.spatial),
    burstId: a("ZAVALANCHEUUID"),
    burstPick: a("ZAVALANCHEPICKTYPE"),
    cloudGuid: notNull(a("ZCLOUDASSETGUID")),
    cloudLocalState: a("ZCLOUDLOCALSTATE"),
    published: notNull(a("ZCLOUDBATCHPUBLISHDATE")),
    scopeState: a("ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE"),
    libraryScope: notNull(a("ZLIBRARYSCOPE")),
    momentShare: notNull(a("ZMOMENTSHARE")),
    cameraMake: a("ZEXTENDEDATTRIBUTES") !== "NULL" && has("ZEXTENDEDATTRIBUTES", "ZCAMERAMAKE")
      // Only DNGs need it (ProRAW is Apple's DNG); the lookup is skipped for every other asset.
      ? `CASE WHEN a.ZUNIFORMTYPEIDENTIFIER = 'com.adobe.raw-image' THEN
        (SELECT e.ZCAMERAMAKE FROM ZEXTENDEDATTRIBUTES e WHERE e.Z_PK = a.ZEXTENDEDATTRIBUTES) END`
      : "NULL",
  };
}

/** The fields read from the additional attributes, the description and the keywords. */
function attributeFields({ schema, attr, hasAttributes, hasDescriptions }: SqlNames) {
  const keywords = schema.keywordJoin;
  return {
    originalName: attr("ZORIGINALFILENAME"),
    title: attr("ZTITLE"),
    tzOffset: attr("ZTIMEZONEOFFSET"),
    tzName: attr("ZTIMEZONENAME"),
    tzInferred: attr("ZINFERREDTIMEZONEOFFSET"),
    resourceChoice: attr("ZORIGINALRESOURCECHOICE"),
    syndicated: notNull(attr("ZSYNDICATIONIDENTIFIER")),
    syndicationHistory: attr("ZSYNDICATIONHISTORY"),
    caption: hasDescriptions ? "d.ZLONGDESCRIPTION" : "NULL",
    keywords: hasAttributes && keywords
      ? `(SELECT group_concat(k.${keywords.member}) FROM ${keywords.table} k
           WHERE k.${keywords.owner} = attr.Z_PK)`
      : "NULL",
  };
}

/** The statements of `select` in listing order (dated newest first, then undated), whole and in pages. */
function inOrder(select: string, created: string, dated: string): ListingQuery {
  const keyed = select.replace("SELECT json_array(", "SELECT $KEY, a.Z_PK, json_array(");
  const byPk = (where: string) => ({
    sql: `${
      keyed.replace("$KEY", "a.Z_PK")
    }\nWHERE (${where}) AND a.Z_PK > ?2\nORDER BY a.Z_PK LIMIT ${PAGE_ROWS}`,
    first: [0, -Infinity] as [number, number],
  });
  if (created === "NULL") {
    return { statements: [`${select}\nORDER BY a.Z_PK`], pages: [byPk("1")], column: COLUMN };
  }
  const undated = `NOT (${dated}) OR ${created} IS NULL`;
  return {
    statements: [
      `${select}\nWHERE ${dated}\nORDER BY ${created} DESC, a.Z_PK DESC`,
      `${select}\nWHERE ${undated}\nORDER BY a.Z_PK`,
    ],
    pages: [
      {
        // The last row's date is the next page's upper bound, so each page starts in the index.
        sql: `${keyed.replace("$KEY", created)}
WHERE ${created} >= ${PLAUSIBLE_DATES.from} AND ${created} <= ?1 AND (${created} < ?1 OR a.Z_PK < ?2)
ORDER BY ${created} DESC, a.Z_PK DESC LIMIT ${PAGE_ROWS}`,
        first: [PLAUSIBLE_DATES.to, Infinity],
      },
      byPk(undated),
    ],
    column: COLUMN,
  };
}

function resourcesExpression(schema: LibrarySchema): string {
  const has = (name: string) => schema.columns.get("ZINTERNALRESOURCE")?.has(name) ?? false;
  if (!has("ZASSET") || !has("ZDATASTORESUBTYPE")) return "NULL";
  const r = (name: string) => has(name) ? `r.${name}` : "NULL";
  const uti = schema.resourceUti === "compact"
    ? "r.ZCOMPACTUTI"
    : schema.resourceUti === "table"
    ? "(SELECT u.ZIDENTIFIER FROM ZUNIFORMTYPEIDENTIFIER u WHERE u.Z_PK = r.ZUNIFORMTYPEIDENTIFIER)"
    : "NULL";
  // Only referenced files have bookmarks; the lookups run for those rows alone.
  const [bookmark, volume] = schema.bookmarks
    ? [
      `CASE WHEN r.ZFILESYSTEMBOOKMARK IS NOT NULL THEN (SELECT b.ZPATHRELATIVETOVOLUME FROM ZFILESYSTEMBOOKMARK b
         WHERE b.Z_PK = r.ZFILESYSTEMBOOKMARK) END`,
      `CASE WHEN r.ZFILESYSTEMVOLUME IS NOT NULL THEN (SELECT v.ZNAME FROM ZFILESYSTEMVOLUME v
         WHERE v.Z_PK = r.ZFILESYSTEMVOLUME) END`,
    ]
    : ["NULL", "NULL"];
  const ownStore = has("ZDATASTORECLASSID") ? "r.ZDATASTORECLASSID = 0 AND " : "";
  // Renders of the current edit are version 2; version 0 rows of subtype 2 are derivatives.
  const version = has("ZVERSION") ? "r.ZVERSION = 2" : "0";
  return `(SELECT json_group_array(json_array(r.ZDATASTORESUBTYPE, ${r("ZRESOURCETYPE")},
      ${r("ZLOCALAVAILABILITY")}, ${r("ZDATALENGTH")}, ${uti}, ${bookmark}, ${volume}))
    FROM ZINTERNALRESOURCE r
    WHERE r.ZASSET = a.Z_PK AND ${ownStore}(r.ZDATASTORESUBTYPE IN (${DSS.original}, ${DSS.rawAlternate},
      ${DSS.liveVideo}, ${DSS.cameraAdjustments}) OR (r.ZDATASTORESUBTYPE IN (${DSS.render},
      ${DSS.liveVideoRender}) AND ${version})))`;
}

function albumsExpression(schema: LibrarySchema): string {
  const join = schema.albumJoin;
  if (!join) return "NULL";
  const position = join.order ? `ifnull(j.${join.order}, '')` : "''";
  return `(SELECT group_concat(j.${join.owner} || ':' || ${position}) FROM ${join.table} j
    WHERE j.${join.member} = a.Z_PK)`;
}

/** Index of each resource tuple field inside the `resources` JSON. */
export const RESOURCE = {
  subtype: 0,
  type: 1,
  local: 2,
  length: 3,
  uti: 4,
  bookmark: 5,
  volume: 6,
} as const;
