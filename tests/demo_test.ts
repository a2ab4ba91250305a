import assert from "node:assert/strict";
import { join } from "node:path";
import { hashFile } from "../core/engine/hash.ts";
import { cli, listFiles, withTempDir } from "./_cli.ts";

Deno.test("demo imports the sample into a folder, and a second run imports nothing", async () => {
  await withTempDir(async (dir) => {
    const first = await cli(["demo", "--dir", dir, "--json"]);
    assert.equal(first.code, 0, first.stderr);
    const events = first.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const summary = events.find((e) => e.type === "summary");
    assert.ok(summary.imported >= 6, `imported ${summary.imported}`);
    assert.equal(summary.failed, 0);
    const status = events.find((e) => e.type === "status");
    assert.equal(status.destinations[0].imported, summary.imported);

    // Every file at the destination is byte-identical to a file of the library.
    const library = join(dir, "Sample.photoslibrary", "originals");
    const libraryHashes = new Set<string>();
    for (const f of await listFiles(library)) libraryHashes.add((await hashFile(join(library, f))).sha1);
    const copied = await listFiles(join(dir, "destination"));
    assert.ok(copied.length > summary.imported, "the Live Photo's motion video travels too");
    for (const f of copied) {
      assert.ok(libraryHashes.has((await hashFile(join(dir, "destination", f))).sha1), f);
    }
    // The Live Photo's still and video share a stem.
    const stems = copied.map((f) => f.replace(/\.[^.]+$/, ""));
    assert.ok(
      stems.some((s, i) => stems.indexOf(s) !== i),
      "a still and its motion video are paired by name",
    );

    const second = await cli(["demo", "--dir", dir]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /imported 0, already there 0, failed 0/);
    assert.deepEqual(await listFiles(join(dir, "destination")), copied);
  });
});

Deno.test("dry-run import changes nothing anywhere", async () => {
  await withTempDir(async (dir) => {
    await cli(["demo", "--dir", join(dir, "d")]); // a sample library to read
    const library = join(dir, "d", "Sample.photoslibrary");
    const home = join(dir, "home");
    const dest = join(dir, "dest");
    const r = await cli([
      "import",
      "--dry-run",
      "--home",
      home,
      "--library",
      library,
      "--to",
      "folder",
      "--folder-path",
      dest,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dry run: would import \d+ of \d+ assets; nothing was changed/);
    assert.equal(await Deno.stat(dest).then(() => true, () => false), false, "no destination folder created");
    const status = await cli(["status", "--json", "--home", home]);
    assert.deepEqual(JSON.parse(status.stdout).destinations, []);
  });
});
