/**
 * One Immich asset as photos-sync's {@link Asset}: the facts the destination's `read` takes from it
 * (favourite, visibility, caption, location, date with its offset, rating, people) read the same
 * way, plus what a source adds: the kind, the file name and size, the Live Photo's motion video.
 * Pure: the listing brings the albums, the keywords and the motion video it found.
 * @module
 */
import type { AlbumRef, Asset, CaptureDate, Resource } from "../../../core/model/asset.ts";
import { capturedOf, fieldsOfImmich, type ImmichAsset } from "../../destination/immich/_read.ts";

/** The parts of Immich's asset JSON (with `withExif`) a source listing reads. */
export interface ListedAsset extends ImmichAsset {
  ownerId: string;
  type: "IMAGE" | "VIDEO" | "AUDIO" | "OTHER";
  originalFileName: string;
  /** Base64 SHA-1 of the original (transcript 10). */
  checksum: string;
  livePhotoVideoId?: string | null;
  fileCreatedAt: string;
  /** `H:MM:SS.ffffff` on 1.x and 2.x, milliseconds on 3.x. */
  duration?: string | number | null;
  /** 3.x only. */
  createdAt?: string;
  exifInfo?: ImmichAsset["exifInfo"] & { fileSizeInByte?: number | null };
}

/** A Live Photo's motion video, as the still's resource needs it. */
export interface Motion {
  id: string;
  filename: string;
  checksum: string;
  size?: number;
}

/** What the listing found about an asset beyond its own JSON. */
export interface Extras {
  albums: AlbumRef[];
  keywords: string[];
  /** Its motion video; absent for a Live Photo whose video is gone (the plan says so). */
  motion?: Motion;
}

export function motionOf(video: ListedAsset): Motion {
  return {
    id: video.id,
    filename: video.originalFileName,
    checksum: video.checksum,
    size: video.exifInfo?.fileSizeInByte ?? undefined,
  };
}

export function assetOf(item: ListedAsset, extras: Extras): Asset {
  const fields = fieldsOfImmich(item, false);
  const original: Resource = {
    role: "original",
    filename: item.originalFileName,
    size: item.exifInfo?.fileSizeInByte ?? undefined,
    present: true,
  };
  const resources = [original];
  if (extras.motion) {
    const { filename, size } = extras.motion;
    resources.push({ role: "motion", filename, size, present: true });
  }
  const asset: Asset = {
    id: item.id,
    kind: item.type === "VIDEO" ? "video" : "photo",
    filename: item.originalFileName,
    captured: capturedAt(item),
    modified: item.updatedAt,
    favorite: fields.favorite!,
    hidden: fields.hidden!,
    trashed: item.isTrashed,
    keywords: extras.keywords,
    people: fields.people,
    albums: extras.albums,
    edited: false,
    referenced: false,
    subtypes: item.livePhotoVideoId ? ["live"] : [],
    resources,
    // What `export` downloads and checks; also shown by `scan`.
    sourceData: {
      visibility: item.visibility,
      checksum: item.checksum,
      motionId: extras.motion?.id ?? null,
      motionChecksum: extras.motion?.checksum ?? null,
    },
    ...dimensions(item),
  };
  if (item.createdAt) asset.added = item.createdAt;
  if (fields.caption) asset.caption = fields.caption;
  if (fields.location) asset.location = fields.location;
  if (fields.rating) asset.rating = fields.rating;
  const duration = seconds(item.duration);
  if (asset.kind === "video" && duration !== undefined) asset.durationSeconds = duration;
  return asset;
}

/** The date Immich shows with its offset; without an EXIF date, the file's date Immich fell back on. */
function capturedAt(item: ListedAsset): CaptureDate {
  const captured = capturedOf(item);
  if (!captured) return { utc: new Date(item.fileCreatedAt).toISOString() };
  return captured.offsetSeconds === null
    ? { utc: captured.utc }
    : { utc: captured.utc, offsetSeconds: captured.offsetSeconds };
}

/** Width and height as shown: Immich keeps the sensor's, so a quarter turn (orientation 5 to 8) swaps them. */
function dimensions(item: ListedAsset): { width?: number; height?: number } {
  const { exifImageWidth: w, exifImageHeight: h, orientation } = item.exifInfo ?? {};
  if (!w || !h) return {};
  return ["5", "6", "7", "8"].includes(String(orientation))
    ? { width: h, height: w }
    : { width: w, height: h };
}

/** `0:00:01.910000` or 1910 (ms, 3.x) as seconds. */
function seconds(duration: ListedAsset["duration"]): number | undefined {
  if (typeof duration === "number") return duration / 1000;
  const parts = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(duration ?? "");
  if (!parts) return undefined;
  return Number(parts[1]) * 3600 + Number(parts[2]) * 60 + Number(parts[3]);
}
