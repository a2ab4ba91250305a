/**
 * Streaming SHA-1 (what Immich deduplicates on): the file is read once, in chunks, whatever its size.
 * Small files are read in one call: a photo costs one read instead of an open, two reads and a
 * close, which is most of its hashing time.
 *
 * @example
 * ```ts
 * const { sha1, size } = await hashFile("/tmp/IMG_0001.HEIC");
 * ```
 * @module
 */
/**
 * node:crypto, loaded by the first hash: it brings the Node compatibility layer, about 20 ms of
 * start-up that a run which hashes nothing (a no-op import) does not pay.
 */
let nodeCrypto: Promise<typeof import("node:crypto")> | undefined;
const loadCrypto = () => nodeCrypto ??= import("node:crypto");

/**
 * Files up to this size are read whole (at most this much per asset in flight). Small: a whole read
 * per 1.4 MB photo cost an import 14 MB of peak memory (docs/benchmarks.md).
 */
const WHOLE = 256 << 10;

export async function hashFile(path: string): Promise<{ sha1: string; size: number }> {
  const { createHash } = await loadCrypto();
  const stated = (await Deno.stat(path)).size;
  if (stated <= WHOLE) {
    const bytes = await Deno.readFile(path);
    return { sha1: createHash("sha1").update(bytes).digest("hex"), size: bytes.byteLength };
  }
  const hash = createHash("sha1");
  let size = 0;
  using file = await Deno.open(path, { read: true });
  const big = stated > SMALL_PIECES_UP_TO;
  const spare = big ? spareBig : spareSmall;
  const buffer = spare.pop() ?? new Uint8Array(big ? 1 << 20 : 256 << 10);
  try {
    for (;;) {
      const n = await file.read(buffer);
      if (n === null) break;
      size += n;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    spare.push(buffer);
  }
  return { sha1: hash.digest("hex"), size };
}

/**
 * Read buffers of streamed hashes, one per hash in flight, reused by the next: 256 KB pieces for
 * photo-sized files, 1 MB ones above {@link SMALL_PIECES_UP_TO}. Each hash in flight adds its
 * buffer to the peak (1 MB pieces put 2,000 camera photos at concurrency 8 about 7 MB higher), and
 * 256 KB pieces hash a 1 GB file about 12% slower (docs/benchmarks.md).
 */
const SMALL_PIECES_UP_TO = 16 << 20;
const spareSmall: Uint8Array[] = [];
const spareBig: Uint8Array[] = [];
