import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { exists, FolderIndex } from "./_disk.ts";

async function withFolder(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "photoslibrary-disk-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("exists() and a FolderIndex answer as node:fs's existsSync", () =>
  withFolder(async (dir) => {
    const library = join(dir, "Photos Library.photoslibrary");
    const originals = join(library, "originals", "0");
    await Deno.mkdir(originals, { recursive: true });
    const file = join(originals, "0A1B.heic");
    await Deno.writeTextFile(file, "heic");
    await Deno.writeTextFile(join(dir, "outside.jpg"), "jpeg");
    await Deno.symlink(file, join(originals, "link"));
    await Deno.symlink(join(originals, "gone"), join(originals, "dangling"));
    // Photos writes names in NFC; a case- or normalization-insensitive volume also finds other forms.
    await Deno.writeTextFile(join(originals, "Caf\u00e9.jpg"), "jpeg");
    const paths = [
      file,
      originals,
      `${originals}/`,
      join(originals, "link"),
      join(originals, "dangling"),
      join(originals, "missing.heic"),
      join(originals, "0A1B.HEIC"),
      join(originals, "Caf\u00e9.jpg"),
      join(originals, "Cafe\u0301.jpg"),
      join(file, "below-a-file"),
      join(library, "originals", "F", "0A1B.heic"),
      join(dir, "outside.jpg"),
      `${library}/originals/0/../0/0A1B.heic`,
      library,
      "",
    ];
    const expected = paths.map(existsSync);
    assert.deepEqual(
      expected,
      [true, true, true, true, false, false, false, true, false, false, false, true, true, true, false],
      "this volume is case-sensitive; the other spellings are asked of it",
    );
    assert.deepEqual(paths.map(exists), expected);
    assert.deepEqual(paths.map((p) => new FolderIndex(library).has(p)), expected, "each folder read afresh");
    const disk = new FolderIndex(library);
    assert.deepEqual(paths.map((p) => disk.has(p)), expected, "one index for all");
    assert.deepEqual(paths.map((p) => disk.has(p)), expected, "asked twice");
  }));

Deno.test("a FolderIndex sees a folder as it was when first checked; exists() checks now", () =>
  withFolder(async (dir) => {
    const folder = join(dir, "originals", "0");
    await Deno.mkdir(folder, { recursive: true });
    const kept = join(folder, "kept.heic");
    const removed = join(folder, "removed.heic");
    const added = join(folder, "added.heic");
    await Deno.writeTextFile(kept, "heic");
    await Deno.writeTextFile(removed, "heic");
    const disk = new FolderIndex(dir);
    assert.equal(disk.has(kept), true);
    await Deno.remove(removed);
    await Deno.writeTextFile(added, "heic");
    assert.deepEqual([disk.has(removed), disk.has(added)], [true, false], "one listing, one view");
    assert.deepEqual([exists(removed), exists(added)], [false, true]);
    const next = new FolderIndex(dir);
    assert.deepEqual([next.has(kept), next.has(removed), next.has(added)], [true, false, true]);
  }));

Deno.test("a FolderIndex tells apart thousands of names in a folder", () =>
  withFolder(async (dir) => {
    const names = Array.from({ length: 3000 }, () => `${crypto.randomUUID().toUpperCase()}.heic`);
    for (const name of names.slice(0, 1500)) await Deno.writeTextFile(join(dir, name), "");
    const disk = new FolderIndex(dir);
    const seen = names.map((name) => disk.has(join(dir, name)));
    assert.deepEqual(seen, names.map((_, i) => i < 1500));
  }));
