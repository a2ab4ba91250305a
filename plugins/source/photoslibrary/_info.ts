/**
 * Facts about a library as a whole, for `scan` and diagnostics: the Photos release, the schema
 * names the reader discovered, and how many albums of each kind it holds.
 *
 * @example
 * ```ts
 * libraryInfo(openPhotosDatabase(path)).release; // "Photos 11.1 (macOS 26.1)"
 * ```
 * @module
 */
import { type JoinTable, type PhotosDatabase, photosRelease } from "./_database.ts";

/**
 * Facts about the library as a whole, as `scan` shows them: plain JSON.
 *
 * @example
 * ```ts
 * const info = libraryInfo(database); // { modelVersion: 19320, assetTable: "ZASSET", … }
 * ```
 */
export function libraryInfo({ db, schema, library, immutable }: PhotosDatabase): Record<string, unknown> {
  const join = (j: JoinTable | undefined) =>
    j ? `${j.table}(${[j.owner, j.member, j.order].filter(Boolean).join(", ")})` : null;
  const count = (sql: string) => {
    try {
      return Number(db.prepare(sql).get()?.n ?? 0);
    } catch {
      return null;
    }
  };
  const albums = schema.columns.get("ZGENERICALBUM")?.has("ZKIND")
    ? Object.fromEntries(
      db.prepare("SELECT ZKIND AS kind, count(*) AS n FROM ZGENERICALBUM GROUP BY ZKIND").all()
        .map((r) => [String(r.kind), Number(r.n)]),
    )
    : {};
  const kinds = {
    user: 2,
    folders: 4000,
    rootFolders: 3999,
    shared: 1505,
    smart: 1507,
    importSessions: 1506,
    projects: 1508,
  };
  const hasImportSession = schema.columns.get(schema.assetTable)?.has("ZIMPORTSESSION");
  return {
    library,
    release: photosRelease(schema.modelVersion),
    modelVersion: schema.modelVersion ?? null,
    assetTable: schema.assetTable,
    assetEntity: schema.assetEntity ?? null,
    albumJoin: join(schema.albumJoin),
    keywordJoin: join(schema.keywordJoin),
    columns: {
      edited: schema.facts.edited ?? null,
      hdr: schema.facts.hdr ?? null,
      depth: schema.facts.depth ?? null,
      spatial: schema.facts.spatial ?? null,
      resourceUti: schema.resourceUti === "compact"
        ? "ZCOMPACTUTI"
        : schema.resourceUti === "table"
        ? "ZUNIFORMTYPEIDENTIFIER"
        : null,
    },
    writeAheadLog: !immutable,
    albums: Object.fromEntries(Object.entries(kinds).map(([name, kind]) => [name, albums[kind] ?? 0])),
    assetsInImportSessions: hasImportSession
      ? count(`SELECT count(*) AS n FROM ${schema.assetTable} WHERE ZIMPORTSESSION IS NOT NULL`)
      : null,
  };
}
