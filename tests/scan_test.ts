import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/mod.ts";
import { cli, withTempDir } from "./_cli.ts";

Deno.test("scan prints one line per asset, then totals that match its JSON summary", async () => {
  await withTempDir(async (dir) => {
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"), { assets: 40 });
    const args = ["scan", "--home", join(dir, "home"), "--library", sample.path];
    const text = await cli(args);
    const json = await cli([...args, "--json"]);
    assert.equal(text.code, 0, text.stderr);
    assert.equal(json.code, 0, json.stderr);

    const lines = text.stdout.trim().split("\n");
    assert.match(
      lines[0],
      /^source\.photoslibrary: .*Sample\.photoslibrary \(Photos 11\.1 \(macOS 26\.1\), model 19320\)$/,
    );
    const assetLines = lines.filter((l) => /^[0-9A-F-]{36} {2}/.test(l));
    assert.equal(assetLines.length, 40);
    const live = assetLines.find((l) => l.startsWith(sample.uuids.live))!;
    // The camera's local time with its offset (America/New_York in summer), then the name and tags.
    assert.match(live, /^[0-9A-F-]{36} {2}photo {2}2024-06-20 10:00:00 -04:00 {2}IMG_0001\.PNG {2}live$/);
    assert.match(assetLines.find((l) => l.startsWith(sample.uuids.favorite))!, / {2}favorite$/);
    assert.match(assetLines.find((l) => l.startsWith(sample.uuids.trashed))!, / {2}trashed$/);

    const objects = json.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(objects.length, 41, "one object per asset, then the summary");
    const { summary, source } = objects.at(-1);
    assert.equal(source.modelVersion, 19320);
    assert.equal(summary.total, 40);
    assert.equal(summary.kinds.photo + summary.kinds.video, 40);
    assert.equal(summary.subtypes.live, objects.filter((o) => o.subtypes?.includes("live")).length);
    assert.deepEqual(
      objects[0].plan.handlers,
      objects[0].subtypes.includes("live") ? ["handler.live_photo"] : [],
    );
    const totals = lines.slice(-5);
    assert.equal(totals[0], `40 assets: ${summary.kinds.photo} photos, ${summary.kinds.video} videos`);
    assert.match(totals[1], new RegExp(`^  subtypes: live ${summary.subtypes.live}$`));
    assert.match(
      totals[2],
      new RegExp(`favorite ${summary.flags.favorite}.*trashed ${summary.flags.trashed}`),
    );
    assert.equal(totals[3], "  missing files: 0");
  });
});

Deno.test({
  name: "scan without --library off macOS says that the library path is required there",
  ignore: Deno.build.os === "darwin",
  fn: async () => {
    await withTempDir(async (dir) => {
      const r = await cli(["scan", "--home", dir]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /needs the library: set --library or PHOTOS_SYNC_LIBRARY/);
      assert.match(r.stderr, new RegExp(`On ${Deno.build.os} there is no system Photos library`));
    });
  },
});
