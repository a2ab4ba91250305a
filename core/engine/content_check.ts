/**
 * The content check: every exported file is compared with the media type its name claims, once,
 * before any destination sees it. An empty file or a text file named `.jpg` is a problem to show
 * the user, not a photo to upload. Types this check does not know pass.
 * @module
 */
import { extName } from "../model/path.ts";
import type { ExportedFile } from "../model/plan.ts";
import { PermanentError } from "../plugin/errors.ts";

interface Signature {
  type: string;
  matches(head: Uint8Array): boolean;
}

const ascii = (head: Uint8Array, at: number, text: string) =>
  [...text].every((c, i) => head[at + i] === c.charCodeAt(0));
const startsWith = (...bytes: number[]) => (head: Uint8Array) => bytes.every((b, i) => head[i] === b);
/** ISO base media (HEIC, HEIF, AVIF, MP4, MOV, CR3): a box type at byte 4; old QuickTime files start with others. */
const isoBox = (head: Uint8Array) =>
  ["ftyp", "moov", "mdat", "wide", "free", "skip", "pnot", "uuid"].some((box) => ascii(head, 4, box));
/** TIFF and the RAW formats built on it (DNG, CR2, NEF, ARW, ORF, RW2, PEF): byte order mark first. */
const tiffLike = (head: Uint8Array) => ascii(head, 0, "II") || ascii(head, 0, "MM");
/** AAE and XMP sidecars are XML (a plist may be binary). */
const xmlLike = (head: Uint8Array) => {
  const text = new TextDecoder().decode(head).replace(/^\uFEFF/, "").trimStart();
  return text.startsWith("<") || ascii(head, 0, "bplist");
};

const JPEG: Signature = { type: "JPEG", matches: startsWith(0xff, 0xd8, 0xff) };
const ISO: Signature = { type: "HEIF/QuickTime/MP4", matches: isoBox };
const TIFF: Signature = { type: "TIFF/RAW", matches: tiffLike };
const XML: Signature = { type: "XML", matches: xmlLike };

const BY_EXTENSION: Record<string, Signature> = {
  jpg: JPEG,
  jpeg: JPEG,
  png: { type: "PNG", matches: startsWith(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) },
  gif: { type: "GIF", matches: (h) => ascii(h, 0, "GIF8") },
  webp: { type: "WebP", matches: (h) => ascii(h, 0, "RIFF") && ascii(h, 8, "WEBP") },
  heic: ISO,
  heif: ISO,
  avif: ISO,
  mov: ISO,
  mp4: ISO,
  m4v: ISO,
  cr3: ISO,
  tif: TIFF,
  tiff: TIFF,
  dng: TIFF,
  cr2: TIFF,
  nef: TIFF,
  arw: TIFF,
  orf: TIFF,
  rw2: TIFF,
  pef: TIFF,
  aae: XML,
  xmp: XML,
};

/** Why this file's content is not what its name says, or undefined when it is (or the type is unknown). */
export function contentProblem(name: string, head: Uint8Array, size: number): string | undefined {
  if (size === 0) return `${name} is empty (0 bytes)`;
  const signature = BY_EXTENSION[extName(name).slice(1).toLowerCase()];
  if (!signature || signature.matches(head)) return undefined;
  return `${name} does not hold ${signature.type} data, although its name says so (it starts with ${
    preview(head)
  })`;
}

function preview(head: Uint8Array): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(head.subarray(0, 12));
  return /^[\x20-\x7e]+$/.test(text)
    ? JSON.stringify(text)
    : [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
}

async function readHead(path: string): Promise<Uint8Array> {
  using file = await Deno.open(path);
  const head = new Uint8Array(32);
  let filled = 0;
  while (filled < head.length) {
    const n = await file.read(head.subarray(filled));
    if (n === null) break;
    filled += n;
  }
  return head.subarray(0, filled);
}

/** Throws a PermanentError (the asset is recorded as a problem) for the first file whose content is wrong. */
export async function checkContents(assetName: string, files: readonly ExportedFile[]): Promise<void> {
  for (const file of files) {
    const problem = contentProblem(
      file.name,
      file.size === 0 ? new Uint8Array() : await readHead(file.path),
      file.size,
    );
    if (problem) {
      throw new PermanentError(
        `${problem}; nothing of ${assetName} was sent. Check the original in the library, ` +
          `then run \`photos-sync review --retry\` once it is fixed`,
      );
    }
  }
}
