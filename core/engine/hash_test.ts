import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { hashFile } from "./hash.ts";

Deno.test("hashFile gives the SHA-1 and size of small files read whole and of big files read in chunks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const size of [0, 1, 4 << 20, (4 << 20) + 1, (9 << 20) + 7, (17 << 20) + 5]) {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) {
        crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
      }
      await Deno.writeFile(`${dir}/f`, bytes);
      assert.deepEqual(await hashFile(`${dir}/f`), {
        sha1: createHash("sha1").update(bytes).digest("hex"),
        size,
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hashFile gives each of many big files hashed at once its own digest (their read buffers are reused)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = await Promise.all(Array.from({ length: 6 }, async (_, i) => {
      // Sizes around a read piece's multiples, each file's bytes its own.
      const bytes = new Uint8Array((i + 1) * (300 << 10) + i);
      for (let at = 0; at < bytes.length; at += 65536) {
        crypto.getRandomValues(bytes.subarray(at, Math.min(bytes.length, at + 65536)));
      }
      await Deno.writeFile(`${dir}/${i}`, bytes);
      return {
        path: `${dir}/${i}`,
        sha1: createHash("sha1").update(bytes).digest("hex"),
        size: bytes.length,
      };
    }));
    for (let round = 0; round < 2; round++) {
      const hashed = await Promise.all(files.map((f) => hashFile(f.path)));
      assert.deepEqual(hashed, files.map(({ sha1, size }) => ({ sha1, size })));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
