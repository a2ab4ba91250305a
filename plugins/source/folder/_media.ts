/**
 * What the folder source learns from a media file's own metadata: when it was captured (with the
 * camera's UTC offset when recorded), the Live Photo content identifier, the image size and the
 * video duration. Every reader falls back quietly: a file without readable metadata is still an
 * asset, dated by its modification time.
 *
 * - JPEG: EXIF in the APP1 segment.
 * - HEIF/HEIC/AVIF: EXIF in the `Exif` item of the `meta` box.
 * - TIFF-based RAW (DNG, CR2, NEF, ARW, ORF, RW2, PEF…) and TIFF: EXIF at the start of the file.
 * - QuickTime/MP4: `com.apple.quicktime.creationdate` (local time with offset), else the `mvhd`
 *   creation time (UTC), plus `com.apple.quicktime.content.identifier`.
 * - Anything else (PNG, GIF, WebP, CR3…): modification time only.
 *
 * @example
 * ```ts
 * const facts = await readMediaFacts("/card/DCIM/100APPLE/IMG_0001.HEIC", "heif");
 * facts.captured; // { utc: "2025-05-26T14:27:06.603Z", offsetSeconds: -18000 }
 * ```
 * @module
 */
import type { CaptureDate } from "../../../core/model/asset.ts";
import { heifExif, quickTimeFacts } from "./_isobmff.ts";
import { RandomAccess, u16 } from "./_random_access.ts";
import { type ExifFacts, parseTiff } from "./_tiff.ts";

export type Container = "jpeg" | "heif" | "tiff" | "quicktime" | "other";

export interface MediaFacts {
  captured?: CaptureDate;
  /** Live Photo content identifier (HEIC/JPEG MakerNote MediaGroupUUID, MOV content.identifier). */
  contentId?: string;
  width?: number;
  height?: number;
  durationSeconds?: number;
}

/** Reads the facts of one file; never throws for damaged or unknown content. */
export async function readMediaFacts(path: string, container: Container): Promise<MediaFacts> {
  if (container === "other") return {};
  try {
    await using file = await RandomAccess.open(path);
    if (container === "quicktime") {
      const qt = await quickTimeFacts(file);
      const captured = parseIsoWithOffset(qt.creationDate) ??
        (qt.created && qt.created.getTime() > 0 ? { utc: qt.created.toISOString() } : undefined);
      return clean({ captured, contentId: qt.contentId, durationSeconds: qt.durationSeconds });
    }
    const tiff = container === "jpeg"
      ? await jpegExif(file)
      : container === "heif"
      ? await heifExif(file)
      : await file.read(0, 1 << 20);
    if (!tiff) return {};
    const exif = parseTiff(tiff);
    return clean({
      captured: exifCapture(exif),
      contentId: exif.mediaGroupUUID,
      width: exif.width,
      height: exif.height,
    });
  } catch {
    return {};
  }
}

/** The raw EXIF facts of a JPEG, HEIF or TIFF-based file; empty when it has none or is damaged. */
export async function readExifFacts(path: string, container: Container): Promise<ExifFacts> {
  if (container !== "jpeg" && container !== "heif" && container !== "tiff") return {};
  try {
    await using file = await RandomAccess.open(path);
    const tiff = container === "jpeg"
      ? await jpegExif(file)
      : container === "heif"
      ? await heifExif(file)
      : await file.read(0, 1 << 20);
    return tiff ? parseTiff(tiff) : {};
  } catch {
    return {};
  }
}

/** The TIFF structure of a JPEG's `Exif` APP1 segment; stops at the image data. */
async function jpegExif(file: RandomAccess): Promise<Uint8Array | undefined> {
  const start = await file.read(0, 2);
  if (start[0] !== 0xff || start[1] !== 0xd8) return undefined;
  let at = 2;
  for (let segment = 0; segment < 64 && at + 4 <= file.size; segment++) {
    const head = await file.read(at, 4);
    if (head[0] !== 0xff) return undefined;
    const marker = head[1];
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return undefined; // image data: no EXIF before it
    const length = u16(head, 2) ?? 0;
    if (marker === 0xe1 && length > 8) {
      const body = await file.read(at + 4, length - 2);
      if (new TextDecoder().decode(body.subarray(0, 6)) === "Exif\0\0") return body.subarray(6);
    }
    at += 2 + length;
  }
  return undefined;
}

/**
 * The capture date of EXIF facts: DateTimeOriginal with its sub-seconds and OffsetTimeOriginal,
 * else the digitized time, else IFD0's DateTime. Without an offset the time is read in this
 * computer's time zone (a camera without a clock zone records the local time where it is used).
 */
export function exifCapture(exif: ExifFacts): CaptureDate | undefined {
  const candidates: [string | undefined, string | undefined, string | undefined][] = [
    [exif.dateTimeOriginal, exif.subSecTimeOriginal, exif.offsetTimeOriginal],
    [exif.dateTimeDigitized, exif.subSecTimeDigitized, exif.offsetTimeDigitized],
    [exif.dateTime, undefined, exif.offsetTime],
  ];
  for (const [dateTime, subSec, offset] of candidates) {
    const m = dateTime?.match(/^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/);
    if (!m) continue;
    const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
    if (year < 1800 || month < 1 || month > 12 || day < 1 || day > 31) continue;
    const ms = subSec && /^\d+$/.test(subSec) ? Math.round(Number(`0.${subSec}`) * 1000) : 0;
    const offsetSeconds = parseOffset(offset);
    if (offsetSeconds !== undefined) {
      const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetSeconds * 1000;
      return { utc: new Date(utc).toISOString(), offsetSeconds };
    }
    return { utc: new Date(year, month - 1, day, hour, minute, second, ms).toISOString() };
  }
  return undefined;
}

/** `+02:00`, `-0500`, `Z` -> seconds east of UTC. */
function parseOffset(offset: string | undefined): number | undefined {
  if (offset === "Z") return 0;
  const m = offset?.match(/^([+-])(\d{2}):?(\d{2})$/);
  if (!m) return undefined;
  return (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60);
}

/** `2025-05-26T09:27:06-0500` (Apple's creationdate) -> capture date with offset. */
export function parseIsoWithOffset(text: string | undefined): CaptureDate | undefined {
  const m = text?.trim().match(
    /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/,
  );
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const ms = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  const offsetSeconds = parseOffset(m[8])!;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetSeconds * 1000;
  if (Number.isNaN(utc)) return undefined;
  return { utc: new Date(utc).toISOString(), offsetSeconds };
}

function clean<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}
