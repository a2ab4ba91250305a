/** What a session does besides `put()`: pausing and resuming jobs, and what later commands ask. */
import assert from "node:assert/strict";
import { errorKind } from "../../../core/plugin/errors.ts";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import type { AssetDestinationSession } from "../../../core/plugin/types.ts";
import { startEmulator } from "../../../tests/immich_emulator/mod.ts";
import immich from "./mod.ts";
import { asset, group, open, remote, settings, VERSIONS } from "./_test_fixtures.ts";

// ---------------------------------------------------------------------------------------------
// Jobs

for (const version of VERSIONS) {
  Deno.test(`pause-jobs pauses the heavy queues during the import and resumes them at close (Immich ${version})`, async () => {
    await using server = await startEmulator({ version });
    await using ctx = await testContext();
    server.emulator.state.paused.add("smartSearch"); // paused by the admin: must stay so
    const session = await open(server, ctx, { "pause-jobs": true });
    await session.check();
    assert.deepEqual([...server.emulator.state.paused], ["smartSearch"], "nothing paused before work");
    await session.put(await group(ctx, asset("J-1", "j.jpg")));
    assert.deepEqual([...server.emulator.state.paused].sort(), [
      "faceDetection",
      "metadataExtraction",
      "smartSearch",
      "thumbnailGeneration",
      "videoConversion",
    ]);
    await session.close();
    assert.deepEqual([...server.emulator.state.paused], ["smartSearch"]);
    const route = version.startsWith("3") ? /^PUT \/api\/queues\// : /^PUT \/api\/jobs\//;
    assert.equal(server.emulator.count(route), 8, "4 paused and 4 resumed, on this version's route");
  });
}

Deno.test("queues left paused by a killed run are resumed by the next session", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const killed = await open(server, ctx, { "pause-jobs": true });
  await killed.put(await group(ctx, asset("K-1", "k.jpg")));
  assert.equal(server.emulator.state.paused.size, 5);
  // No close(): the process died. The next run, even without pause-jobs, resumes them.
  const next = await open(server, ctx);
  await next.close();
  assert.equal(server.emulator.state.paused.size, 0);
});

Deno.test("pause-jobs with a key that is not an admin's fails the start-up check", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const bob = server.emulator.state.createUser({ email: "bob@example.com", name: "Bob" });
  const key = server.emulator.state.createApiKey(bob.id);
  const session = await immich.assets.open(
    settings({ url: server.url, "api-key": key.secret, "pause-jobs": true }),
    ctx,
  );
  const error = await session.check!().catch((e) => e);
  assert.equal(errorKind(error), "fatal");
  assert.match(error.message, /bob@example\.com is not an admin; set IMMICH_ADMIN_API_KEY/);
  const withAdmin = await immich.assets.open(
    settings({
      url: server.url,
      "api-key": key.secret,
      "pause-jobs": true,
      "admin-api-key": server.apiKey,
    }),
    ctx,
  );
  await withAdmin.check!();
  await withAdmin.put(await group(ctx, asset("ADM", "a.jpg")));
  assert.equal(server.emulator.state.paused.size, 5);
  await withAdmin.close();
  assert.equal(server.emulator.state.paused.size, 0);
});

// ---------------------------------------------------------------------------------------------
// What later commands ask of stored assets

Deno.test("stack, update, presence and remove act on stored assets", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session: AssetDestinationSession = await open(server, ctx);
  const photo = await group(ctx, asset("P-1", "p.heic"));
  const video = await group(ctx, asset("V-1", "v.mov"));
  const other = await group(ctx, asset("O-1", "o.jpg"));
  const [p, v, o] = await Promise.all([photo, video, other].map((g) => session.put(g)));
  const [pid, vid, oid] = [p, v, o].map((r) => r.resources[0].remoteId);
  await session.stack!(pid, [oid]);
  assert.equal(remote(server, oid).stackId, remote(server, pid).stackId);
  await session.update!(pid, {
    favorite: true,
    hidden: true,
    visibility: "hidden",
    captured: { utc: "2020-02-02T02:00:00.000Z", offsetSeconds: 3600 },
  });
  assert.equal(remote(server, pid).isFavorite, true);
  assert.equal(remote(server, pid).visibility, "hidden");
  assert.equal(remote(server, pid).localDateTime, "2020-02-02T03:00:00.000Z");
  await session.update!(pid, { hidden: false });
  assert.equal(remote(server, pid).visibility, "timeline");
  await session.remove!([oid]);
  assert.notEqual(remote(server, oid).deletedAt, null);
  server.emulator.state.deleteAsset(vid);
  assert.deepEqual(await session.presence!([pid, oid, vid]), {
    [pid]: "present",
    [oid]: "trashed",
    [vid]: "gone",
  });
  await session.close();
});

Deno.test("presence() of many assets reads the account's listing, and confirms each missing one on its own", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx, { albums: "off" });
  const groups = await Promise.all(
    Array.from({ length: 60 }, (_, i) => group(ctx, asset(`PR-${i}`, `p${i}.jpg`))),
  );
  const ids = (await Promise.all(groups.map((g) => session.put(g)))).map((r) => r.resources[0].remoteId);
  await session.remove!([ids[0]]);
  server.emulator.state.deleteAsset(ids[1]);
  const before = server.emulator.count("GET /api/assets/:id");
  const presence = await session.presence!(ids);
  assert.equal(presence[ids[0]], "trashed");
  assert.equal(presence[ids[1]], "gone");
  assert.equal(ids.slice(2).filter((id) => presence[id] !== "present").length, 0);
  assert.equal(
    server.emulator.count("GET /api/assets/:id") - before,
    1,
    "only the missing one was asked for",
  );
  assert.equal(
    server.emulator.count("POST /api/search/metadata"),
    4,
    "one check of the account, three listings",
  );
  await session.close();
});
