import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { hashFile } from "./hash.ts";

Deno.test("hashFile gives the SHA-1 and size of small files read whole and of big files read in chunks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const size of [0, 1, 4 << 20, (4 << 20) + 1, (9 << 20) + 7]) {
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
