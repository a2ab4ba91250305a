/**
 * Streaming SHA-1 (what Immich deduplicates on): the file is read once, in chunks, whatever its size.
 *
 * @example
 * ```ts
 * const { sha1, size } = await hashFile("/tmp/IMG_0001.HEIC");
 * ```
 * @module
 */
import { createHash } from "node:crypto";

export async function hashFile(path: string): Promise<{ sha1: string; size: number }> {
  const hash = createHash("sha1");
  let size = 0;
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(1 << 20);
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    size += n;
    hash.update(buffer.subarray(0, n));
  }
  return { sha1: hash.digest("hex"), size };
}
