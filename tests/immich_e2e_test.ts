/**
 * End to end: the real CLI (`deno run -A main.ts import --to immich`) imports Photos libraries into
 * the Immich emulator, and what arrives is checked asset by asset: bytes, Live Photo links, albums,
 * favourites, visibility, capture time zones, captions, locations and tags; a rerun uploads nothing.
 * Kills and faults are in `immich_resilience_test.ts`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { startEmulator } from "./immich_emulator/mod.ts";
import { byChecksum, env, importArgs, sha1, summaryOf, trackerRows } from "./_immich.ts";

for (const version of ["3.2.2", "1.135.3"]) {
  Deno.test(`importing the sample library into Immich ${version} gives exactly its assets, links, albums and metadata; a rerun uploads nothing`, async () => {
    await withTempDir(async (dir) => {
      await using server = await startEmulator({ version });
      const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
      const home = join(dir, "home");
      const run = await cli(importArgs(home, sample.path), env(server));
      assert.equal(run.code, 0, run.stderr);
      const summary = summaryOf(run.stdout);
      assert.equal(summary.imported, 7);
      assert.equal(summary.skipped.trashed, 1);

      const rows = trackerRows(home);
      const state = server.emulator.state;
      const remote = (uuid: string, key = "original") =>
        state.assets.get(rows.find((r) => r.asset_id === uuid && r.key === key)!.remote_id)!;
      // Exactly one Immich asset per file sent: 7 originals and one motion video.
      assert.equal(rows.length, 8);
      assert.equal(state.assets.size, 8);
      const remotes = byChecksum(server);
      for (const r of rows) assert.equal(remotes.get(r.sha1)?.id, r.remote_id, `${r.asset_id} ${r.key}`);
      assert.ok(!rows.some((r) => r.asset_id === sample.uuids.trashed), "Recently Deleted is not imported");

      const { uuids, facts } = sample;
      const still = remote(uuids.live);
      const motion = remote(uuids.live, "motion");
      assert.equal(still.livePhotoVideoId, motion.id);
      assert.equal(motion.visibility, "hidden");
      assert.equal(motion.type, "VIDEO");
      assert.equal(remote(uuids.video).type, "VIDEO");
      assert.equal(remote(uuids.favorite).isFavorite, true);
      assert.deepEqual([...state.assets.values()].filter((a) => a.isFavorite).map((a) => a.id), [
        remote(uuids.favorite).id,
      ]);
      assert.equal(remote(uuids.hidden).visibility, "archive");

      const albums = new Map([...state.albums.values()].map((a) => [a.albumName, a.assetIds.sort()]));
      assert.deepEqual(
        albums,
        new Map([
          [
            `${facts.album.folders.join(" / ")} / ${facts.album.title}`,
            [still.id, remote(uuids.inAlbum).id].sort(),
          ],
          [facts.favoriteAlbum.title, [remote(uuids.favorite).id]],
        ]),
      );
      const captioned = remote(uuids.captioned);
      assert.equal(captioned.exif.description, facts.caption);
      assert.deepEqual(
        [...captioned.tagIds].map((t) => state.tags.get(t)!.value).sort(),
        [...facts.keywords].sort(),
      );
      const located = remote(uuids.located);
      assert.ok(Math.abs(located.exif.latitude! - facts.location.latitude) < 1e-6);
      assert.ok(Math.abs(located.exif.longitude! - facts.location.longitude) < 1e-6);
      assert.equal(located.fileCreatedAt, facts.locatedCaptured);
      // Every showcase asset was taken at 10:00 local time in its own zone; Immich shows that.
      for (
        const [i, uuid] of [uuids.live, uuids.video, uuids.favorite, uuids.hidden, uuids.inAlbum].entries()
      ) {
        assert.equal(remote(uuid).localDateTime, `2024-06-${20 - i}T10:00:00.000Z`, uuid);
      }
      assert.equal(located.exif.timeZone, "UTC+2", `${facts.timeZone.name} in June`);
      assert.equal(remote(uuids.inAlbum).exif.timeZone, "UTC+9:30", "Adelaide");
      if (version.startsWith("3")) {
        assert.deepEqual(still.metadata.get("photos-sync")?.value, {
          photosAssetId: uuids.live,
          resource: "original",
        });
      }

      const uploads = server.emulator.count("POST /api/assets");
      const checks = server.emulator.count("POST /api/assets/bulk-upload-check");
      const again = await cli(importArgs(home, sample.path), env(server));
      assert.equal(again.code, 0, again.stderr);
      assert.equal(summaryOf(again.stdout).imported, 0);
      assert.equal(server.emulator.count("POST /api/assets"), uploads, "the rerun uploaded nothing");
      assert.equal(
        server.emulator.count("POST /api/assets/bulk-upload-check"),
        checks,
        "nor checked anything",
      );
      assert.equal(state.assets.size, 8);
    });
  });
}

Deno.test("importing a copy of Test-Media-Types-15.7.2 sends every file the reader finds, links its Live Photos and fills its albums", async () => {
  await withTempDir(async (dir) => {
    const library = join(dir, "Test-Media-Types-15.7.2.photoslibrary");
    await Deno.mkdir(library);
    const shared = new URL(
      "../../shared/testdata/photoslibraries/Test-Media-Types-15.7.2.photoslibrary",
      import.meta.url,
    );
    const copy = await new Deno.Command("cp", { args: ["-R", `${shared.pathname}/.`, library] }).output();
    assert.equal(copy.code, 0, "copy the fixture (it is read-only)");
    await using server = await startEmulator();
    const home = join(dir, "home");
    const scan = await cli([
      "scan",
      "--home",
      home,
      "--source",
      "photoslibrary",
      "--library",
      library,
      "--json",
    ]);
    const assets = scan.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((a) => a.id);
    const run = await cli(importArgs(home, library), env(server));
    const summary = summaryOf(run.stdout);

    // What the reader says is on disk arrives, byte for byte, once; what is missing fails permanently.
    const withOriginal = assets.filter((a) =>
      a.resources.some((r: { role: string; present: boolean }) => r.role === "original" && r.present)
    );
    // (An unpicked burst frame is skipped by the run's policy, not failed.)
    assert.equal(summary.imported + (summary.skipped.policy ?? 0), withOriginal.length);
    assert.equal(summary.failed, assets.length - withOriginal.length);
    assert.equal(run.code, summary.failed > 0 ? 1 : 0);
    const remotes = byChecksum(server);
    const rows = trackerRows(home);
    const media = (r: { role: string; present: boolean }) =>
      r.present && ["original", "motion"].includes(r.role);
    for (const a of withOriginal) {
      for (const r of a.resources.filter(media)) {
        const bytes = await Deno.readFile(r.path);
        const there = remotes.get(sha1(bytes));
        assert.ok(there, `${a.filename} ${r.role} is in Immich`);
        assert.equal(there.size, bytes.byteLength);
      }
    }
    // Every file recorded as sent is there once; what Immich cannot hold stays out.
    const sent = rows.filter((r) => !r.remote_id.startsWith("unsupported:"));
    for (const r of sent) assert.equal(remotes.get(r.sha1)?.id, r.remote_id);
    assert.equal(server.emulator.state.assets.size, new Set(sent.map((r) => r.sha1)).size);

    // The three Live Photos whose both halves are on disk are linked, their videos hidden.
    for (
      const uuid of [
        "EC19EA1A-FC91-449C-8925-B13D863E2EDB",
        "D562F353-7A22-4367-9A7F-153A4D9F149C",
        "B60C31AC-BE86-42C5-A383-A0A5710B18AE",
      ]
    ) {
      const still = server.emulator.state.assets.get(
        rows.find((r) => r.asset_id === uuid && r.key === "original")!.remote_id,
      )!;
      const motion = server.emulator.state.assets.get(
        rows.find((r) => r.asset_id === uuid && r.key === "motion")!.remote_id,
      )!;
      assert.equal(still.livePhotoVideoId, motion.id, uuid);
      assert.equal(motion.visibility, "hidden");
    }
    // The Live Photo whose video is missing is still imported, and nothing is linked to it.
    const lone = rows.find((r) =>
      r.asset_id === "CDFC3B62-EDFD-4A49-A80F-00BB7822D0E8" && r.key === "original"
    )!;
    assert.equal(server.emulator.state.assets.get(lone.remote_id)!.livePhotoVideoId, null);
    // Its two albums (of burst frames) hold what the reader says they hold.
    // Albums hold an asset's primary (the edit, when an edit travels on top).
    const primaryOf = (a: { id: string; plan: { primary: string } }) =>
      rows.find((r) => r.asset_id === a.id && r.key === a.plan.primary)?.remote_id;
    const expected = new Map<string, string[]>();
    for (const a of withOriginal) {
      const id = primaryOf(a);
      if (!id) continue; // skipped by policy
      for (const album of a.albums) expected.set(album.title, [...(expected.get(album.title) ?? []), id]);
    }
    assert.deepEqual([...expected.keys()].sort(), ["BurstAlbum", "BurstPhotoSelection"]);
    const albums = new Map(
      [...server.emulator.state.albums.values()].map((a) => [a.albumName, a.assetIds.sort()]),
    );
    assert.deepEqual(albums, new Map([...expected].map(([k, v]) => [k, v.sort()])));

    const uploads = server.emulator.count("POST /api/assets");
    const again = await cli(importArgs(home, library), env(server));
    assert.equal(summaryOf(again.stdout).imported, 0);
    assert.equal(server.emulator.count("POST /api/assets"), uploads, "the rerun uploaded nothing");
  });
});
