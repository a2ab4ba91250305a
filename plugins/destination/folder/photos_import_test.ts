import assert from "node:assert/strict";
import { join } from "node:path";
import { hashFile } from "../../../core/engine/hash.ts";
import type { ExportedGroup } from "../../../core/model/plan.ts";
import { ConfigError } from "../../../core/plugin/errors.ts";
import { resolveOptions } from "../../../core/plugin/options.ts";
import { destinationSuite, groupFixture, testContext } from "../../../core/plugin/testing/mod.ts";
import type { AssetDestinationSession } from "../../../core/plugin/types.ts";
import folder from "./mod.ts";
import { xmpPacket } from "../../../core/model/xmp.ts";

const LAYOUT = { layout: "photos-import" } as const;
const DAY = "2024/05/01";

Deno.test("destination.folder with the Photos-import layout passes the destination conformance suite", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await destinationSuite(t, folder, { options: { path: dir, ...LAYOUT } });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every file under `root`, relative, sorted. */
async function listed(root: string, dir = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(root, dir))) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    out.push(...(entry.isDirectory ? await listed(root, path) : [path]));
  }
  return out.sort();
}

/** Puts the group and checks that each file's copy has the source's bytes; returns the names by key. */
async function putChecked(session: AssetDestinationSession, root: string, group: ExportedGroup) {
  const { resources } = await session.put(group);
  const names: Record<string, string> = {};
  for (const r of resources) {
    const source = group.files.find((f) => f.key === r.key)!;
    assert.equal((await hashFile(join(root, r.remoteId))).sha1, source.sha1, r.remoteId);
    names[r.key] = r.remoteId;
  }
  return names;
}

async function sidecar(root: string, name: string): Promise<string> {
  return await Deno.readTextFile(join(root, DAY, name));
}

Deno.test("Live Photo, edit, RAW+JPEG and two same-named assets are laid out for Photos' import", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root, ...LAYOUT }, ctx);
  const meta = { title: "Harbour", caption: "Boats & <sun>", keywords: ["sea"], favorite: true };
  const live = await groupFixture(ctx.tempDir, {
    extension: "HEIC",
    motion: true,
    asset: { id: "LIVE0001-x", filename: "IMG_0001.HEIC", liveContentId: "CID-1", ...meta },
  });
  const edited = await groupFixture(ctx.tempDir, {
    extension: "JPG",
    edit: true,
    asset: { id: "EDIT0002-x", filename: "IMG_0002.JPG", location: { latitude: 48.8, longitude: 2.3 } },
  });
  const raw = await groupFixture(ctx.tempDir, {
    extension: "JPG",
    raw: true,
    asset: { id: "RAWJ0003-x", filename: "IMG_0003.JPG" },
  });
  // Another phone's IMG_0001, a plain photo: its JPG and sidecar must not pair with the Live Photo.
  const twin = await groupFixture(ctx.tempDir, {
    extension: "JPG",
    asset: { id: "TWIN0001-y", filename: "IMG_0001.JPG" },
  });
  // And an asset whose every name is the Live Photo's, as a second Live Photo named IMG_0001 would be.
  const same = await groupFixture(ctx.tempDir, {
    extension: "HEIC",
    motion: true,
    asset: { id: "SAME0001-z", filename: "IMG_0001.HEIC" },
  });
  assert.deepEqual(await putChecked(session, root, live), {
    original: `${DAY}/IMG_0001.HEIC`,
    motion: `${DAY}/IMG_0001.mov`,
  });
  assert.deepEqual(await putChecked(session, root, edited), {
    original: `${DAY}/IMG_0002.JPG`,
    edited: `${DAY}/IMG_0002_edited.JPG`,
  });
  assert.deepEqual(await putChecked(session, root, raw), {
    original: `${DAY}/IMG_0003.JPG`,
    raw: `${DAY}/IMG_0003.dng`,
  });
  assert.deepEqual(await putChecked(session, root, twin), { original: `${DAY}/IMG_0001_TWIN0001.JPG` });
  assert.deepEqual(await putChecked(session, root, same), {
    original: `${DAY}/IMG_0001_SAME0001.HEIC`,
    motion: `${DAY}/IMG_0001_SAME0001.mov`,
  });
  assert.deepEqual(
    await listed(root),
    [
      "IMG_0001.HEIC",
      "IMG_0001.mov",
      "IMG_0001.xmp",
      "IMG_0001_SAME0001.HEIC",
      "IMG_0001_SAME0001.mov",
      "IMG_0001_SAME0001.xmp",
      "IMG_0001_TWIN0001.JPG",
      "IMG_0001_TWIN0001.xmp",
      "IMG_0002.JPG",
      "IMG_0002.xmp",
      "IMG_0002_edited.JPG",
      "IMG_0002_edited.xmp",
      "IMG_0003.dng",
      "IMG_0003.JPG",
      "IMG_0003.xmp",
    ].map((n) => `${DAY}/${n}`).sort(),
  );
  // One sidecar per asset and base name Photos imports, each the asset's own metadata.
  assert.equal(await sidecar(root, "IMG_0001.xmp"), xmpPacket(live.asset));
  assert.match(await sidecar(root, "IMG_0001.xmp"), /Boats &amp; &lt;sun&gt;/);
  assert.equal(await sidecar(root, "IMG_0002.xmp"), xmpPacket(edited.asset));
  assert.equal(await sidecar(root, "IMG_0002_edited.xmp"), xmpPacket(edited.asset));
  assert.equal(await sidecar(root, "IMG_0003.xmp"), xmpPacket(raw.asset));
  assert.equal(await sidecar(root, "IMG_0001_TWIN0001.xmp"), xmpPacket(twin.asset));
  assert.equal(await sidecar(root, "IMG_0001_SAME0001.xmp"), xmpPacket(same.asset));

  // Again, as a resumed run: every file is found as this asset's own, nothing is copied or renamed.
  for (const group of [live, edited, raw, twin, same]) {
    const again = await session.put(group);
    assert.ok(again.resources.every((r) => r.duplicate), group.asset.id);
  }
  assert.equal((await listed(root)).length, 15);
});

Deno.test("a resumed put writes the sidecar the kill left out, and refreshes its own when the metadata changed", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root, ...LAYOUT }, ctx);
  const group = await groupFixture(ctx.tempDir, { motion: true, asset: { filename: "IMG_0005.JPG" } });
  await session.put(group);
  await Deno.remove(join(root, DAY, "IMG_0005.xmp"));
  assert.ok((await session.put(group)).resources.every((r) => r.duplicate));
  assert.equal(await sidecar(root, "IMG_0005.xmp"), xmpPacket(group.asset));
  const changed = { ...group, asset: { ...group.asset, caption: "now with a caption" } };
  assert.ok((await session.put(changed)).resources.every((r) => r.duplicate), "no suffixed copy");
  assert.equal(await sidecar(root, "IMG_0005.xmp"), xmpPacket(changed.asset));
  assert.equal((await listed(root)).length, 3);
});

Deno.test("a sidecar of another tool under the asset's base name is never overwritten: the asset is suffixed", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root, ...LAYOUT }, ctx);
  await Deno.mkdir(join(root, DAY), { recursive: true });
  await Deno.writeTextFile(join(root, DAY, "img_0006.XMP"), "<x:xmpmeta/>");
  const group = await groupFixture(ctx.tempDir, { asset: { id: "ABCD0006-x", filename: "IMG_0006.JPG" } });
  const { resources } = await session.put(group);
  assert.deepEqual(resources.map((r) => r.remoteId), [`${DAY}/IMG_0006_ABCD0006.JPG`]);
  assert.equal(await sidecar(root, "img_0006.XMP"), "<x:xmpmeta/>");
  assert.equal(await sidecar(root, "IMG_0006_ABCD0006.xmp"), xmpPacket(group.asset));
});

Deno.test("an XMP the asset brought along travels as <stem>_source.xmp, so Photos reads the asset's metadata", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root, ...LAYOUT }, ctx);
  const group = await groupFixture(ctx.tempDir, { sidecar: true, asset: { filename: "IMG_0007.JPG" } });
  assert.match((await session.check!()).description, /, laid out for Photos' import$/);
  const names = await putChecked(session, root, group);
  assert.deepEqual(names, { original: `${DAY}/IMG_0007.JPG`, sidecar: `${DAY}/IMG_0007_source.xmp` });
  assert.equal(await sidecar(root, "IMG_0007.xmp"), xmpPacket(group.asset));
});

Deno.test("the layout is declared with its choices, so the host refuses another one, naming the flag", () => {
  const layers = { flags: {}, env: { PHOTOS_SYNC_FOLDER_PATH: "/p" }, envFile: {} };
  assert.equal(resolveOptions(folder.id, folder.options, layers).values.layout, "dated");
  assert.equal(
    resolveOptions(folder.id, folder.options, { ...layers, flags: { "folder-layout": "photos-import" } })
      .values.layout,
    "photos-import",
  );
  assert.throws(
    () => resolveOptions(folder.id, folder.options, { ...layers, flags: { "folder-layout": "flat" } }),
    (e: Error) => e instanceof ConfigError && /one of dated, photos-import/.test(e.message),
  );
});

Deno.test("a file of another extension under the asset's base name counts as taken, since Photos would pair it", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root, ...LAYOUT }, ctx);
  await Deno.mkdir(join(root, DAY), { recursive: true });
  await Deno.writeTextFile(join(root, DAY, "IMG_0008.MOV"), "someone else's video");
  const group = await groupFixture(ctx.tempDir, {
    extension: "HEIC",
    asset: { id: "WXYZ0008-x", filename: "IMG_0008.HEIC" },
  });
  const { resources } = await session.put(group);
  assert.deepEqual(resources.map((r) => r.remoteId), [`${DAY}/IMG_0008_WXYZ0008.HEIC`]);
  assert.deepEqual(await listed(root), [
    `${DAY}/IMG_0008.MOV`,
    `${DAY}/IMG_0008_WXYZ0008.HEIC`,
    `${DAY}/IMG_0008_WXYZ0008.xmp`,
  ]);
});

Deno.test("two same-named assets put at once (two lanes) take turns: neither overwrites the other", async () => {
  await using ctx = await testContext();
  for (const layout of ["photos-import", "dated"] as const) {
    const root = join(ctx.tempDir, layout);
    const session = await folder.assets.open({ path: root, layout }, ctx);
    const groups = await Promise.all(
      ["AAAA0009", "BBBB0009", "CCCC0009"].map((id) =>
        groupFixture(ctx.tempDir, { motion: true, asset: { id: `${id}-x`, filename: "IMG_0009.JPG" } })
      ),
    );
    const results = await Promise.all(groups.map((g) => putChecked(session, root, g)));
    const ids = results.flatMap((r) => Object.values(r));
    assert.equal(new Set(ids).size, 6, `${layout}: ${ids}`);
    const files = await listed(root);
    assert.equal(files.length, layout === "dated" ? 6 : 9, `${layout}: ${files}`);
    for (const [i, group] of groups.entries()) {
      const sidecarOf = results[i].original.replace(/\.jpg$/i, ".xmp");
      if (layout === "photos-import") {
        assert.equal(await Deno.readTextFile(join(root, sidecarOf)), xmpPacket(group.asset));
      }
    }
  }
});

Deno.test("when even the suffixed names are taken by others, the put fails and writes nothing", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root, ...LAYOUT }, ctx);
  await Deno.mkdir(join(root, DAY), { recursive: true });
  for (const name of ["IMG_0010.xmp", "IMG_0010_QRST0010.xmp"]) {
    await Deno.writeTextFile(join(root, DAY, name), "not ours");
  }
  const group = await groupFixture(ctx.tempDir, { asset: { id: "QRST0010-x", filename: "IMG_0010.JPG" } });
  await assert.rejects(
    session.put(group),
    (e: Error & { kind?: string }) =>
      e.kind === "permanent" && /IMG_0010_QRST0010\.JPG and the names beside it are taken/.test(e.message),
  );
  assert.deepEqual(await listed(root), [`${DAY}/IMG_0010.xmp`, `${DAY}/IMG_0010_QRST0010.xmp`]);
});

Deno.test("sync's changes go into every sidecar of the asset, and of no other asset", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root, ...LAYOUT }, ctx);
  const trips = { id: "album-1", title: "Paris", folders: ["Trips"] };
  const edited = await groupFixture(ctx.tempDir, {
    extension: "JPG",
    edit: true,
    asset: {
      id: "EDIT0002-x",
      filename: "IMG_0002.JPG",
      caption: "Before",
      keywords: ["sea"],
      location: { latitude: 48.8, longitude: 2.3 },
      albums: [trips],
    },
  });
  const other = await groupFixture(ctx.tempDir, {
    extension: "JPG",
    asset: { id: "OTHR0003-x", filename: "IMG_0003.JPG", caption: "Mine" },
  });
  const names = await putChecked(session, root, edited);
  await putChecked(session, root, other);
  const untouched = await sidecar(root, "IMG_0003.xmp");
  assert.ok(session.update && session.albums && session.people, "the import layout keeps every field");
  assert.equal(session.albumsPerAsset, true);

  await session.update(names.original, {
    caption: "After",
    favorite: true,
    location: null,
    captured: { utc: "2024-05-01T08:00:00.000Z", offsetSeconds: 7200 },
  });
  await session.albums!(names.original, [{ ...trips, title: "Paris 2024" }]);
  await session.people!(names.original, [{
    name: "Katie",
    face: { x: 0.1, y: 0.2, width: 0.3, height: 0.4 },
  }]);
  const expected = xmpPacket({
    ...edited.asset,
    caption: "After",
    favorite: true,
    location: undefined,
    captured: { utc: "2024-05-01T08:00:00.000Z", offsetSeconds: 7200 },
    albums: [{ ...trips, title: "Paris 2024" }],
    people: [{ name: "Katie", face: { x: 0.1, y: 0.2, width: 0.3, height: 0.4 } }],
  });
  assert.equal(await sidecar(root, "IMG_0002.xmp"), expected, "the original's sidecar");
  assert.equal(await sidecar(root, "IMG_0002_edited.xmp"), expected, "and the render's, the same facts");
  assert.equal(await sidecar(root, "IMG_0003.xmp"), untouched, "another asset's stays as it was");

  // Through the render's file too, and a cleared title stays cleared.
  await session.update(names.edited, { keywords: [], title: null });
  const facts = (await sidecar(root, "IMG_0002.xmp")).match(/<dc:subject>/);
  assert.equal(facts, null, "no keywords left");
  assert.equal(await sidecar(root, "IMG_0002_edited.xmp"), await sidecar(root, "IMG_0002.xmp"));
});

Deno.test("the dated layout keeps no field, so a change sent to it writes nothing", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root }, ctx);
  assert.deepEqual([session.fields?.keep, session.albumsPerAsset], [[], false]);
  const group = await groupFixture(ctx.tempDir, { extension: "JPG", asset: { caption: "Kept nowhere" } });
  const { resources } = await session.put(group);
  const before = await listed(root);
  await session.update!(resources[0].remoteId, { caption: "Changed" });
  await session.albums!(resources[0].remoteId, [{ id: "a", title: "A", folders: [] }]);
  assert.deepEqual(await listed(root), before);
});
