/** review, cleanup, reclassify and sync through the real CLI, on a generated library and a folder. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, listFiles, withTempDir } from "./_cli.ts";

async function setup(dir: string) {
  const sample = await writeSampleLibrary(join(dir, "S.photoslibrary"));
  const home = join(dir, "home");
  const dest = join(dir, "dest");
  const common = ["--home", home, "--library", sample.path, "--to", "folder", "--folder-path", dest];
  const scan = await cli(["scan", "--json", "--home", home, "--library", sample.path]);
  const assets = scan.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((a) => a.id);
  const resource = (id: string, role: string) =>
    assets.find((a) => a.id === id).resources.find((r: { role: string }) => r.role === role).path as string;
  return { sample, home, dest, common, resource };
}

Deno.test("review groups a missing original, exports it, and retries it once the file is back", async () => {
  await withTempDir(async (dir) => {
    const { sample, common, resource } = await setup(dir);
    const original = resource(sample.uuids.captioned, "original");
    const saved = await Deno.readFile(original);
    await Deno.remove(original);
    const first = await cli(["import", ...common]);
    assert.equal(first.code, 1, "an import with a failed asset exits 1");
    assert.match(first.stdout, /failed 1/);

    const review = await cli(["review", "--json", ...common]);
    assert.equal(review.code, 0, review.stderr);
    const report = JSON.parse(review.stdout);
    assert.equal(report.total, 1);
    assert.equal(report.groups[0].errorClass, "permanent");
    assert.equal(report.groups[0].examples[0].assetId, sample.uuids.captioned);

    const csv = join(dir, "problems.csv");
    await cli(["review", "--export", csv, ...common]);
    const lines = (await Deno.readTextFile(csv)).trim().split("\n");
    assert.equal(lines.length, 2);
    assert.match(lines[1], new RegExp(`^${sample.uuids.captioned},`));

    assert.match(
      (await cli(["import", ...common])).stdout,
      /1 permanent/,
      "a plain import does not retry it",
    );
    await Deno.writeFile(original, saved);
    const retry = await cli(["review", "--retry", ...common]);
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, /imported 1,/);
    assert.match((await cli(["review", ...common])).stdout, /no problems/);
  });
});

Deno.test("review --delete refuses for a source that cannot delete, and deletes nothing", async () => {
  await withTempDir(async (dir) => {
    const { sample, common, resource } = await setup(dir);
    await Deno.remove(resource(sample.uuids.video, "original"));
    await cli(["import", ...common]);
    const r = await cli(["review", "--delete", "--yes", ...common]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /source.photoslibrary cannot delete assets; delete them in Photos/);
  });
});

Deno.test("reclassify --repair finishes a Live Photo whose motion video was missing", async () => {
  await withTempDir(async (dir) => {
    const { sample, common, dest, resource } = await setup(dir);
    const motion = resource(sample.uuids.live, "motion");
    const saved = await Deno.readFile(motion);
    await Deno.remove(motion);
    assert.equal(
      (await cli(["import", ...common])).code,
      0,
      "a Live Photo without its video imports as a still",
    );
    const before = await listFiles(dest);
    let status = JSON.parse((await cli(["status", "--json", "--offline", ...common])).stdout);
    assert.deepEqual(status.destinations[0].livePhotos, { total: 1, complete: 0 });

    await Deno.writeFile(motion, saved);
    const dry = await cli(["reclassify", "--dry-run", ...common]);
    assert.match(dry.stdout, /1 incomplete assets can be completed \(run with --repair\)/);
    const repair = await cli(["import", "--repair-paired-videos", ...common]);
    assert.equal(repair.code, 0, repair.stderr);
    const after = await listFiles(dest);
    assert.equal(after.length, before.length + 1, "exactly the motion video was added");
    assert.ok(before.every((f) => after.includes(f)), "nothing was removed");
    status = JSON.parse((await cli(["status", "--json", "--offline", ...common])).stdout);
    assert.deepEqual(status.destinations[0].livePhotos, { total: 1, complete: 1 });
  });
});

Deno.test("cleanup records a file deleted at the destination, which is then not copied again", async () => {
  await withTempDir(async (dir) => {
    const { common, dest } = await setup(dir);
    await cli(["import", ...common]);
    const files = await listFiles(dest);
    const victim = files.find((f) => f.endsWith(".PNG"))!;
    await Deno.remove(join(dest, victim));
    const dry = JSON.parse(
      (await cli(["cleanup", "--dry-run", "--json", "--max-share", "0.5", ...common])).stdout,
    );
    assert.equal(dry.goneFromDestination.length, 1);
    const strict = await cli(["cleanup", ...common]);
    assert.equal(strict.code, 1, "1 of 7 is above the default 10% guard");
    assert.match(strict.stdout, /look deleted at the destination, more than the allowed 10%/);
    assert.equal((await cli(["cleanup", "--max-share", "0.5", ...common])).code, 0);
    const again = JSON.parse((await cli(["import", "--json", ...common])).stdout.trim().split("\n").at(-1)!);
    assert.deepEqual([again.imported, again.skipped.removed], [0, 1]);
    assert.equal(await Deno.stat(join(dest, victim)).then(() => true, () => false), false);
  });
});

Deno.test("status reads the library's own facts and tells whether the destination is reachable", async () => {
  await withTempDir(async (dir) => {
    const { common, sample } = await setup(dir);
    await cli(["import", "--limit", "3", ...common]);
    const r = await cli(["status", "--json", ...common]);
    assert.equal(r.code, 0, r.stderr);
    const status = JSON.parse(r.stdout);
    assert.equal(status.library.total, sample.assets);
    assert.equal(status.library.trashed, 1);
    assert.equal(status.library.pending, sample.assets - 1 - 3);
    assert.equal(status.reachable.ok, true);
    const unreachable = JSON.parse(
      (await cli(["status", "--json", "--home", join(dir, "home"), "--to", "nas"])).stdout,
    );
    assert.equal(unreachable.reachable.ok, false);
    assert.match(unreachable.reachable.description, /unknown destination "nas"/);
  });
});
