/**
 * End to end: the real CLI (`deno run -A main.ts import --to immich`) imports Photos libraries into
 * the Immich emulator, and what arrives is checked asset by asset: bytes, Live Photo links, albums,
 * favourites, visibility, capture time zones, captions, locations and tags; a rerun uploads nothing.
 * Kills are in `immich_kill_test.ts`, faults in `immich_resilience_test.ts`.
 */
import { LIBRARIES } from "./shared_data.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { startEmulator } from "./immich_emulator/mod.ts";
import { byChecksum, env, importArgs, type Scanned, sha1, summaryOf, trackerRows } from "./_immich.ts";

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

Deno.test("importing a copy of Test-Media-Types-15.7.2 carries out every plan the reader and handlers make", async () => {
  await withTempDir(async (dir) => {
    const library = join(dir, "Test-Media-Types-15.7.2.photoslibrary");
    await Deno.mkdir(library);
    const shared = `${LIBRARIES}Test-Media-Types-15.7.2.photoslibrary`;
    const copy = await new Deno.Command("cp", { args: ["-R", `${shared}/.`, library] }).output();
    assert.equal(copy.code, 0, "copy the fixture (it is read-only)");
    await using server = await startEmulator();
    const state = server.emulator.state;
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
    const assets: Scanned[] = scan.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((a) => a.id);
    const run = await cli(importArgs(home, library), env(server));
    const summary = summaryOf(run.stdout);

    // Every asset whose original is on disk is imported (or skipped by the run's policy, like an
    // unpicked burst frame); one whose original is missing fails permanently.
    const present = (a: Scanned) => a.resources.some((r) => r.role === "original" && r.present);
    const planned = assets.filter((a) => present(a) && !a.plan.skip);
    assert.equal(summary.imported, planned.length);
    assert.equal(summary.skipped.policy ?? 0, assets.filter((a) => present(a) && a.plan.skip).length);
    assert.equal(summary.failed, assets.filter((a) => !present(a)).length);
    assert.equal(run.code, summary.failed > 0 ? 1 : 0);

    const rows = trackerRows(home);
    const remotes = byChecksum(server);
    const refs = (a: Scanned) =>
      new Map(rows.filter((r) => r.asset_id === a.id).map((r) => [r.key, r.remote_id]));
    for (const a of planned) {
      const ids = refs(a);
      const sidecars = new Set(a.plan.relations.filter((r) => r.type === "sidecar_of").map((r) => r.from));
      for (const r of a.plan.resources) {
        const id = ids.get(r.key);
        assert.ok(id, `${a.filename} ${r.key} has a remote id`);
        if (sidecars.has(r.key) || r.role === "adjustment" || r.role === "sidecar") {
          assert.match(id, /^unsupported:[0-9a-f]{40}$/, `${a.filename} ${r.key} is not uploaded to Immich`);
          continue;
        }
        const bytes = await Deno.readFile(
          a.resources.find((x) => x.role === r.role && x.present)?.path ?? "",
        );
        assert.equal(remotes.get(sha1(bytes))?.id, id, `${a.filename} ${r.key} is in Immich, byte for byte`);
        assert.equal(
          state.assets.get(id)!.visibility === "hidden",
          r.hidden,
          `${a.filename} ${r.key} shown or not`,
        );
      }
      for (const rel of a.plan.relations) {
        const [from, to] = [ids.get(rel.from)!, ids.get(rel.to)!];
        if (rel.type === "motion_of") {
          assert.equal(state.assets.get(to)!.livePhotoVideoId, from, `${a.filename} linked`);
        }
        if (rel.type === "stack" || rel.type === "render_of") {
          const stack = state.stacks.get(state.assets.get(from)!.stackId ?? "");
          assert.ok(
            stack && stack.assetIds.includes(to),
            `${a.filename} ${rel.from} and ${rel.to} are stacked`,
          );
          assert.equal(stack.primaryAssetId, ids.get(a.plan.primary), `${a.filename}: its primary is on top`);
        }
      }
    }
    // A stack across assets (a burst) holds the imported frames, its key frame on top.
    const groups = new Map<string, Scanned[]>();
    for (const a of planned) {
      if (a.plan.stackGroup) {
        groups.set(a.plan.stackGroup.id, [...(groups.get(a.plan.stackGroup.id) ?? []), a]);
      }
    }
    for (const [id, members] of groups) {
      const primaries = members.map((m) => refs(m).get(m.plan.primary)!);
      const stack = state.stacks.get(state.assets.get(primaries[0])!.stackId ?? "");
      if (members.length < 2) continue;
      assert.ok(stack, `burst ${id} is stacked`);
      assert.deepEqual([...stack.assetIds].sort(), [...primaries].sort());
      const top = members.find((m) => m.plan.stackGroup!.primary);
      if (top) assert.equal(stack.primaryAssetId, refs(top).get(top.plan.primary));
    }
    // Nothing else arrived: one Immich asset per uploaded file.
    const sent = rows.filter((r) => !r.remote_id.startsWith("unsupported:"));
    assert.equal(state.assets.size, new Set(sent.map((r) => r.sha1)).size);

    // The three Live Photos whose both halves are on disk are linked, their videos hidden.
    for (
      const uuid of [
        "EC19EA1A-FC91-449C-8925-B13D863E2EDB",
        "D562F353-7A22-4367-9A7F-153A4D9F149C",
        "B60C31AC-BE86-42C5-A383-A0A5710B18AE",
      ]
    ) {
      const ids = new Map(rows.filter((r) => r.asset_id === uuid).map((r) => [r.key, r.remote_id]));
      assert.equal(state.assets.get(ids.get("original")!)!.livePhotoVideoId, ids.get("motion"), uuid);
      assert.equal(state.assets.get(ids.get("motion")!)!.visibility, "hidden");
    }
    // Albums (of burst frames here) hold each asset's primary, as the reader says.
    const expected = new Map<string, string[]>();
    for (const a of planned) {
      for (const album of a.albums) {
        expected.set(album.title, [...(expected.get(album.title) ?? []), refs(a).get(a.plan.primary)!]);
      }
    }
    assert.ok(expected.has("BurstPhotoSelection"));
    const albums = new Map([...state.albums.values()].map((a) => [a.albumName, a.assetIds.sort()]));
    assert.deepEqual(albums, new Map([...expected].map(([k, v]) => [k, v.sort()])));

    const uploads = server.emulator.count("POST /api/assets");
    const again = await cli(importArgs(home, library), env(server));
    assert.equal(summaryOf(again.stdout).imported, 0);
    assert.equal(server.emulator.count("POST /api/assets"), uploads, "the rerun uploaded nothing");
  });
});
