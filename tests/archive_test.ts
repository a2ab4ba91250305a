/**
 * End to end: `archive` on the sample library imported into the Immich emulator. An asset is
 * archived only when Immich holds every planned file with the checksum it was sent with and the
 * Live Photo linked; refusals name what is missing; an archived asset that leaves Photos is never
 * counted gone or trashed at the destination by `sync`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { env, importArgs, trackerRows } from "./_immich.ts";
import { openLibraryEdit } from "./_library_edit.ts";
import { startEmulator } from "./immich_emulator/mod.ts";

const pointing = (home: string, library: string) => [
  "--home",
  home,
  "--to",
  "immich",
  "--source",
  "photoslibrary",
  "--library",
  library,
];

function lines(stdout: string): { type: string; [k: string]: unknown }[] {
  return stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

Deno.test("archive marks an asset only when Immich holds it whole, names what is missing, and sync then keeps it", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    const { uuids } = sample;
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    const rows = trackerRows(home);
    const remote = (uuid: string, key = "original") =>
      rows.find((r) => r.asset_id === uuid && r.key === key)!;

    const dry = await cli([
      "archive",
      "--uuid",
      uuids.live,
      "--dry-run",
      "--json",
      ...pointing(home, sample.path),
    ], env(server));
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(lines(dry.stdout).at(-1)!.archived, 1);

    // One file of another asset differs in Immich; the video of a third is gone.
    server.emulator.state.assets.get(remote(uuids.favorite).remote_id)!.checksum = "0".repeat(40);
    server.emulator.state.deleteAsset(remote(uuids.video).remote_id);
    const run = await cli(
      [
        "archive",
        "--uuid",
        uuids.live,
        uuids.favorite,
        uuids.video,
        "--json",
        ...pointing(home, sample.path),
      ],
      env(server),
    );
    assert.equal(run.code, 1, "refusals make the run fail");
    const events = lines(run.stdout);
    const refused = new Map(
      events.filter((e) => e.type === "refused").map((e) => [e.assetId, String(e.reason)]),
    );
    assert.match(refused.get(uuids.favorite)!, /its original differs at the destination/);
    assert.match(refused.get(uuids.video)!, /its original is no longer at the destination/);
    assert.deepEqual(events.filter((e) => e.type === "archived").map((e) => e.assetId), [uuids.live]);

    const status = JSON.parse((await cli(["status", "--json", "--tracker-only", "--home", home])).stdout);
    assert.equal(status.archive[0].archived, 1);

    // The archived Live Photo leaves Photos; a sync propagating deletions must leave it in Immich.
    const edit = openLibraryEdit(sample.path);
    try {
      edit.setTrashed(uuids.live, true);
    } finally {
      edit.close();
    }
    const sync = await cli(
      ["sync", "--propagate-deletions", "--max-delete-share", "1", "--json", ...pointing(home, sample.path)],
      env(server),
    );
    const summary = lines(sync.stdout).at(-1)!;
    assert.equal(summary.removed, 0, "an archived asset is never trashed at the destination");
    assert.equal(summary.gone, 0, "nor counted gone");
    const still = server.emulator.state.assets.get(remote(uuids.live).remote_id)!;
    assert.equal(still.deletedAt, null);
  });
});

Deno.test("archive refuses without a selection, and removal from Photos needs a source that can delete", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    const bare = await cli(["archive", ...pointing(home, sample.path)], env(server));
    assert.equal(bare.code, 2);
    assert.match(
      bare.stderr,
      /say which assets to archive: --uuid, --album, --before, --larger-than or --query/,
    );
    const remove = await cli(
      [
        "archive",
        "--uuid",
        sample.uuids.live,
        "--remove-from-photos",
        "--yes",
        "--max-share",
        "1",
        ...pointing(home, sample.path),
      ],
      env(server),
    );
    assert.equal(remove.code, 1);
    assert.match(remove.stdout, /not removed from Photos: the source cannot delete assets/);
    assert.match(remove.stdout, /1 of 1 selected assets archived/);
    assert.match(remove.stdout, /^archived \S+ \(/m);
    const again = await cli(
      ["archive", "--uuid", sample.uuids.live, ...pointing(home, sample.path)],
      env(server),
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^verified again \(archived before\) \S+ \(/m);
  });
});
