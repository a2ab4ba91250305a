import assert from "node:assert/strict";
import { Spool } from "./spool.ts";

Deno.test("the spool hands out items in order while they are still being added, across files on disk", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pad = "x".repeat(1000);
    let spoolDir = "";
    const read: number[] = [];
    let onDisk = 0;
    {
      await using spool = await Spool.create<{ n: number; pad: string }>(dir);
      spoolDir = spool.dir;
      let allAdded!: () => void;
      const added = new Promise<void>((resolve) => (allAdded = resolve));
      const reader = (async () => {
        for await (const item of spool.read()) {
          read.push(item.n);
          // A slow reader: after the first item the adding runs ahead, past what is kept in memory.
          if (item.n === 0) {
            await added;
            onDisk = [...Deno.readDirSync(spoolDir)].length;
          }
        }
      })();
      await new Promise((r) => setTimeout(r, 0));
      for (let n = 0; n < 3000; n++) {
        await spool.add({ n, pad });
        if (n === 0) await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal(read.length, 1, "the first item was read before the last was added");
      allAdded();
      spool.end();
      await reader;
      assert.equal(spool.count, 3000);
      assert.ok(onDisk > 1, "what waited went to disk, in more than one file");
    }
    assert.deepEqual(read, Array.from({ length: 3000 }, (_, i) => i));
    assert.throws(() => Deno.statSync(spoolDir), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an empty spool ends at once", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await using spool = await Spool.create<number>(dir);
    spool.end();
    const items: number[] = [];
    for await (const n of spool.read()) items.push(n);
    assert.deepEqual(items, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
