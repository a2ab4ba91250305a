/**
 * Where an asset's files are and whether each is there: the original (in `originals/`, outside
 * the bundle for referenced files, under `scopes/cloudsharing/` for shared albums), the Live
 * Photo's video, the RAW of a RAW+JPEG pair, the camera's `.aae`, and the renders and adjustment
 * data of an edit (`resources/renders/`). Paths follow the database's resource rows; a file is
 * present when Photos says it is local and it exists on disk.
 *
 * Names follow Photos' export conventions: `IMG_0001.HEIC` has the video `IMG_0001.MOV`, the
 * RAW `IMG_0001.CR2`, the camera adjustments `IMG_O0001.AAE` and the edit `IMG_E0001.HEIC`.
 *
 * @example
 * ```ts
 * const resources = assetResources(row, layout); // [{ role: "original", path, present, … }, …]
 * ```
 * @module
 */
import { joinPath } from "../../../core/model/path.ts";
import type { Resource, ResourceRole } from "../../../core/model/asset.ts";
import type { FolderIndex } from "./_disk.ts";
import { DSS, RESOURCE } from "./_query.ts";
import { extensionOf, utiOfCompact } from "./_uti.ts";

/** Where the bundle keeps things; computed once per library. */
export interface Layout {
  library: string;
  originals: string;
  renders: string;
  /** `scopes/cloudsharing/data` (Photos 8+) or `resources/cloudsharing/data` (Photos 5–7). */
  sharedData: string;
  /** Photos 6+ renders HEIC edits as HEIC; Photos 5 always as JPEG. */
  heicRenders: boolean;
  /** Resource UTIs are `ZCOMPACTUTI` codes, not UTI strings. */
  compactUti: boolean;
  /** What is on disk in the bundle, each folder read once in a listing. */
  disk: FolderIndex;
}

/** The asset facts resource paths depend on. */
export interface ResourceFacts {
  uuid: string;
  video: boolean;
  live: boolean;
  edited: boolean;
  sharedAlbum: boolean;
  /** The file Photos shows as the original lives outside the bundle. */
  referenced: boolean;
  /** In a shared moment (iCloud link), kept under `scopes/momentshared/`. */
  momentShare: boolean;
  /** "Shared with You" and not saved to the library, kept under `scopes/syndication/`. */
  syndicatedOnly: boolean;
  /** `ZDIRECTORY`: one hex digit, a shared album's `<person>/<album>`, or an absolute path. */
  directory: string;
  /** `ZFILENAME`: `<UUID>.<ext>` in the bundle, the real name for referenced files. */
  fileName: string;
  /** The user-visible name (`ZORIGINALFILENAME`). */
  filename: string;
  /** The asset's UTI (`ZUNIFORMTYPEIDENTIFIER`). */
  uti?: string;
}

type ResourceRow = [
  subtype: number,
  type: number | null,
  local: number | null,
  length: number | null,
  uti: string | number | null,
  bookmark: string | null,
  volume: string | null,
];

/** What the original turned out to be, for the asset-level facts that depend on it. */
export interface ResourceResult {
  resources: Resource[];
  /** Photos' own word on whether the original is on this Mac (`ZLOCALAVAILABILITY` 1). */
  originalLocal: boolean;
  /** The pair has a RAW alternate (data store subtype 17). */
  hasRawAlternate: boolean;
}

/** Builds the resource list of one asset from its row's `resources` array, in role order. */
export function assetResources(facts: ResourceFacts, list: unknown, layout: Layout): ResourceResult {
  const rows = resourceRows(list);
  const names = namesOf(facts.filename);
  const place: Place = { facts, layout, names, ...originalLocation(facts, rows.original, layout) };
  const original = resource(layout.disk, "original", facts.filename, place.originalPath, rows.original, {
    type: utiOf(rows.original, layout.compactUti) ?? facts.uti,
    external: place.external,
  });
  const resources: Resource[] = [original];
  if (rows.motion || facts.live) resources.push(motionResource(place, rows.motion));
  if (rows.raw) resources.push(rawResource(place, rows.raw));
  if (rows.aae) {
    resources.push(
      resource(
        layout.disk,
        "adjustment",
        named(names, "O", "aae"),
        `${place.folder}/${facts.uuid}_5.aae`,
        rows.aae,
        {
          type: utiOf(rows.aae, layout.compactUti) ?? "com.apple.photos.aae",
        },
      ),
    );
  }
  if (facts.edited) {
    addEdit(resources, facts, { render: rows.render, motionRender: rows.motionRender, layout, names });
  }
  if (facts.sharedAlbum && facts.video) {
    const poster = `${names.stem}.poster.${names.upper ? "JPG" : "jpg"}`;
    resources.push(
      resource(layout.disk, "sidecar", poster, `${place.folder}/${facts.uuid}.poster.JPG`, undefined, {
        type: "public.jpeg",
      }),
    );
  }
  return {
    resources,
    originalLocal: rows.original ? rows.original[RESOURCE.local] === 1 : original.present,
    hasRawAlternate: rows.raw !== undefined,
  };
}

/** The first resource row of each data store subtype the reader uses. */
interface ResourceRows {
  original?: ResourceRow;
  motion?: ResourceRow;
  raw?: ResourceRow;
  aae?: ResourceRow;
  render?: ResourceRow;
  motionRender?: ResourceRow;
}

const ROW_OF_SUBTYPE: Record<number, keyof ResourceRows> = {
  [DSS.original]: "original",
  [DSS.liveVideo]: "motion",
  [DSS.rawAlternate]: "raw",
  [DSS.cameraAdjustments]: "aae",
  [DSS.render]: "render",
  [DSS.liveVideoRender]: "motionRender",
};

function resourceRows(list: unknown): ResourceRows {
  const rows: ResourceRows = {};
  if (!Array.isArray(list)) return rows;
  for (const row of list as ResourceRow[]) {
    const key = ROW_OF_SUBTYPE[row[RESOURCE.subtype]];
    if (key) rows[key] ??= row;
  }
  return rows;
}

/** Where the original is and the folder its companions (video, RAW, `.aae`) sit in. */
interface Place {
  facts: ResourceFacts;
  layout: Layout;
  names: Names;
  folder: string;
  originalPath: string;
  /** The original is outside the bundle (referenced). */
  external: boolean;
}

function originalLocation(
  facts: ResourceFacts,
  row: ResourceRow | undefined,
  layout: Layout,
): Pick<Place, "folder" | "originalPath" | "external"> {
  const external = facts.referenced || facts.directory.startsWith("/");
  if (facts.sharedAlbum && !facts.directory.startsWith("/")) {
    const folder = `${layout.sharedData}/${facts.directory}`;
    // A shared video is kept as a medium-size MP4 and a poster frame.
    const originalPath = facts.video ? `${folder}/${facts.uuid}.medium.MP4` : `${folder}/${facts.fileName}`;
    return { folder, originalPath, external };
  }
  if (external) {
    const candidates = [bookmarkPath(row), joinPath(facts.directory, facts.fileName)].filter(
      (p): p is string => p !== undefined,
    );
    const originalPath = candidates.find((p) => layout.disk.has(p)) ?? candidates[0];
    return { folder: originalPath.slice(0, originalPath.lastIndexOf("/")), originalPath, external };
  }
  const folder = `${layout.originals}/${facts.directory}`;
  const originalPath = `${folder}/${facts.fileName}`;
  const scoped = facts.momentShare ? "momentshared" : facts.syndicatedOnly ? "syndication" : undefined;
  if (scoped) {
    const scopedFolder = `${layout.library}/scopes/${scoped}/originals/${facts.directory}`;
    if (layout.disk.has(`${scopedFolder}/${facts.fileName}`) || !layout.disk.has(originalPath)) {
      return { folder: scopedFolder, originalPath: `${scopedFolder}/${facts.fileName}`, external };
    }
  }
  return { folder, originalPath, external };
}

/** The Live Photo's video: where its bookmark says, else beside the original. */
function motionResource(
  { facts, layout, names, folder, originalPath, external }: Place,
  row?: ResourceRow,
): Resource {
  const bookmarked = bookmarkPath(row);
  const path = bookmarked ??
    (facts.sharedAlbum ? originalPath.replace(/\.[^./]*$/, ".MOV") : `${folder}/${facts.uuid}_3.mov`);
  return resource(layout.disk, "motion", named(names, "", "mov"), path, row, {
    type: utiOf(row, layout.compactUti) ?? MOVIE,
    external: bookmarked !== undefined || external,
  });
}

/** The RAW of a RAW+JPEG pair, named after its type or found by its prefix. */
function rawResource({ facts, layout, names, folder, external }: Place, row: ResourceRow): Resource {
  const rawUti = utiOf(row, layout.compactUti);
  const bookmarked = bookmarkPath(row);
  const rawExt = extensionOf(rawUti);
  const path = bookmarked ??
    (rawExt ? `${folder}/${facts.uuid}_4.${rawExt}` : findByPrefix(folder, `${facts.uuid}_4.`));
  const name = bookmarked
    ? bookmarked.slice(bookmarked.lastIndexOf("/") + 1)
    : named(names, "", path.slice(path.lastIndexOf(".") + 1));
  return resource(layout.disk, "raw", name, path, row, {
    type: rawUti,
    external: bookmarked !== undefined || external,
  });
}

/** The stem of the user-visible name, and whether its extension is upper case. */
function namesOf(filename: string): Names {
  const dot = filename.lastIndexOf(".");
  const stem = dot > 0 ? filename.slice(0, dot) : filename;
  const suffix = dot > 0 ? filename.slice(dot + 1) : "";
  return { stem, upper: suffix !== suffix.toLowerCase() && suffix === suffix.toUpperCase() };
}

const MOVIE = "com.apple.quicktime-movie";

/** The stem and extension case that related files' names follow. */
interface Names {
  stem: string;
  upper: boolean;
}

/** `IMG_0001` + `E` + `heic` -> `IMG_E0001.HEIC` when the original's extension is upper case. */
function named({ stem, upper }: Names, mark: string, extension: string): string {
  return `${mark ? marked(stem, mark) : stem}.${upper ? extension.toUpperCase() : extension.toLowerCase()}`;
}

function utiOf(row: ResourceRow | undefined, compact: boolean): string | undefined {
  const value = row?.[RESOURCE.uti];
  if (value === null || value === undefined) return undefined;
  return compact ? utiOfCompact(value) : String(value);
}

/**
 * One resource. `external`: the path is outside the bundle, where Photos' availability record
 * goes stale (the disk may be back): only the disk decides.
 */
function resource(
  disk: FolderIndex,
  role: ResourceRole,
  filename: string,
  path: string,
  row: ResourceRow | undefined,
  { type, external = false }: { type?: string; external?: boolean },
): Resource {
  const local = row?.[RESOURCE.local];
  const present = (external || local === null || local === undefined || local === 1) && disk.has(path);
  const out: Resource = { role, filename, path, present };
  if (type !== undefined) out.uti = type;
  const size = row?.[RESOURCE.length];
  if (typeof size === "number" && size > 0) out.size = size;
  return out;
}

/** The adjustment data and renders of an edit, from their resource rows or where Photos puts them. */
function addEdit(
  resources: Resource[],
  facts: ResourceFacts,
  { render, motionRender, layout, names }: {
    render?: ResourceRow;
    motionRender?: ResourceRow;
    layout: Layout;
    names: Names;
  },
): void {
  const { uuid } = facts;
  const folder = `${layout.renders}/${uuid[0]}`;
  const plist = `${folder}/${uuid}.plist`;
  if (layout.disk.has(plist)) {
    resources.push(resource(layout.disk, "adjustment", `${marked(names.stem, "E")}.plist`, plist, undefined, {
      type: "com.apple.property-list",
    }));
  }
  if (render && render[RESOURCE.type] === 1 || !render && facts.video) {
    const path = `${folder}/${uuid}_2_0_a.mov`;
    if (render || layout.disk.has(path)) {
      resources.push(
        resource(layout.disk, "edited", named(names, "E", "mov"), path, render, { type: MOVIE }),
      );
    }
  } else {
    // Photos 5 renders every photo edit as JPEG; later releases keep HEIC as HEIC.
    const heic = render
      ? utiOf(render, layout.compactUti) === "public.heic"
      : layout.heicRenders && facts.uti === "public.heic";
    const path = `${folder}/${uuid}_1_201_a.${heic ? "heic" : "jpeg"}`;
    if (render || layout.disk.has(path)) {
      resources.push(resource(layout.disk, "edited", named(names, "E", heic ? "heic" : "jpg"), path, render, {
        type: heic ? "public.heic" : "public.jpeg",
      }));
    }
  }
  if (motionRender || facts.live) {
    const path = `${folder}/${uuid}_2_100_a.mov`;
    if (motionRender || layout.disk.has(path)) {
      resources.push(
        resource(layout.disk, "edited_motion", named(names, "E", "mov"), path, motionRender, { type: MOVIE }),
      );
    }
  }
}

/** `/Volumes/<volume>/<path relative to the volume>` of a referenced file, if the row has one. */
function bookmarkPath(row: ResourceRow | undefined): string | undefined {
  const relative = row?.[RESOURCE.bookmark];
  if (typeof relative !== "string" || relative === "") return undefined;
  const volume = row![RESOURCE.volume];
  return typeof volume === "string" && volume !== ""
    ? joinPath("/Volumes", volume, relative)
    : joinPath("/", relative);
}

/** `IMG_0001` + `E` -> `IMG_E0001` (Photos' export names); other stems get a suffix. */
export function marked(stem: string, letter: string): string {
  const match = /^([A-Za-z]+_)(.+)$/.exec(stem);
  return match ? `${match[1]}${letter}${match[2]}` : `${stem}_${letter}`;
}

/** The first file in `folder` whose name starts with `prefix`, or a path that names the gap. */
function findByPrefix(folder: string, prefix: string): string {
  try {
    for (const entry of Deno.readDirSync(folder)) {
      if (entry.name.startsWith(prefix)) return `${folder}/${entry.name}`;
    }
  } catch {
    // A missing folder is a missing file: reported as absent below.
  }
  return `${folder}/${prefix}raw`;
}
