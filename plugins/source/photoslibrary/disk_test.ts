import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { exists, useNodeFs } from "./_disk.ts";

Deno.test("exists() answers as node:fs's existsSync, before and after a listing loads node:fs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "photoslibrary-disk-" });
  try {
    const file = join(dir, "IMG_0001.HEIC");
    await Deno.writeTextFile(file, "heic");
    await Deno.symlink(file, join(dir, "link"));
    await Deno.symlink(join(dir, "gone"), join(dir, "dangling"));
    const paths = [
      file,
      dir,
      join(dir, "link"),
      join(dir, "dangling"),
      join(dir, "missing.HEIC"),
      join(file, "below-a-file"),
      "",
    ];
    const expected = [true, true, true, false, false, false, false];
    assert.deepEqual(paths.map(existsSync), expected);
    assert.deepEqual(paths.map(exists), expected);
    await useNodeFs();
    assert.deepEqual(paths.map(exists), expected);
    await Deno.remove(file);
    assert.equal(exists(file), false, "checked now, not remembered");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
