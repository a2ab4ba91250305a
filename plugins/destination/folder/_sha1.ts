/**
 * SHA-1 of a short text, as hex, computed here instead of by node:crypto: names need it at once
 * (no `await`), and node:crypto would bring the Node compatibility layer (about 20 ms of start-up)
 * into every run that opens the folder, a no-op import included. For names and sidecars, a few
 * hundred bytes to a few kilobytes; files are hashed by `core/model/hash.ts`.
 *
 * @example
 * ```ts
 * sha1Hex("abc"); // "a9993e364706816aba3e25717850c26c9cd0d89d"
 * ```
 * @module
 */

/** The SHA-1 (FIPS 180-4) of `text`'s UTF-8 bytes, 40 lower-case hex digits. */
export function sha1Hex(text: string): string {
  const bytes = UTF8.encode(text);
  // The message, a 1 bit, zeros, and its length in bits as 64 bits: whole 64-byte blocks.
  const padded = new Uint8Array(Math.ceil((bytes.length + 9) / 64) * 64);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  const bits = bytes.length * 8;
  view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded.length - 4, bits >>> 0);
  const h = new Int32Array([
    0x67452301,
    0xefcdab89,
    0x98badcfe,
    0x10325476,
    0xc3d2e1f0,
  ]);
  const w = new Int32Array(80);
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getInt32(block + i * 4);
    for (let i = 16; i < 80; i++) {
      w[i] = rotate(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (let i = 0; i < 80; i++) {
      const f = i < 20 ? (b & c) | (~b & d) : i < 40 || i >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
      const next = (rotate(a, 5) + f + e + K[(i / 20) | 0] + w[i]) | 0;
      e = d;
      d = c;
      c = rotate(b, 30);
      b = a;
      a = next;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
  }
  return [...h].map((word) => (word >>> 0).toString(16).padStart(8, "0")).join("");
}

const UTF8 = new TextEncoder();

/** The round constants of rounds 0–19, 20–39, 40–59 and 60–79. */
const K = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc | 0, 0xca62c1d6 | 0];

/** `x` (32 bits) rotated left by `n`; words are kept as signed 32-bit integers, which stay fast. */
const rotate = (x: number, n: number) => (x << n) | (x >>> (32 - n));
