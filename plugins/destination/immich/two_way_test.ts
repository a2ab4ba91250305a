/** The two-way sync capabilities of `destination.immich`: update, read, changes, albums and people. */
import assert from "node:assert/strict";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import { startEmulator } from "../../../tests/immich_emulator/mod.ts";
import { capturedOf } from "./_read.ts";
import { facePixels, shownSize } from "./_faces.ts";
import { asset, group, open, refOf, remote, VERSIONS } from "./_test_fixtures.ts";

async function stored(version?: string) {
  const server = await startEmulator(version ? { version } : {});
  const ctx = await testContext();
  const session = await open(server, ctx);
  const put = async (id: string, more = {}) =>
    refOf((await session.put(await group(ctx, asset(id, `${id}.JPG`, more)))).resources, "original").remoteId;
  return {
    server,
    session,
    put,
    async [Symbol.asyncDispose]() {
      await session.close();
      await ctx[Symbol.asyncDispose]();
      await server[Symbol.asyncDispose]();
    },
  };
}

for (const version of VERSIONS) {
  Deno.test(`update takes every field, favourite and visibility in bulk, the rating alone (Immich ${version})`, async () => {
    await using t = await stored(version);
    const ids = await Promise.all(["U1", "U2", "U3"].map((id) => t.put(id, { keywords: ["old", "kept"] })));
    const bulkBefore = t.server.emulator.count("PUT /api/assets");
    await Promise.all(ids.map((id) => t.session.update(id, { favorite: true, hidden: true })));
    assert.ok(t.server.emulator.count("PUT /api/assets") - bulkBefore < 3, "shared bulk updates");
    await t.session.update(ids[0], {
      caption: "A caption",
      location: { latitude: 51.5, longitude: -0.12 },
      rating: 4,
      title: "ignored",
      keywords: ["kept", "new"],
      captured: { utc: "2012-12-12T11:12:12.000Z", offsetSeconds: 3600 },
    });
    const a = remote(t.server, ids[0]);
    assert.equal(a.isFavorite, true);
    assert.equal(a.visibility, "archive");
    assert.equal(a.exif.description, "A caption");
    assert.equal(a.exif.rating, 4);
    assert.deepEqual([a.exif.latitude, a.exif.longitude], [51.5, -0.12]);
    const tags = [...a.tagIds].map((id) => t.server.emulator.state.tags.get(id)!.value).sort();
    assert.deepEqual(tags, ["kept", "new"]);
    await t.session.update(ids[0], { caption: "  ", rating: null, hidden: false });
    assert.equal(remote(t.server, ids[0]).exif.description, "");
    assert.equal(remote(t.server, ids[0]).visibility, "timeline");
  });
}

Deno.test("an unknown id in a shared bulk update fails only its own update", async () => {
  await using t = await stored();
  const known = await t.put("B1");
  const unknown = crypto.randomUUID();
  const bulk = t.server.emulator.count("PUT /api/assets");
  const [ok, failed] = await Promise.allSettled([
    t.session.update(known, { favorite: true }),
    t.session.update(unknown, { favorite: true }),
  ]);
  assert.equal(ok.status, "fulfilled");
  assert.equal(failed.status, "rejected");
  assert.match(String((failed as PromiseRejectedResult).reason), /Not found/);
  assert.equal(remote(t.server, known).isFavorite, true);
  assert.equal(t.server.emulator.count("PUT /api/assets"), bulk + 1, "one bulk request, then one each");
  assert.equal(t.server.emulator.count("PUT /api/assets/:id"), 2);
});

Deno.test("read gives the synced fields Immich keeps, and null for an asset it no longer has", async () => {
  await using t = await stored();
  const paris = { id: "PARIS", title: "Paris", folders: [] };
  const id = await t.put("R1", {
    favorite: true,
    keywords: ["b", "a"],
    caption: "Hello",
    location: { latitude: 48.85, longitude: 2.35 },
    albums: [paris],
  });
  const gone = await t.put("R2");
  await t.session.remove([gone]);
  t.server.emulator.state.deleteAsset(gone);
  const read = await t.session.read([id, gone]);
  assert.equal(read[gone], null);
  const r = read[id]!;
  assert.equal(r.trashed, false);
  assert.ok(r.updatedAt);
  assert.equal("title" in r.fields, false);
  assert.deepEqual(
    { ...r.fields, captured: undefined },
    {
      favorite: true,
      hidden: false,
      caption: "Hello",
      keywords: ["a", "b"],
      location: { latitude: 48.85, longitude: 2.35 },
      captured: undefined,
      rating: null,
      people: [],
      albums: ["PARIS"],
    },
  );
  assert.deepEqual(r.fields.captured, { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 });
});

Deno.test("a capture date reads back with the offset Immich shows, unknown without a zone", () => {
  const base = { id: "x", isFavorite: false, isTrashed: false, visibility: "timeline", updatedAt: "" };
  const at = (timeZone: string | null, localDateTime: string) =>
    capturedOf({
      ...base,
      localDateTime,
      exifInfo: { dateTimeOriginal: "2012-12-12T11:12:12+00:00", timeZone },
    });
  assert.deepEqual(at("UTC+1", "2012-12-12T12:12:12.000Z"), {
    utc: "2012-12-12T11:12:12.000Z",
    offsetSeconds: 3600,
  });
  assert.deepEqual(at("UTC-8", "x")?.offsetSeconds, -28800);
  assert.deepEqual(at("Europe/London", "2012-12-12T13:12:12.000Z")?.offsetSeconds, 7200);
  assert.deepEqual(at(null, "2012-12-12T11:12:12.000Z")?.offsetSeconds, null);
});

/**
 * The checkpoint never passes the server's clock in whole seconds (and a server may send a `Date`
 * up to a second old): let that time pass.
 */
const nextSecond = () => new Promise((r) => setTimeout(r, 2010 - Date.now() % 1000));

Deno.test("changes lists what moved since the checkpoint, trash and albums included, and not again after", async () => {
  await using t = await stored();
  const album = { id: "ALB", title: "Trip", folders: [] };
  const [a, b, c] = await Promise.all(["C1", "C2", "C3"].map((id) => t.put(id, { albums: [album] })));
  await nextSecond();
  const all = await t.session.changes(undefined);
  assert.deepEqual([a, b, c].filter((id) => all.changed.includes(id)).length, 3);
  const quiet = await t.session.changes(all.checkpoint);
  assert.deepEqual(quiet.changed, []);
  await t.session.update(a, { hidden: true, visibility: "hidden" });
  await t.session.remove([b]);
  await nextSecond();
  const moved = await t.session.changes(quiet.checkpoint);
  assert.deepEqual(moved.changed.sort(), [a, b].sort(), "a hidden and a trashed asset are listed");
  assert.deepEqual((await t.session.changes(moved.checkpoint)).changed, []);
  // Taken out of an album in Immich: the album's updatedAt moves, and the member it lost is listed.
  const albumId = [...t.server.emulator.state.albums.values()][0].id;
  await fetch(`${t.server.url}/api/albums/${albumId}/assets`, {
    method: "DELETE",
    headers: { "x-api-key": t.server.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ ids: [c] }),
  }).then((r) => r.body?.cancel());
  await nextSecond();
  assert.deepEqual((await t.session.changes(moved.checkpoint)).changed, [c]);
});

Deno.test("a change made while the checkpoint's second lasts is listed again, not lost", async () => {
  await using t = await stored();
  const id = await t.put("S1");
  const first = await t.session.changes(undefined);
  await t.session.update(id, { favorite: true });
  assert.ok((await t.session.changes(first.checkpoint)).changed.includes(id));
});

Deno.test("albums makes exactly the tool's albums, renames, and leaves the user's own albums alone", async () => {
  await using t = await stored();
  const trip = { id: "TRIP", title: "Trip", folders: [] };
  const home = { id: "HOME", title: "Home", folders: [] };
  const id = await t.put("A1", { albums: [trip] });
  const own = await fetch(`${t.server.url}/api/albums`, {
    method: "POST",
    headers: { "x-api-key": t.server.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ albumName: "Mine", assetIds: [id] }),
  }).then((r) => r.json());
  await t.session.albums(id, [{ ...trip, title: "Trip 2024" }, home]);
  const names = () =>
    [...t.server.emulator.state.albums.values()].filter((a) => a.assetIds.includes(id)).map((a) =>
      a.albumName
    )
      .sort();
  assert.deepEqual(names(), ["Home", "Mine", "Trip 2024"]);
  await t.session.albums(id, [home]);
  assert.deepEqual(names(), ["Home", "Mine"]);
  assert.deepEqual((await t.session.read([id]))[id]!.fields.albums, ["HOME"]);
  assert.ok(t.server.emulator.state.albums.get(own.id)!.assetIds.includes(id));
});

Deno.test("people finds or creates each person by name, places its face in pixels, and is idempotent", async () => {
  await using t = await stored();
  const id = await t.put("P1");
  const a = remote(t.server, id);
  a.exif.exifImageWidth = 2048;
  a.exif.exifImageHeight = 1367;
  const face = { x: 0.25, y: 0.25, width: 0.1, height: 0.1 };
  await t.session.people(id, [{ name: "Maria", face }, { name: "Katie", face }, { name: "Nobody" }]);
  const people = () => t.server.emulator.state.people;
  assert.deepEqual([...people().people.values()].map((p) => p.name).sort(), ["Katie", "Maria"]);
  const faces = people().facesOf(id);
  assert.deepEqual(
    { w: faces[0].imageWidth, h: faces[0].imageHeight, x: faces[0].x1, y: faces[0].y1 },
    { w: 2048, h: 1367, x: 512, y: 342 },
  );
  const posts = t.server.emulator.count("POST /api/faces");
  await t.session.people(id, [{ name: "Maria", face }, { name: "Katie", face }]);
  assert.equal(t.server.emulator.count("POST /api/faces"), posts, "nothing changes the second time");
  await t.session.people(id, [{ name: "Katie", face }]);
  const read = (await t.session.read([id]))[id]!.fields.people!;
  assert.deepEqual(read.map((p) => p.name), ["Katie"]);
  assert.ok(Math.abs(read[0].face!.x - 0.25) < 0.001);
  assert.equal(people().people.size, 2, "the person stays; only the face goes");
});

Deno.test("a face is placed on the image as Immich shows it: a quarter turn swaps width and height", () => {
  const turned = {
    id: "x",
    isFavorite: false,
    isTrashed: false,
    visibility: "timeline",
    updatedAt: "",
    localDateTime: "",
    exifInfo: { exifImageWidth: 2048, exifImageHeight: 1365, orientation: "6" },
  };
  const size = shownSize(turned);
  assert.deepEqual(size, { width: 1365, height: 2048 });
  assert.deepEqual(facePixels({ x: 0.5, y: 0.25, width: 0.1, height: 0.1 }, size), {
    imageWidth: 1365,
    imageHeight: 2048,
    x: 683,
    y: 512,
    width: 137,
    height: 205,
  });
});
