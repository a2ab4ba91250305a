/**
 * The ISO base media file format (ISO/IEC 14496-12), as far as photos-sync reads it: HEIF/HEIC
 * images (the `Exif` item found through `meta` > `iinf` + `iloc`) and QuickTime/MP4 videos
 * (`moov` > `mvhd` for the creation time and duration, `moov` > `meta` > `keys` + `ilst` for
 * Apple's `com.apple.quicktime.creationdate` and `com.apple.quicktime.content.identifier`).
 * Only the boxes on the way are read; the media data is skipped by seeking.
 *
 * @example
 * ```ts
 * await using file = await RandomAccess.open("IMG_0001.HEIC");
 * const tiff = await heifExif(file);   // the TIFF structure of the EXIF item, if any
 * ```
 * @module
 */
import { ByteCursor, fourCC, type RandomAccess, u16, u32, u64 } from "./_random_access.ts";

export interface Box {
  type: string;
  start: number;
  /** Where the payload starts (after the size, type and any large size). */
  content: number;
  end: number;
}

/** A byte range of the file, `end` excluded. */
export interface Range {
  start: number;
  end: number;
}

/** The boxes of a range of the file; stops quietly at anything malformed. */
export async function* boxes(file: RandomAccess, { start, end }: Range): AsyncGenerator<Box> {
  let at = start;
  for (let guard = 0; at + 8 <= end && guard < 10_000; guard++) {
    const header = await file.read(at, 16);
    let size = u32(header, 0) ?? 0;
    const type = fourCC(header, 4);
    let content = at + 8;
    if (size === 1) {
      size = u64(header, 8) ?? 0;
      content = at + 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < content - at || at + size > end) return;
    yield { type, start: at, content, end: at + size };
    at += size;
  }
}

async function find(file: RandomAccess, where: Range & { type: string }): Promise<Box | undefined> {
  for await (const box of boxes(file, where)) if (box.type === where.type) return box;
  return undefined;
}

/** The most a metadata box or item may weigh; anything larger is not what we are looking for. */
const METADATA_LIMIT = 4 << 20;

/** Reads the payload of a (small) metadata box. */
async function payload(file: RandomAccess, box: Box): Promise<Uint8Array | undefined> {
  const length = box.end - box.content;
  return length <= METADATA_LIMIT ? await file.read(box.content, length) : undefined;
}

/**
 * The start of a `meta` box's children: the ISO `meta` is a full box (4 bytes of version and
 * flags first), QuickTime's `meta` in `moov` is not. Told apart by where the `hdlr` child is.
 */
async function metaChildren(file: RandomAccess, meta: Box): Promise<number> {
  const head = await file.read(meta.content, 12);
  return fourCC(head, 4) === "hdlr" ? meta.content : meta.content + 4;
}

/** The TIFF structure inside a HEIF image's `Exif` item, or undefined. */
export async function heifExif(file: RandomAccess): Promise<Uint8Array | undefined> {
  const meta = await find(file, { start: 0, end: file.size, type: "meta" });
  if (!meta) return undefined;
  const children = await metaChildren(file, meta);
  let iinf: Uint8Array | undefined, iloc: Uint8Array | undefined, idat: Box | undefined;
  for await (const box of boxes(file, { start: children, end: meta.end })) {
    if (box.type === "iinf") iinf = await payload(file, box);
    else if (box.type === "iloc") iloc = await payload(file, box);
    else if (box.type === "idat") idat = box;
  }
  if (!iinf || !iloc) return undefined;
  const id = exifItemId(iinf);
  if (id === undefined) return undefined;
  const extents = itemExtents(iloc, id);
  if (!extents) return undefined;
  const parts: Uint8Array[] = [];
  for (const extent of extents.list) {
    const origin = extents.method === 1 ? (idat?.content ?? NaN) : 0;
    if (Number.isNaN(origin) || extent.length > METADATA_LIMIT) return undefined;
    parts.push(await file.read(origin + extents.base + extent.offset, extent.length));
  }
  const item = concat(parts);
  // The item starts with the offset of the TIFF header past these 4 bytes ("Exif\0\0" between).
  const skip = u32(item, 0);
  return skip === undefined || 4 + skip >= item.length ? undefined : item.subarray(4 + skip);
}

/** The id of the item of type `Exif` in an `iinf` payload. */
function exifItemId(iinf: Uint8Array): number | undefined {
  const version = iinf[0];
  let at = version === 0 ? 6 : 8;
  const count = version === 0 ? u16(iinf, 4) : u32(iinf, 4);
  for (let i = 0; i < (count ?? 0) && at + 8 <= iinf.length; i++) {
    const size = u32(iinf, at) ?? 0;
    if (size < 8 || fourCC(iinf, at + 4) !== "infe") return undefined;
    const infeVersion = iinf[at + 8];
    if (infeVersion >= 2) {
      const idSize = infeVersion === 2 ? 2 : 4;
      const id = idSize === 2 ? u16(iinf, at + 12) : u32(iinf, at + 12);
      const type = fourCC(iinf, at + 12 + idSize + 2);
      if (type === "Exif") return id;
    }
    at += size;
  }
  return undefined;
}

interface Extents {
  /** 0: offsets in the file; 1: offsets in the `idat` box. */
  method: number;
  base: number;
  list: { offset: number; length: number }[];
}

/** Where an item's bytes are, from an `iloc` payload (versions 0, 1 and 2). */
function itemExtents(iloc: Uint8Array, wanted: number): Extents | undefined {
  const version = iloc[0];
  const offsetSize = iloc[4] >> 4, lengthSize = iloc[4] & 15, baseSize = iloc[5] >> 4;
  const indexSize = version === 1 || version === 2 ? iloc[5] & 15 : 0;
  const idSize = version < 2 ? 2 : 4;
  const fields = new ByteCursor(iloc, 6);
  const count = fields.uint(idSize) ?? 0;
  for (let i = 0; i < count && !fields.done; i++) {
    const id = fields.uint(idSize);
    const method = version === 1 || version === 2 ? (fields.uint(2) ?? 0) & 15 : 0;
    fields.skip(2); // data_reference_index
    const base = fields.uint(baseSize);
    const extentCount = fields.uint(2) ?? 0;
    const list: { offset: number; length: number }[] = [];
    for (let e = 0; e < extentCount; e++) {
      fields.skip(indexSize);
      const offset = fields.uint(offsetSize);
      const length = fields.uint(lengthSize);
      if (offset === undefined || length === undefined) return undefined;
      list.push({ offset, length });
    }
    if (base === undefined || fields.done) return undefined;
    if (id === wanted) return { method, base, list };
  }
  return undefined;
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface QuickTimeFacts {
  /** `com.apple.quicktime.creationdate`: local time with its offset, e.g. `2025-05-26T09:27:06-0500`. */
  creationDate?: string;
  /** `com.apple.quicktime.content.identifier`: the Live Photo content identifier. */
  contentId?: string;
  /** `mvhd` creation time, in UTC (undefined when the file leaves it 0). */
  created?: Date;
  durationSeconds?: number;
}

/** Seconds from 1904-01-01 (QuickTime's epoch) to 1970-01-01. */
const MAC_EPOCH = 2_082_844_800;

/** The facts of a QuickTime or MP4 file's `moov` box. */
export async function quickTimeFacts(file: RandomAccess): Promise<QuickTimeFacts> {
  const moov = await find(file, { start: 0, end: file.size, type: "moov" });
  if (!moov) return {};
  const facts: QuickTimeFacts = {};
  for await (const box of boxes(file, { start: moov.content, end: moov.end })) {
    if (box.type === "mvhd") Object.assign(facts, movieHeader(await file.read(box.content, 32)));
    else if (box.type === "meta") Object.assign(facts, await appleKeys(file, box));
  }
  return facts;
}

function movieHeader(mvhd: Uint8Array): Pick<QuickTimeFacts, "created" | "durationSeconds"> {
  const version = mvhd[0];
  const created = version === 1 ? u64(mvhd, 4) : u32(mvhd, 4);
  const timescale = version === 1 ? u32(mvhd, 20) : u32(mvhd, 12);
  const duration = version === 1 ? u64(mvhd, 24) : u32(mvhd, 16);
  return {
    created: created ? new Date((created - MAC_EPOCH) * 1000) : undefined,
    durationSeconds: timescale && duration !== undefined ? duration / timescale : undefined,
  };
}

/** The two Apple keys of a `meta` box with `keys` and `ilst` (QuickTime metadata). */
async function appleKeys(
  file: RandomAccess,
  meta: Box,
): Promise<Pick<QuickTimeFacts, "creationDate" | "contentId">> {
  let keys: string[] = [];
  let ilst: Uint8Array | undefined;
  for await (const box of boxes(file, { start: await metaChildren(file, meta), end: meta.end })) {
    if (box.type === "keys") keys = keyNames((await payload(file, box)) ?? new Uint8Array());
    else if (box.type === "ilst") ilst = await payload(file, box);
  }
  const values = new Map<string, string>();
  for (let at = 0; ilst && at + 8 <= ilst.length;) {
    const size = u32(ilst, at) ?? 0;
    if (size < 8) break;
    // An item's type is the 1-based index of its key; its value is in a `data` child.
    const key = keys[(u32(ilst, at + 4) ?? 0) - 1];
    const dataType = u32(ilst, at + 16);
    if (key && fourCC(ilst, at + 12) === "data" && dataType === 1) {
      const dataSize = u32(ilst, at + 8) ?? 0;
      values.set(key, new TextDecoder().decode(ilst.subarray(at + 24, at + 8 + dataSize)));
    }
    at += size;
  }
  return {
    creationDate: values.get("com.apple.quicktime.creationdate"),
    contentId: values.get("com.apple.quicktime.content.identifier"),
  };
}

function keyNames(keys: Uint8Array): string[] {
  const names: string[] = [];
  const count = u32(keys, 4) ?? 0;
  let at = 8;
  for (let i = 0; i < count && at + 8 <= keys.length; i++) {
    const size = u32(keys, at) ?? 0;
    if (size < 8) break;
    names.push(new TextDecoder().decode(keys.subarray(at + 8, at + size)));
    at += size;
  }
  return names;
}
