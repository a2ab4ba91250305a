/**
 * Reads the EXIF facts photos-sync needs from a TIFF structure: the capture date with its offset,
 * the image size, and Apple's MakerNote `MediaGroupUUID` (tag 0x0011), the Live Photo content
 * identifier that also sits in the paired video. The same structure is inside a JPEG's APP1
 * segment, a HEIC's `Exif` item and at the start of TIFF-based RAW files (DNG, CR2, NEF, ARW…).
 *
 * Damaged data never throws: what cannot be read is simply absent.
 *
 * @example
 * ```ts
 * const facts = parseTiff(tiffBytes);
 * facts.dateTimeOriginal; // "2025:05:26 09:27:06"
 * ```
 * @module
 */

export interface ExifFacts {
  /** `YYYY:MM:DD HH:MM:SS`, local time of the capture. */
  dateTimeOriginal?: string;
  subSecTimeOriginal?: string;
  /** `+HH:MM` / `-HH:MM`. */
  offsetTimeOriginal?: string;
  dateTimeDigitized?: string;
  subSecTimeDigitized?: string;
  offsetTimeDigitized?: string;
  /** IFD0's DateTime: when the file was last changed, the last resort. */
  dateTime?: string;
  offsetTime?: string;
  make?: string;
  model?: string;
  width?: number;
  height?: number;
  /** Apple MakerNote tag 0x0011: the Live Photo content identifier. */
  mediaGroupUUID?: string;
  /** IFD0's ImageDescription, trimmed; `""` when the tag holds only blanks (cameras fill it so). */
  imageDescription?: string;
}

const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
};

interface Entry {
  type: number;
  count: number;
  /** Offset of the value within the buffer (inline values point into the entry). */
  at: number;
}

class Tiff {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array, readonly little: boolean) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u16(at: number): number | undefined {
    return at >= 0 && at + 2 <= this.bytes.length ? this.view.getUint16(at, this.little) : undefined;
  }

  u32(at: number): number | undefined {
    return at >= 0 && at + 4 <= this.bytes.length ? this.view.getUint32(at, this.little) : undefined;
  }

  /** The entries of the IFD at `offset`; value offsets are relative to `base`. */
  ifd(offset: number, base = 0): Map<number, Entry> {
    const entries = new Map<number, Entry>();
    const count = this.u16(offset);
    if (count === undefined || count > 1000) return entries;
    for (let i = 0; i < count; i++) {
      const e = offset + 2 + i * 12;
      const tag = this.u16(e), type = this.u16(e + 2), n = this.u32(e + 4);
      if (tag === undefined || type === undefined || n === undefined) break;
      const size = (TYPE_SIZES[type] ?? 0) * n;
      const at = size <= 4 ? e + 8 : base + (this.u32(e + 8) ?? -1);
      if (size > 0 && at >= 0 && at + size <= this.bytes.length) entries.set(tag, { type, count: n, at });
    }
    return entries;
  }

  text(entry: Entry | undefined): string | undefined {
    if (!entry || (entry.type !== 2 && entry.type !== 7)) return undefined;
    const raw = this.bytes.subarray(entry.at, entry.at + entry.count);
    const end = raw.indexOf(0);
    const value = new TextDecoder().decode(end < 0 ? raw : raw.subarray(0, end)).trim();
    return value === "" ? undefined : value;
  }

  number(entry: Entry | undefined): number | undefined {
    if (!entry) return undefined;
    if (entry.type === 3) return this.u16(entry.at);
    if (entry.type === 4) return this.u32(entry.at);
    return undefined;
  }
}

const TAG = {
  imageDescription: 0x010e,
  make: 0x010f,
  model: 0x0110,
  dateTime: 0x0132,
  exifIfd: 0x8769,
  dateTimeOriginal: 0x9003,
  dateTimeDigitized: 0x9004,
  offsetTime: 0x9010,
  offsetTimeOriginal: 0x9011,
  offsetTimeDigitized: 0x9012,
  subSecTimeOriginal: 0x9291,
  subSecTimeDigitized: 0x9292,
  makerNote: 0x927c,
  pixelXDimension: 0xa002,
  pixelYDimension: 0xa003,
  appleMediaGroupUUID: 0x0011,
};

/** The facts of a TIFF structure that starts at byte 0 of `bytes`. */
export function parseTiff(bytes: Uint8Array): ExifFacts {
  const order = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (order !== "II" && order !== "MM") return {};
  const tiff = new Tiff(bytes, order === "II");
  // 42 is TIFF; Panasonic RW2 says 0x55 and Olympus ORF 0x4f52 / 0x5352, with the same layout.
  if (![42, 0x55, 0x4f52, 0x5352].includes(tiff.u16(2) ?? 0)) return {};
  const ifd0 = tiff.ifd(tiff.u32(4) ?? -1);
  const facts: ExifFacts = {
    make: tiff.text(ifd0.get(TAG.make)),
    model: tiff.text(ifd0.get(TAG.model)),
    dateTime: tiff.text(ifd0.get(TAG.dateTime)),
    imageDescription: ifd0.has(TAG.imageDescription)
      ? tiff.text(ifd0.get(TAG.imageDescription)) ?? ""
      : undefined,
  };
  const exifOffset = tiff.number(ifd0.get(TAG.exifIfd));
  if (exifOffset !== undefined) {
    const exif = tiff.ifd(exifOffset);
    Object.assign(facts, {
      dateTimeOriginal: tiff.text(exif.get(TAG.dateTimeOriginal)),
      subSecTimeOriginal: tiff.text(exif.get(TAG.subSecTimeOriginal)),
      offsetTimeOriginal: tiff.text(exif.get(TAG.offsetTimeOriginal)),
      dateTimeDigitized: tiff.text(exif.get(TAG.dateTimeDigitized)),
      subSecTimeDigitized: tiff.text(exif.get(TAG.subSecTimeDigitized)),
      offsetTimeDigitized: tiff.text(exif.get(TAG.offsetTimeDigitized)),
      offsetTime: tiff.text(exif.get(TAG.offsetTime)),
      width: tiff.number(exif.get(TAG.pixelXDimension)),
      height: tiff.number(exif.get(TAG.pixelYDimension)),
      mediaGroupUUID: appleMediaGroup(bytes, exif.get(TAG.makerNote)),
    });
  }
  for (const key of Object.keys(facts) as (keyof ExifFacts)[]) {
    if (facts[key] === undefined) delete facts[key];
  }
  return facts;
}

/**
 * Apple's MakerNote: "Apple iOS\0", two version bytes and its own byte order ("MM"), then an IFD
 * whose value offsets count from the start of the MakerNote.
 */
function appleMediaGroup(bytes: Uint8Array, makerNote: Entry | undefined): string | undefined {
  if (!makerNote || makerNote.count < 16) return undefined;
  const note = bytes.subarray(makerNote.at, makerNote.at + makerNote.count);
  if (new TextDecoder().decode(note.subarray(0, 9)) !== "Apple iOS") return undefined;
  const order = String.fromCharCode(note[12], note[13]);
  if (order !== "MM" && order !== "II") return undefined;
  const tiff = new Tiff(note, order === "II");
  return tiff.text(tiff.ifd(14).get(TAG.appleMediaGroupUUID));
}
