/**
 * Test helpers private to this folder: tiny but structurally real media files (a JPEG with an EXIF
 * APP1 segment, a TIFF-based RAW, a QuickTime movie with `mvhd` and Apple metadata keys), so the
 * folder source's readers meet the same bytes a camera writes.
 *
 * @example
 * ```ts
 * await Deno.writeFile("IMG_0001.JPG", jpeg({ dateTimeOriginal: "2024:05:01 12:00:00", offset: "+02:00" }));
 * ```
 * @module
 */

export interface ExifSample {
  dateTimeOriginal?: string;
  subSec?: string;
  offset?: string;
  /** Written as an Apple MakerNote MediaGroupUUID (tag 0x0011). */
  contentId?: string;
  /** Intel byte order ("II") instead of Motorola ("MM"). */
  littleEndian?: boolean;
}

/** A TIFF structure: IFD0 -> Exif IFD with the given tags (and an Apple MakerNote). */
export function tiff(sample: ExifSample): Uint8Array {
  const ascii = (s: string) => new TextEncoder().encode(s + "\0");
  const exifTags: [number, number, Uint8Array][] = [];
  if (sample.dateTimeOriginal) exifTags.push([0x9003, 2, ascii(sample.dateTimeOriginal)]);
  if (sample.offset) exifTags.push([0x9011, 2, ascii(sample.offset)]);
  if (sample.subSec) exifTags.push([0x9291, 2, ascii(sample.subSec)]);
  if (sample.contentId) exifTags.push([0x927c, 7, appleMakerNote(sample.contentId)]);
  const ifd0At = 8;
  const exifAt = ifd0At + 2 + 12 + 4;
  const dataAt = exifAt + 2 + exifTags.length * 12 + 4;
  const size = dataAt + exifTags.reduce((n, [, , v]) => n + v.length + (v.length % 2), 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const le = sample.littleEndian ?? false;
  out.set(le ? [0x49, 0x49, 42, 0] : [0x4d, 0x4d, 0, 42]);
  view.setUint32(4, ifd0At, le);
  view.setUint16(ifd0At, 1, le);
  view.setUint16(ifd0At + 2, 0x8769, le);
  view.setUint16(ifd0At + 4, 4, le);
  view.setUint32(ifd0At + 6, 1, le);
  view.setUint32(ifd0At + 10, exifAt, le);
  view.setUint16(exifAt, exifTags.length, le);
  let data = dataAt;
  exifTags.forEach(([tag, type, value], i) => {
    const e = exifAt + 2 + i * 12;
    view.setUint16(e, tag, le);
    view.setUint16(e + 2, type, le);
    view.setUint32(e + 4, value.length, le);
    if (value.length <= 4) out.set(value, e + 8);
    else {
      view.setUint32(e + 8, data, le);
      out.set(value, data);
      data += value.length + (value.length % 2);
    }
  });
  return out;
}

/** Apple's MakerNote layout: "Apple iOS\0", version, "MM", then an IFD relative to its start. */
function appleMakerNote(contentId: string): Uint8Array {
  const value = new TextEncoder().encode(contentId + "\0");
  const out = new Uint8Array(14 + 2 + 12 + 4 + value.length);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode("Apple iOS\0"));
  out.set([0, 1, 0x4d, 0x4d], 10);
  view.setUint16(14, 1);
  view.setUint16(16, 0x0011);
  view.setUint16(18, 2);
  view.setUint32(20, value.length);
  view.setUint32(24, 32);
  out.set(value, 32);
  return out;
}

/** A JPEG: SOI, an EXIF APP1 segment when given, then a scan that is not real image data. */
export function jpeg(sample?: ExifSample, filler = "pixels"): Uint8Array {
  const parts: number[] = [0xff, 0xd8];
  if (sample) {
    const body = [...new TextEncoder().encode("Exif\0\0"), ...tiff(sample)];
    parts.push(0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body);
  }
  parts.push(0xff, 0xda, 0, 2, ...new TextEncoder().encode(filler), 0xff, 0xd9);
  return new Uint8Array(parts);
}

function box(type: string, ...children: Uint8Array[]): Uint8Array {
  const length = 8 + children.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(length);
  new DataView(out.buffer).setUint32(0, length);
  out.set(new TextEncoder().encode(type), 4);
  let at = 8;
  for (const c of children) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function bytes(...values: [number, number][]): Uint8Array {
  const out = new Uint8Array(values.reduce((n, [, size]) => n + size, 0));
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [value, size] of values) {
    if (size === 4) view.setUint32(at, value);
    else if (size === 2) view.setUint16(at, value);
    else out[at] = value;
    at += size;
  }
  return out;
}

export interface MovieSample {
  durationSeconds: number;
  /** `mvhd` creation time; omitted: 0 (unset). */
  created?: Date;
  creationDate?: string;
  contentId?: string;
  /** Put `moov` after the media data, as iPhones do. */
  moovLast?: boolean;
}

/** A QuickTime movie with no tracks: `ftyp`, `mdat` and `moov` with `mvhd` and Apple's keys. */
export function movie(sample: MovieSample): Uint8Array {
  const timescale = 600;
  const created = sample.created ? Math.round(sample.created.getTime() / 1000) + 2_082_844_800 : 0;
  const mvhd = box(
    "mvhd",
    bytes([0, 4], [created, 4], [created, 4], [timescale, 4], [
      Math.round(sample.durationSeconds * timescale),
      4,
    ]),
    new Uint8Array(80),
  );
  const entries: [string, string][] = [];
  if (sample.creationDate) entries.push(["com.apple.quicktime.creationdate", sample.creationDate]);
  if (sample.contentId) entries.push(["com.apple.quicktime.content.identifier", sample.contentId]);
  const encode = (s: string) => new TextEncoder().encode(s);
  const keys = box(
    "keys",
    bytes([0, 4], [entries.length, 4]),
    ...entries.map(([key]) => {
      const name = encode(key);
      return new Uint8Array([...bytes([8 + name.length, 4]), ...encode("mdta"), ...name]);
    }),
  );
  const ilst = box(
    "ilst",
    ...entries.map(([, value], i) => {
      const data = box("data", bytes([1, 4], [0, 4]), encode(value));
      const item = new Uint8Array(8 + data.length);
      new DataView(item.buffer).setUint32(0, item.length);
      new DataView(item.buffer).setUint32(4, i + 1);
      item.set(data, 8);
      return item;
    }),
  );
  const hdlr = box("hdlr", bytes([0, 4], [0, 4]), encode("mdta"), new Uint8Array(12));
  const moov = box("moov", mvhd, box("meta", hdlr, keys, ilst));
  const ftyp = box("ftyp", encode("qt  "), bytes([0, 4]), encode("qt  "));
  const mdat = box("mdat", encode("not really video"));
  const order = sample.moovLast === false ? [ftyp, moov, mdat] : [ftyp, mdat, moov];
  const out = new Uint8Array(order.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of order) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}
