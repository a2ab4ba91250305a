/**
 * A tiny PNG encoder (8-bit RGB, no interlace) for the sample library. Real image tools open its
 * output, which is the point: the sample must carry genuine images, not placeholder bytes.
 *
 * @example
 * ```ts
 * const png = encodePng(new Uint8Array([255, 0, 0, 0, 0, 255]), { width: 2, height: 1, text: { Comment: "hi" } });
 * ```
 * @module
 */
import { deflateSync } from "node:zlib";

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE: Uint8Array = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * CRC-32 (ISO 3309, the polynomial PNG and zip use) of `bytes`, as an unsigned integer.
 *
 * @example
 * ```ts
 * crc32(new TextEncoder().encode("IEND")); // 0xae426082
 * ```
 */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // The CRC covers the type and the data, not the length.
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** Options of {@link encodePng}. */
export interface EncodePngOptions {
  width: number;
  height: number;
  /** Latin-1 `tEXt` chunks, keyword to text; also what makes otherwise equal images differ. */
  text?: Record<string, string>;
}

/**
 * Encodes `rgb` (width*height*3 bytes, rows top to bottom) as a PNG file.
 *
 * @example
 * ```ts
 * const png = encodePng(new Uint8Array([0, 128, 255]), { width: 1, height: 1 });
 * ```
 */
export function encodePng(rgb: Uint8Array, options: EncodePngOptions): Uint8Array {
  const { width, height } = options;
  if (rgb.length !== width * height * 3) {
    throw new RangeError(`encodePng: expected ${width * height * 3} RGB bytes, got ${rgb.length}`);
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 2, 0, 0, 0], 8); // bit depth 8, colour type RGB, deflate, filter 0, no interlace
  // Each row starts with its filter type; 0 (none) keeps the encoder trivial.
  const raw = new Uint8Array(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), y * (1 + width * 3) + 1);
  }
  const latin1 = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);
  const parts = [PNG_SIGNATURE, chunk("IHDR", header)];
  for (const [keyword, text] of Object.entries(options.text ?? {})) {
    parts.push(chunk("tEXt", latin1(`${keyword}\0${text}`)));
  }
  parts.push(chunk("IDAT", new Uint8Array(deflateSync(raw))), chunk("IEND", new Uint8Array(0)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
