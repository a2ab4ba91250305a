/**
 * End to end: a field Immich does not keep with the options of a run (keywords with
 * `--immich-tags off`, albums with `--immich-albums off`) is never recorded as agreed. Switched on
 * later, the next sync sends it once; while off, what Immich holds of it is never taken for a change
 * to make in Photos.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { env, importArgs, summaryOf, trackerRows } from "./_immich.ts";
import { openLibraryEdit } from "./_library_edit.ts";
import { type RunningEmulator, startEmulator } from "./immich_emulator/mod.ts";

function syncArgs(home: string, library: string, ...more: string[]): string[] {
  return ["sync", ...importArgs(home, library, ...more).slice(1)];
}

async function sync(server: RunningEmulator, home: string, library: string, ...more: string[]) {
  const run = await cli(syncArgs(home, library, ...more), env(server));
  assert.equal(run.code, 0, run.stdout + run.stderr);
  return summaryOf(run.stdout);
}

/** The keyword tags Immich holds of one asset, sorted. */
function tagsOf(server: RunningEmulator, remoteId: string): string[] {
  const { state } = server.emulator;
  return [...state.assets.get(remoteId)!.tagIds].map((t) => state.tags.get(t)!.value).sort();
}

/** The fields waiting to be written into Photos, by asset. */
function pendingWrites(home: string): Record<string, Record<string, unknown>> {
  const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
  try {
    const rows = db.prepare("SELECT asset_id, fields FROM pending_writes").all() as {
      asset_id: string;
      fields: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.asset_id, JSON.parse(r.fields)]));
  } finally {
    db.close();
  }
}

const remoteIdOf = (home: string, uuid: string) =>
  trackerRows(home).find((r) => r.asset_id === uuid && r.key === "original")!.remote_id;

Deno.test("keywords imported with --immich-tags off reach Immich once the tags are switched on, once", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    const imported = await cli(importArgs(home, sample.path, "--immich-tags", "off"), env(server));
    assert.equal(imported.code, 0, imported.stderr);
    const captioned = remoteIdOf(home, sample.uuids.captioned);
    assert.deepEqual(tagsOf(server, captioned), [], "tags off: no keyword was sent");

    const on = await sync(server, home, sample.path, "--immich-tags", "keywords");
    assert.deepEqual(tagsOf(server, captioned), [...sample.facts.keywords].sort());
    assert.deepEqual(on.toRemote.fields, { keywords: 1 }, "only the asset with keywords sent anything");
    assert.deepEqual([on.toPhotos.assets, on.conflicts], [0, 0]);

    const again = await sync(server, home, sample.path, "--immich-tags", "keywords");
    assert.deepEqual([again.toRemote, again.toPhotos.assets, again.updated], [
      { assets: 0, fields: {} },
      0,
      0,
    ]);
  });
});

Deno.test("albums imported with --immich-albums off are made in Immich once the albums are switched on, once", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    const imported = await cli(importArgs(home, sample.path, "--immich-albums", "off"), env(server));
    assert.equal(imported.code, 0, imported.stderr);
    const { state } = server.emulator;
    assert.equal(state.albums.size, 0, "albums off: none made");

    const on = await sync(server, home, sample.path, "--immich-albums", "path");
    const { album, favoriteAlbum } = sample.facts;
    const members = (name: string) =>
      [...state.albums.values()].find((a) => a.albumName === name)?.assetIds ?? [];
    assert.ok(
      members(`${album.folders.join(" / ")} / ${album.title}`).includes(
        remoteIdOf(home, sample.uuids.inAlbum),
      ),
      "the asset is in its album, named with its folders",
    );
    assert.deepEqual(members(favoriteAlbum.title), [remoteIdOf(home, sample.uuids.favorite)]);
    assert.deepEqual(Object.keys(on.toRemote.fields), ["albums"]);
    assert.deepEqual([on.toPhotos.assets, on.conflicts], [0, 0]);

    const again = await sync(server, home, sample.path, "--immich-albums", "path");
    assert.deepEqual([again.toRemote, again.toPhotos.assets, again.updated], [
      { assets: 0, fields: {} },
      0,
      0,
    ]);
  });
});

Deno.test("a keyword removed in Immich while its tags were off is no removal for Photos: Photos' keywords go back", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    const { uuids, facts } = sample;
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    const captioned = remoteIdOf(home, uuids.captioned);
    const keywords = [...facts.keywords].sort();
    assert.deepEqual(tagsOf(server, captioned), keywords);

    await sync(server, home, sample.path, "--immich-tags", "off");
    // The user takes a tag off in Immich's web app while this tool does not keep tags there.
    const { state } = server.emulator;
    const dropped = [...state.tags.values()].find((t) => t.value === keywords[1])!;
    const res = await fetch(`${server.url}/api/tags/${dropped.id}/assets`, {
      method: "DELETE",
      headers: { "x-api-key": server.apiKey, "content-type": "application/json" },
      body: JSON.stringify({ ids: [captioned] }),
    });
    assert.equal(res.status, 200, await res.text());
    const off = await sync(server, home, sample.path, "--immich-tags", "off");
    assert.deepEqual([off.toPhotos.assets, off.pending], [0, 0]);

    // Photos changes the asset otherwise, so the next sync looks at it with the tags on again.
    const edit = openLibraryEdit(sample.path);
    try {
      edit.setCaption(uuids.captioned, "a caption written later");
    } finally {
      edit.close();
    }
    const on = await sync(server, home, sample.path, "--immich-tags", "keywords");
    assert.deepEqual([on.toPhotos.assets, on.pending, on.conflicts], [0, 0, 0]);
    assert.deepEqual(pendingWrites(home), {}, "nothing waits to be cleared in Photos");
    assert.equal(on.toRemote.fields.keywords, 1, "Photos' keywords are sent");
    assert.deepEqual(tagsOf(server, captioned), keywords);
    assert.equal(state.assets.get(captioned)!.exif.description, "a caption written later");

    const again = await sync(server, home, sample.path, "--immich-tags", "keywords");
    assert.deepEqual([again.toRemote, again.toPhotos.assets], [{ assets: 0, fields: {} }, 0]);
  });
});
