/** Photos albums as Immich albums, through `put()`: named, created once, adopted, created again. */
import assert from "node:assert/strict";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import { startEmulator } from "../../../tests/immich_emulator/mod.ts";
import { asset, group, LIVE, open, refOf } from "./_test_fixtures.ts";

Deno.test("albums: folders are flattened into the name, each album is created once and filled in batches", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const paris = { id: "PARIS", title: "Paris", folders: ["Trips", "2024"] };
  const family = { id: "FAMILY", title: "Family", folders: [] };
  const groups = await Promise.all(
    Array.from(
      { length: 24 },
      (_, i) =>
        group(
          ctx,
          asset(`ALB-${i}`, `IMG_${i}.JPG`, { albums: i % 3 === 0 ? [paris, family] : [paris] }),
          LIVE,
        ),
    ),
  );
  const results = await Promise.all(groups.map((g) => session.put(g)));
  const albums = [...server.emulator.state.albums.values()];
  assert.deepEqual(albums.map((a) => a.albumName).sort(), ["Family", "Trips / 2024 / Paris"]);
  const byName = new Map(albums.map((a) => [a.albumName, a]));
  const stills = results.map((r) => refOf(r.resources, "original").remoteId);
  assert.deepEqual(byName.get("Trips / 2024 / Paris")!.assetIds.sort(), [...stills].sort());
  assert.equal(byName.get("Family")!.assetIds.length, 8);
  const motions = results.map((r) => refOf(r.resources, "motion").remoteId);
  assert.ok(
    albums.every((a) => a.assetIds.every((id) => !motions.includes(id))),
    "no motion video in an album",
  );
  assert.equal(server.emulator.count("POST /api/albums"), 2);
  assert.ok(server.emulator.count("PUT /api/albums/:id/assets") < 24 + 8, "additions were batched");
  // A new session finds the albums it made again (remembered in the tracker state), creating none.
  await session.close();
  const next = await open(server, ctx);
  await next.put(await group(ctx, asset("ALB-X", "IMG_X.JPG", { albums: [paris] })));
  assert.equal(server.emulator.count("POST /api/albums"), 2);
  assert.equal(server.emulator.count("GET /api/albums"), 1, "the remembered id needs no listing");
  await next.close();
});

Deno.test("albums: 'title' names albums by title alone and finds existing ones by name; 'off' adds none", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const existing = await fetch(`${server.url}/api/albums`, {
    method: "POST",
    headers: { "x-api-key": server.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ albumName: "Paris" }),
  }).then((r) => r.json());
  const session = await open(server, ctx, { albums: "title" });
  const paris = { id: "PARIS", title: "Paris", folders: ["Trips", "2024"] };
  const { resources } = await session.put(await group(ctx, asset("T-1", "a.jpg", { albums: [paris] })));
  assert.equal(server.emulator.state.albums.size, 1);
  assert.deepEqual(server.emulator.state.albums.get(existing.id)!.assetIds, [resources[0].remoteId]);
  await session.close();
  await using ctx2 = await testContext();
  const off = await open(server, ctx2, { albums: "off" });
  await off.put(await group(ctx2, asset("T-2", "b.jpg", { albums: [paris] })));
  assert.equal(server.emulator.state.albums.get(existing.id)!.assetIds.length, 1);
  await off.close();
});

Deno.test("albums: two Photos albums with one title are two Immich albums, also across runs and old trackers", async () => {
  await using server = await startEmulator({ version: "1.135.3" });
  await using ctx = await testContext();
  const session = await open(server, ctx, { albums: "title" });
  const first = { id: "SUMMER-A", title: "Summer", folders: [] };
  const second = { id: "SUMMER-B", title: "Summer", folders: ["Family"] };
  const [a, b] = await Promise.all([
    session.put(await group(ctx, asset("S-1", "a.jpg", { albums: [first] }))),
    session.put(await group(ctx, asset("S-2", "b.jpg", { albums: [second] }))),
  ]);
  const members = () =>
    [...server.emulator.state.albums.values()].map((x) => [x.albumName, [...x.assetIds].sort()]).sort();
  const ids = (...r: typeof a[]) => r.map((x) => x.resources[0].remoteId).sort();
  assert.deepEqual(members(), [["Summer", ids(a)], ["Summer", ids(b)]].sort());
  await session.close();
  // A third album of that title in a later run, with a tracker from before albums had owners.
  const third = { id: "SUMMER-C", title: "Summer", folders: ["Work"] };
  for (const key of ctx.state.keys!("")) if (key.endsWith(":album-owners")) ctx.state.delete(key);
  const next = await open(server, ctx, { albums: "title" });
  const c = await next.put(await group(ctx, asset("S-3", "c.jpg", { albums: [third] })));
  const d = await next.put(await group(ctx, asset("S-4", "d.jpg", { albums: [first] })));
  assert.deepEqual(members(), [["Summer", ids(a, d)], ["Summer", ids(b)], ["Summer", ids(c)]].sort());
  await next.close();
});

Deno.test("an album deleted in Immich after it was remembered is created again", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const paris = { id: "PARIS", title: "Paris", folders: [] };
  await session.put(await group(ctx, asset("D-1", "a.jpg", { albums: [paris] })));
  const [first] = server.emulator.state.albums.keys();
  server.emulator.state.albums.delete(first);
  const { resources } = await session.put(await group(ctx, asset("D-2", "b.jpg", { albums: [paris] })));
  const albums = [...server.emulator.state.albums.values()];
  assert.equal(albums.length, 1);
  assert.deepEqual(albums[0].assetIds, [resources[0].remoteId]);
  await session.close();
});

Deno.test("an album whose owner was written but not its id (killed between the two) is found again, not made twice", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const paris = { id: "PARIS", title: "Paris", folders: [] };
  await session.put(await group(ctx, asset("K-1", "a.jpg", { albums: [paris] })));
  await session.close();
  // The state as a kill leaves it right after the owner index was written: the album's id is not.
  const remembered = ctx.state.keys!("").filter((key) => key.endsWith(":album:PARIS"));
  assert.equal(remembered.length, 1);
  ctx.state.delete(remembered[0]);
  const next = await open(server, ctx);
  const { resources } = await next.put(await group(ctx, asset("K-2", "b.jpg", { albums: [paris] })));
  const albums = [...server.emulator.state.albums.values()];
  assert.equal(albums.length, 1, "the album is adopted again by its own owner");
  assert.equal(albums[0].assetIds.length, 2);
  assert.ok(albums[0].assetIds.includes(resources[0].remoteId));
  await next.close();
  // And a run after that remembers it.
  const third = await open(server, ctx);
  await third.put(await group(ctx, asset("K-3", "c.jpg", { albums: [paris] })));
  assert.equal(server.emulator.count("POST /api/albums"), 1);
  await third.close();
});
