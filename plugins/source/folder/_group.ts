/**
 * Turns the files of one folder into assets, the way a person would group them:
 *
 * - a Live Photo is a photo and a video with the same content identifier (HEIC/JPEG MakerNote
 *   MediaGroupUUID = MOV content.identifier), or, when neither says otherwise, a photo and a video
 *   of at most {@link LIVE_MAX_SECONDS} seconds with the same name stem (`IMG_0001.HEIC` + `.MOV`);
 * - a RAW and a JPEG/HEIC of the same stem are one asset (`raw_jpeg`; the JPEG is the original);
 * - iPhone exports' edited copies `IMG_E0001.*` are the `edited` (or `edited_motion`) resource of
 *   `IMG_0001`;
 * - `.xmp` sidecars (`IMG_0001.HEIC.xmp` or `IMG_0001.xmp`) are the asset's `sidecar`; `.aae`
 *   files (`IMG_0001.AAE`, and the camera's `IMG_O0001.AAE`) are its `adjustment`.
 *
 * Names are compared without regard to case (cameras and exports disagree on it).
 *
 * @example
 * ```ts
 * const groups = groupFolder(files);   // files: every entry of one folder, with its facts
 * ```
 * @module
 */
import type { ResourceRole } from "../../../core/model/asset.ts";
import type { Container, MediaFacts } from "./_media.ts";

/** The longest video still taken for a Live Photo's motion when only the names match. */
export const LIVE_MAX_SECONDS = 5;

export type FileClass =
  | { kind: "photo" | "video"; container: Container; uti?: string; raw: boolean }
  | { kind: "xmp" | "aae" };

const MEDIA: Record<string, { kind: "photo" | "video"; container: Container; uti?: string; raw?: boolean }> =
  {
    jpg: { kind: "photo", container: "jpeg", uti: "public.jpeg" },
    jpeg: { kind: "photo", container: "jpeg", uti: "public.jpeg" },
    jpe: { kind: "photo", container: "jpeg", uti: "public.jpeg" },
    heic: { kind: "photo", container: "heif", uti: "public.heic" },
    heif: { kind: "photo", container: "heif", uti: "public.heif" },
    hif: { kind: "photo", container: "heif", uti: "public.heif" },
    avif: { kind: "photo", container: "heif", uti: "public.avif" },
    png: { kind: "photo", container: "other", uti: "public.png" },
    gif: { kind: "photo", container: "other", uti: "com.compuserve.gif" },
    webp: { kind: "photo", container: "other", uti: "org.webmproject.webp" },
    bmp: { kind: "photo", container: "other", uti: "com.microsoft.bmp" },
    jxl: { kind: "photo", container: "other", uti: "public.jpeg-xl" },
    tif: { kind: "photo", container: "tiff", uti: "public.tiff" },
    tiff: { kind: "photo", container: "tiff", uti: "public.tiff" },
    dng: { kind: "photo", container: "tiff", uti: "com.adobe.raw-image", raw: true },
    cr2: { kind: "photo", container: "tiff", uti: "com.canon.cr2-raw-image", raw: true },
    nef: { kind: "photo", container: "tiff", uti: "com.nikon.raw-image", raw: true },
    nrw: { kind: "photo", container: "tiff", uti: "com.nikon.nrw-raw-image", raw: true },
    arw: { kind: "photo", container: "tiff", uti: "com.sony.arw-raw-image", raw: true },
    srw: { kind: "photo", container: "tiff", uti: "com.samsung.raw-image", raw: true },
    orf: { kind: "photo", container: "tiff", uti: "com.olympus.raw-image", raw: true },
    rw2: { kind: "photo", container: "tiff", uti: "com.panasonic.rw2-raw-image", raw: true },
    pef: { kind: "photo", container: "tiff", uti: "com.pentax.raw-image", raw: true },
    cr3: { kind: "photo", container: "other", uti: "com.canon.cr3-raw-image", raw: true },
    raf: { kind: "photo", container: "other", uti: "com.fuji.raw-image", raw: true },
    mov: { kind: "video", container: "quicktime", uti: "com.apple.quicktime-movie" },
    qt: { kind: "video", container: "quicktime", uti: "com.apple.quicktime-movie" },
    mp4: { kind: "video", container: "quicktime", uti: "public.mpeg-4" },
    m4v: { kind: "video", container: "quicktime", uti: "com.apple.m4v-video" },
    "3gp": { kind: "video", container: "quicktime", uti: "public.3gpp" },
    avi: { kind: "video", container: "other", uti: "public.avi" },
    mkv: { kind: "video", container: "other" },
    webm: { kind: "video", container: "other" },
    mts: { kind: "video", container: "other", uti: "public.avchd-mpeg-2-transport-stream" },
    m2ts: { kind: "video", container: "other", uti: "public.avchd-mpeg-2-transport-stream" },
    mpg: { kind: "video", container: "other", uti: "public.mpeg" },
  };

/** What a file is, by its extension; undefined for files the source ignores. */
export function classify(name: string): FileClass | undefined {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const ext = name.slice(dot + 1).toLowerCase();
  if (ext === "xmp") return { kind: "xmp" };
  if (ext === "aae") return { kind: "aae" };
  const media = MEDIA[ext];
  return media ? { ...media, raw: media.raw ?? false } : undefined;
}

export interface FolderFile {
  name: string;
  path: string;
  size: number;
  mtime?: Date;
  class: FileClass;
  /** Metadata of photos and videos (empty for sidecars). */
  facts: MediaFacts;
}

export interface GroupedResource {
  role: ResourceRole;
  file: FolderFile;
}

/** One asset: its primary file (the original) and every file that belongs to it. */
export interface Group {
  primary: FolderFile;
  resources: GroupedResource[];
  /** The content identifier that made or confirms a Live Photo pair. */
  contentId?: string;
}

const stemOf = (name: string) => {
  const dot = name.lastIndexOf(".");
  return (dot > 0 ? name.slice(0, dot) : name).toLowerCase();
};

/** A photo or video (not a sidecar). */
type MediaFile = FolderFile & { class: { kind: "photo" | "video"; raw: boolean } };

const isMedia = (f: FolderFile): f is MediaFile => f.class.kind === "photo" || f.class.kind === "video";

/** `IMG_E0001` -> `img_0001`: the stem an iPhone export's edited copy belongs to. */
function editedBase(stem: string): string | undefined {
  const m = stem.match(/^([a-z]+_)e(\d.*)$/);
  return m ? m[1] + m[2] : undefined;
}

/** `IMG_O0001` -> `img_0001`: the camera's original adjustments. */
function originalAdjustmentBase(stem: string): string | undefined {
  const m = stem.match(/^([a-z]+_)o(\d.*)$/);
  return m ? m[1] + m[2] : undefined;
}

/** Media files of the same stem and kind. */
type StemLookup = (stem: string, kind: "photo" | "video") => MediaFile[];

/** Groups the files of one folder into assets, in name order of their primary file. */
export function groupFolder(files: FolderFile[]): Group[] {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const media = sorted.filter(isMedia);
  // Files that belong to another file's asset; never the primary of one of their own.
  const used = new Set<FolderFile>();
  const mediaByStem = indexBy(media, (f) => stemOf(f.name));
  const byStem: StemLookup = (stem, kind) =>
    (mediaByStem.get(stem) ?? []).filter((f) => f.class.kind === kind);

  // Edited copies first, so that they are never taken for originals or Live Photo halves.
  const editedOf = editedCopies(media, byStem, used);
  const rawOf = rawPartners(media, byStem, used);
  const motionOf = livePairs(media, used);
  const groupOf = new Map<FolderFile, Group>();
  const groups = media.filter((f) => !used.has(f)).map((f) => newGroup(f, motionOf.get(f), rawOf.get(f)));
  for (const group of groups) for (const r of group.resources) groupOf.set(r.file, group);
  attachEdited(editedOf, groupOf);
  attachSidecars(sorted.filter((f) => f.class.kind === "xmp" || f.class.kind === "aae"), groupOf);
  return groups;
}

/** iPhone exports' edited copies (`IMG_E0001.*`), each with the original it belongs to. */
function editedCopies(
  media: MediaFile[],
  byStem: StemLookup,
  used: Set<FolderFile>,
): Map<FolderFile, FolderFile> {
  const editedOf = new Map<FolderFile, FolderFile>();
  for (const f of media) {
    const base = editedBase(stemOf(f.name));
    const original = base ? byStem(base, f.class.kind)[0] : undefined;
    if (original) {
      editedOf.set(f, original);
      used.add(f);
    }
  }
  return editedOf;
}

/** RAW + JPEG/HEIC of the same stem: the processed image (key) is the original, the RAW its partner. */
function rawPartners(
  media: MediaFile[],
  byStem: StemLookup,
  used: Set<FolderFile>,
): Map<FolderFile, FolderFile> {
  const rawOf = new Map<FolderFile, FolderFile>();
  for (const raw of media.filter((f) => f.class.kind === "photo" && f.class.raw && !used.has(f))) {
    const partner = byStem(stemOf(raw.name), "photo").find((p) =>
      !p.class.raw && !used.has(p) && !rawOf.has(p)
    );
    if (partner) {
      rawOf.set(partner, raw);
      used.add(raw);
    }
  }
  return rawOf;
}

/** Live Photos, each photo with its motion video: by content identifier anywhere in the folder, then by name. */
function livePairs(media: FolderFile[], used: Set<FolderFile>): Map<FolderFile, FolderFile> {
  const motionOf = new Map<FolderFile, FolderFile>();
  const photos = media.filter((f) => f.class.kind === "photo" && !used.has(f));
  const videos = media.filter((f) => f.class.kind === "video" && !used.has(f));
  const videosById = indexBy(videos.filter((v) => v.facts.contentId), (v) => v.facts.contentId!);
  const videosByStem = indexBy(videos, (v) => stemOf(v.name));
  const pair = (photo: FolderFile, candidates: FolderFile[] = []) => {
    const video = candidates.find((v) => !used.has(v));
    if (video) {
      motionOf.set(photo, video);
      used.add(video);
    }
  };
  for (const photo of photos) {
    if (photo.facts.contentId) pair(photo, videosById.get(photo.facts.contentId));
  }
  for (const photo of photos) {
    if (motionOf.has(photo)) continue;
    const fits = (v: FolderFile) =>
      (v.facts.durationSeconds ?? Infinity) <= LIVE_MAX_SECONDS &&
      // Two different identifiers are two different captures, whatever their names.
      !(photo.facts.contentId && v.facts.contentId && photo.facts.contentId !== v.facts.contentId);
    pair(photo, videosByStem.get(stemOf(photo.name))?.filter(fits));
  }
  return motionOf;
}

function newGroup(primary: FolderFile, motion?: FolderFile, raw?: FolderFile): Group {
  const group: Group = {
    primary,
    resources: [{ role: "original", file: primary }],
    contentId: primary.facts.contentId ?? motion?.facts.contentId,
  };
  if (motion) group.resources.push({ role: "motion", file: motion });
  if (raw) group.resources.push({ role: "raw", file: raw });
  return group;
}

/** Adds each edited copy to its original's asset: `edited`, or `edited_motion` for a Live Photo's video. */
function attachEdited(editedOf: Map<FolderFile, FolderFile>, groupOf: Map<FolderFile, Group>): void {
  for (const [edited, original] of editedOf) {
    const group = groupOf.get(original);
    if (!group) continue;
    const isMotion = group.resources.find((r) => r.file === original)?.role === "motion";
    group.resources.push({ role: isMotion ? "edited_motion" : "edited", file: edited });
    groupOf.set(edited, group);
  }
}

/** Sidecars: by full name first (`IMG_0001.HEIC.xmp`), then by stem, preferring a photo's asset. */
function attachSidecars(sidecars: FolderFile[], groupOf: Map<FolderFile, Group>): void {
  const byName = new Map([...groupOf].map(([file, group]) => [file.name.toLowerCase(), group]));
  const byGroupStem = new Map<string, Group>();
  for (const [file, group] of groupOf) {
    const stem = stemOf(file.name);
    const known = byGroupStem.get(stem);
    if (!known || (known.primary.class.kind !== "photo" && group.primary.class.kind === "photo")) {
      byGroupStem.set(stem, group);
    }
  }
  for (const sidecar of sidecars) {
    const stem = stemOf(sidecar.name);
    const original = originalAdjustmentBase(stem);
    const group = (sidecar.class.kind === "xmp" ? byName.get(stem) : undefined) ?? byGroupStem.get(stem) ??
      (sidecar.class.kind === "aae" && original ? byGroupStem.get(original) : undefined);
    group?.resources.push({ role: sidecar.class.kind === "xmp" ? "sidecar" : "adjustment", file: sidecar });
  }
}

function indexBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = index.get(k);
    if (list) list.push(item);
    else index.set(k, [item]);
  }
  return index;
}
