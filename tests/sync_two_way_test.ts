/**
 * End to end: the real CLI syncs the sample library with the Immich emulator both ways. The
 * library is edited as Photos edits it (`_library_edit.ts`), the emulator through its API; each
 * change must travel the right way once, a second sync must do nothing, and the same field changed
 * on both sides must be one conflict, settled by `review --resolve`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { env, importArgs, summaryOf, trackerRows } from "./_immich.ts";
import { openLibraryEdit } from "./_library_edit.ts";
import { type RunningEmulator, startEmulator } from "./immich_emulator/mod.ts";

function syncArgs(home: string, library: string, ...more: string[]): string[] {
  return ["sync", ...importArgs(home, library, ...more).slice(1)];
}

/** A change made in Immich, as a user of its web app makes it. */
async function putAsset(server: RunningEmulator, id: string, body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/api/assets/${id}`, {
    method: "PUT",
    headers: { "x-api-key": server.apiKey, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
}

/** The checkpoint is kept to whole seconds: a change in the same second as the last sync could be missed. */
const nextSecond = () => new Promise((r) => setTimeout(r, 1100));

Deno.test("two-way sync: each change travels once, a second sync does nothing, one conflict is kept and resolved", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    const { uuids } = sample;
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    const started = await cli(syncArgs(home, sample.path), env(server));
    assert.equal(started.code, 0, started.stderr);
    const quiet = summaryOf(started.stdout);
    assert.deepEqual(
      [quiet.toRemote.assets, quiet.toPhotos.assets],
      [0, 0],
      "what the import sent is agreed",
    );

    const remoteId = (uuid: string) =>
      trackerRows(home).find((r) => r.asset_id === uuid && r.key === "original")!
        .remote_id;
    const state = server.emulator.state;
    await nextSecond();
    const edit = openLibraryEdit(sample.path);
    try {
      edit.setFavorite(uuids.video, true);
      edit.setCaption(uuids.inAlbum, "Photos caption");
      edit.addKeyword(uuids.inAlbum, "beach");
      edit.setCaption(uuids.located, "Photos says");
    } finally {
      edit.close();
    }
    await putAsset(server, remoteId(uuids.hidden), { isFavorite: true });
    await putAsset(server, remoteId(uuids.located), { description: "Immich says" });

    // The reader never writes into Photos: what comes from Immich is queued, and said so.
    const dry = await cli(
      syncArgs(home, sample.path, "--dry-run").filter((a) => a !== "--json"),
      env(server),
    );
    assert.match(dry.stdout, /^into Photos: 0 assets would be updated, 1 would be queued \(favorite 1\)$/m);

    const run = await cli(syncArgs(home, sample.path), env(server));
    assert.equal(run.code, 0, run.stderr);
    const s = summaryOf(run.stdout);
    assert.equal(state.assets.get(remoteId(uuids.video))!.isFavorite, true, "a favorite made in Photos");
    const captioned = state.assets.get(remoteId(uuids.inAlbum))!;
    assert.equal(captioned.exif.description, "Photos caption");
    assert.ok(
      [...captioned.tagIds].some((t) => state.tags.get(t)!.value.endsWith("beach")),
      "a keyword added in Photos becomes a tag",
    );
    assert.equal(s.toRemote.assets, 2);
    // The favorite made in Immich waits for Photos: the library reader never writes.
    assert.equal(s.toPhotos.assets, 1);
    assert.deepEqual(s.toPhotos.fields, { favorite: 1 });
    assert.equal(s.pending, 1);
    assert.equal(s.queuedIntoPhotos, 1);
    const told = await cli(["status", "--tracker-only", "--home", home]);
    assert.match(
      told.stdout,
      /^last sync succeeded at \S+: 2 assets to the destination, 0 into Photos, 1 queued for Photos$/m,
    );
    assert.equal(s.conflicts, 1);
    assert.equal(
      state.assets.get(remoteId(uuids.located))!.exif.description,
      "Immich says",
      "a conflict changes neither side",
    );

    const again = summaryOf((await cli(syncArgs(home, sample.path), env(server))).stdout);
    assert.deepEqual([again.toRemote, again.toPhotos.assets, again.updated], [
      { assets: 0, fields: {} },
      0,
      0,
    ]);
    assert.equal(again.conflicts, 1, "the conflict stays until it is settled");

    const listed = await cli(["review", "--conflicts", "--json", "--home", home], env(server));
    assert.equal(listed.code, 0, listed.stderr);
    const { conflicts } = JSON.parse(listed.stdout);
    assert.deepEqual(
      conflicts.map((c: { assetId: string; field: string; photos: string; remote: string }) => [
        c.assetId,
        c.field,
        c.photos,
        c.remote,
      ]),
      [[uuids.located, "caption", "Photos says", "Immich says"]],
    );
    const resolved = await cli(["review", "--resolve", "photos", "--home", home], env(server));
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.match(resolved.stdout, /resolved 1 conflicts for photos/);
    const settled = summaryOf((await cli(syncArgs(home, sample.path), env(server))).stdout);
    assert.equal(settled.conflicts, 0);
    assert.equal(state.assets.get(remoteId(uuids.located))!.exif.description, "Photos says");

    // status tells the last sync per direction and what waits, from the tracker alone.
    const status = JSON.parse((await cli(["status", "--json", "--tracker-only", "--home", home])).stdout);
    assert.deepEqual(status.sync.lastRun.toRemote, { assets: 1, fields: { caption: 1 } });
    assert.deepEqual([status.sync.conflicts, status.sync.pendingIntoPhotos], [0, 1]);
  });
});

Deno.test("sync --dry-run shows what would move both ways and changes nothing", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    assert.equal((await cli(syncArgs(home, sample.path), env(server))).code, 0);
    await nextSecond();
    const edit = openLibraryEdit(sample.path);
    try {
      edit.setCaption(sample.uuids.video, "new caption");
    } finally {
      edit.close();
    }
    const video = trackerRows(home).find((r) => r.asset_id === sample.uuids.video && r.key === "original")!;
    const before = structuredClone(server.emulator.state.assets.get(video.remote_id)!.exif);
    const dry = await cli(syncArgs(home, sample.path, "--dry-run"), env(server));
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(summaryOf(dry.stdout).toRemote.assets, 1);
    assert.deepEqual(server.emulator.state.assets.get(video.remote_id)!.exif, before);
    const real = summaryOf((await cli(syncArgs(home, sample.path), env(server))).stdout);
    assert.equal(real.toRemote.assets, 1, "the dry run recorded nothing as sent");
    assert.equal(server.emulator.state.assets.get(video.remote_id)!.exif.description, "new caption");
  });
});

Deno.test("a date changed in Photos reaches every member of the group: the Live Photo's still and its motion video", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    assert.equal((await cli(syncArgs(home, sample.path), env(server))).code, 0);
    const edit = openLibraryEdit(sample.path);
    const when = new Date("2020-02-02T12:00:00Z");
    try {
      edit.setCaptured(sample.uuids.live, when, 3600);
    } finally {
      edit.close();
    }
    const run = await cli(syncArgs(home, sample.path), env(server));
    assert.equal(run.code, 0, run.stderr);
    const rows = trackerRows(home).filter((r) => r.asset_id === sample.uuids.live);
    assert.deepEqual(rows.map((r) => r.key).sort(), ["motion", "original"]);
    for (const r of rows) {
      const taken = server.emulator.state.assets.get(r.remote_id)!.exif.dateTimeOriginal;
      assert.equal(Date.parse(taken!), when.getTime(), `${r.key} has the new date`);
    }
  });
});

Deno.test("an album deleted in Photos is kept in Immich, then deleted there with --propagate-deletions within the share; its assets stay", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    assert.equal((await cli(syncArgs(home, sample.path), env(server))).code, 0);
    const { title } = sample.facts.favoriteAlbum;
    const albumNamed = () =>
      [...server.emulator.state.albums.values()].find((a) => a.albumName.endsWith(title));
    const members = albumNamed()!.assetIds.length;
    assert.ok(members > 0, "the album reached Immich with its assets");
    const assetsBefore = server.emulator.state.assets.size;
    const edit = openLibraryEdit(sample.path);
    try {
      edit.deleteAlbum(sample.facts.favoriteAlbum.uuid);
    } finally {
      edit.close();
    }
    const kept = await cli(syncArgs(home, sample.path), env(server));
    assert.equal(kept.code, 0, kept.stderr);
    assert.deepEqual([summaryOf(kept.stdout).albumsGone, summaryOf(kept.stdout).albumsRemoved], [1, 0]);
    assert.deepEqual(albumNamed()?.assetIds, [], "emptied, as its members left it, but kept");

    const refused = await cli(syncArgs(home, sample.path, "--propagate-deletions"), env(server));
    assert.equal(refused.code, 1, "one album of a few is above the default share");
    assert.match(summaryOf(refused.stdout).refused, /albums would be deleted .*--max-delete-share/);
    assert.ok(albumNamed(), "nothing deleted when refused");

    const args = syncArgs(home, sample.path, "--propagate-deletions", "--max-delete-share", "0.5");
    const dry = await cli([...args, "--dry-run"], env(server));
    assert.equal(summaryOf(dry.stdout).albumsRemoved, 1);
    assert.ok(albumNamed(), "a dry run deletes nothing");
    const removed = await cli(args, env(server));
    assert.equal(removed.code, 0, removed.stdout + removed.stderr);
    assert.equal(summaryOf(removed.stdout).albumsRemoved, 1);
    assert.equal(albumNamed(), undefined, "deleted in Immich");
    assert.equal(server.emulator.state.assets.size, assetsBefore, "its assets stay");
    const again = summaryOf((await cli(args, env(server))).stdout);
    assert.deepEqual([again.albumsGone, again.albumsRemoved], [0, 0]);
  });
});

Deno.test("an album renamed in Photos is renamed in Immich, once", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    assert.equal((await cli(syncArgs(home, sample.path), env(server))).code, 0);
    const edit = openLibraryEdit(sample.path);
    try {
      edit.renameAlbum(sample.facts.favoriteAlbum.uuid, "Family, renamed");
    } finally {
      edit.close();
    }
    const run = await cli(syncArgs(home, sample.path), env(server));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(summaryOf(run.stdout).albumsRenamed, 1);
    const names = [...server.emulator.state.albums.values()].map((a) => a.albumName);
    assert.ok(names.some((n) => n.endsWith("Family, renamed")), names.join(" | "));
    assert.ok(!names.some((n) => n === sample.facts.favoriteAlbum.title), "renamed, not made anew");
    const again = summaryOf((await cli(syncArgs(home, sample.path), env(server))).stdout);
    assert.equal(again.albumsRenamed, 0);
  });
});

Deno.test("two-way sync: with neither side changed the library is not listed; a change on either side lists it", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    const { uuids } = sample;
    const sync = async (...more: string[]) => {
      const run = await cli(syncArgs(home, sample.path, ...more), env(server));
      assert.equal(run.code, 0, run.stderr);
      return run;
    };
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    await sync(); // starts both feeds and stamps what the import sent
    // The destination's feed keeps whole seconds: what the import changed is named until a sync
    // starts a second later.
    await nextSecond();
    await sync();
    const quiet = summaryOf((await sync()).stdout);
    assert.equal(quiet.unlisted, true, "nothing changed: not listed");
    assert.equal(quiet.import.listed, 0);
    const said = await cli(syncArgs(home, sample.path).filter((a) => a !== "--json"), env(server));
    assert.match(
      said.stdout,
      /^nothing changed in Photos or at the destination since the last sync .*not listed$/m,
    );

    await nextSecond();
    const edit = openLibraryEdit(sample.path);
    try {
      edit.setFavorite(uuids.video, true);
    } finally {
      edit.close();
    }
    const photos = summaryOf((await sync()).stdout);
    assert.equal(photos.unlisted, undefined, "Photos' history names a change: listed");
    assert.ok(photos.import.listed > 0);
    assert.equal(photos.toRemote.fields.favorite, 1);
    // The favorite written into Immich moved its `updatedAt`: the next sync is named it once, finds
    // it agreed, and the one after is quiet again.
    await nextSecond();
    const echo = summaryOf((await sync()).stdout);
    assert.deepEqual([echo.unlisted, echo.toRemote.assets, echo.toPhotos.assets], [undefined, 0, 0]);
    assert.equal(summaryOf((await sync()).stdout).unlisted, true);

    await nextSecond();
    const remoteId = trackerRows(home).find((r) => r.asset_id === uuids.located && r.key === "original")!
      .remote_id;
    await putAsset(server, remoteId, { description: "Immich says" });
    const immich = summaryOf((await sync()).stdout);
    assert.equal(immich.unlisted, undefined, "Immich names a change: listed");
    assert.equal(immich.toPhotos.assets, 1);
  });
});
