/**
 * What Immich's metadata extraction (exiftool) takes from the uploaded file itself, as recorded in
 * transcripts 14 and 15: the EXIF capture date, read as UTC when it carries no offset (so the
 * instant moves by the local offset), and IFD0's ImageDescription, which counts even when blank.
 * @module
 */
import { readExifFacts } from "../../plugins/source/folder/_media.ts";
import type { Container } from "../../plugins/source/folder/_media.ts";

export interface FileFacts {
  /** `2020-01-05T12:41:41.273` or with its offset `…+02:00`, as the XMP-style text the emulator parses. */
  dateTimeOriginal?: string;
  /** Trimmed; `""` for a blank tag, which still beats a sidecar's `dc:description`. */
  imageDescription?: string;
}

const CONTAINERS: Record<string, Container> = {
  ".jpg": "jpeg",
  ".jpeg": "jpeg",
  ".heic": "heif",
  ".heif": "heif",
  ".tif": "tiff",
  ".tiff": "tiff",
  ".dng": "tiff",
};

/** The facts of the stored file at `path` (extension `ext`, lower case with the dot). */
export async function readFileFacts(path: string, ext: string): Promise<FileFacts> {
  const container = CONTAINERS[ext];
  if (!container) return {};
  const exif = await readExifFacts(path, container);
  const facts: FileFacts = {};
  const m = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(exif.dateTimeOriginal ?? "");
  if (m) {
    const sub = /^\d+$/.test(exif.subSecTimeOriginal ?? "") ? `.${exif.subSecTimeOriginal!.slice(0, 3)}` : "";
    const offset = exif.offsetTimeOriginal ?? (container === "jpeg" ? await iptcOffset(path) : undefined);
    facts.dateTimeOriginal = `${m[1]}-${m[2]}-${m[3]}T${m[4]}${sub}${offset ?? ""}`;
  }
  if (exif.imageDescription !== undefined) facts.imageDescription = exif.imageDescription;
  return facts;
}

/**
 * The offset of IPTC TimeCreated (record 2:60, `HHMMSS±HHMM`) in a JPEG's Photoshop segment, which
 * exiftool-vendored takes as the zone of an offset-less EXIF date (transcript 17's wedding.jpg).
 */
async function iptcOffset(path: string): Promise<string | undefined> {
  const file = await Deno.open(path);
  try {
    const head = new Uint8Array(256 * 1024);
    const n = (await file.read(head)) ?? 0;
    const text = new TextDecoder("latin1").decode(head.subarray(0, n));
    // The IPTC tag marker 0x1c, record 2, dataset 60 (`<`), an 11-byte length.
    const m = new RegExp("\u001c\u0002<\u0000\u000b\\d{6}([+-]\\d{2})(\\d{2})").exec(text);
    return m ? `${m[1]}:${m[2]}` : undefined;
  } finally {
    file.close();
  }
}
