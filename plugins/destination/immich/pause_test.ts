/**
 * When an import pauses Immich's heavy jobs: `auto` (pause-jobs not given) from the
 * {@link LARGE_IMPORT}th put when the key may, `on` always (fatal when the key cannot), `off` never.
 */
import assert from "node:assert/strict";
import { errorKind } from "../../../core/plugin/errors.ts";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import { type RunningEmulator, startEmulator } from "../../../tests/immich_emulator/mod.ts";
import { requiredPermissions } from "./_check.ts";
import { ImportPause, LARGE_IMPORT, LARGE_IMPORT_BYTES } from "./_jobs.ts";
import type { ImmichSession } from "./_session.ts";
import { asset, type Ctx, group, open, VERSIONS } from "./_test_fixtures.ts";

const HEAVY = [
  "faceDetection",
  "metadataExtraction",
  "smartSearch",
  "thumbnailGeneration",
  "videoConversion",
];
const paused = (server: RunningEmulator) => [...server.emulator.state.paused].sort();
const queueWrites = (server: RunningEmulator) => server.emulator.count(/^PUT \/api\/(queues|jobs)\//);
const notPausing = (ctx: Ctx) => ctx.logs.filter((l) => /not pausing Immich's jobs/.test(l));

/** Puts `n` one-photo assets (numbered from `from`); each must land. */
async function putMany(session: ImmichSession, ctx: Ctx, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const { resources } = await session.put(await group(ctx, asset(`A-${i}`, `a${i}.jpg`)));
    assert.ok(resources[0].remoteId, `asset ${i} was stored`);
  }
}

/** A key of a user who is not an admin, with every permission. */
function bobsKey(server: RunningEmulator): string {
  const bob = server.emulator.state.createUser({ email: "bob@example.com", name: "Bob" });
  return server.emulator.state.createApiKey(bob.id).secret;
}

for (const version of VERSIONS) {
  Deno.test(`auto with an admin's key pauses once the import is large, and resumes at close (Immich ${version})`, async () => {
    await using server = await startEmulator({ version });
    await using ctx = await testContext();
    const session = await open(server, ctx);
    await session.check();
    assert.equal(server.emulator.count("GET /api/users/me"), 1, "the connection's answer serves the check");
    await putMany(session, ctx, LARGE_IMPORT - 1);
    assert.deepEqual(paused(server), [], "not yet a large import");
    assert.equal(queueWrites(server), 0);
    await putMany(session, ctx, 2, LARGE_IMPORT - 1);
    assert.deepEqual(paused(server), HEAVY, "paused from the threshold on");
    await session.close();
    assert.deepEqual(paused(server), []);
    assert.equal(queueWrites(server), 10, "5 paused, 5 resumed");
    assert.deepEqual(notPausing(ctx), []);
  });
}

Deno.test("auto with a key that is not an admin's does not pause, says why once, and imports", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx, { "api-key": bobsKey(server) });
  await session.check();
  assert.deepEqual(notPausing(ctx), [], "a small import would hear nothing of it");
  await putMany(session, ctx, LARGE_IMPORT + 3);
  await session.close();
  assert.equal(queueWrites(server), 0);
  assert.equal(server.emulator.count("GET /api/queues"), 0);
  const said = notPausing(ctx);
  assert.equal(said.length, 1, ctx.logs.join("\n"));
  assert.match(
    said[0],
    /^info not pausing Immich's jobs during this large import: bob@example\.com is not an admin/,
  );
  assert.match(said[0], /set IMMICH_ADMIN_API_KEY to an admin's key with queue\.read and queue\.update/);
  assert.equal(server.emulator.state.assets.size, LARGE_IMPORT + 3);
});

Deno.test("auto with IMMICH_ADMIN_API_KEY pauses with the admin's key what the user's key cannot", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx, { "api-key": bobsKey(server), "admin-api-key": server.apiKey });
  await session.check();
  await putMany(session, ctx, LARGE_IMPORT);
  assert.deepEqual(paused(server), HEAVY);
  await session.close();
  assert.deepEqual(paused(server), []);
  assert.deepEqual(notPausing(ctx), []);
});

Deno.test("auto with an admin's key that lacks the queue permissions does not pause, naming them", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  // Everything an import needs, and no queue permission.
  const needed = requiredPermissions({ albums: "path", tags: "keywords" });
  const key = server.emulator.state.createApiKey(server.emulator.state.admin.id, needed);
  const session = await open(server, ctx, { "api-key": key.secret });
  await session.check();
  await putMany(session, ctx, LARGE_IMPORT);
  await session.close();
  assert.equal(queueWrites(server), 0);
  assert.match(notPausing(ctx).join("\n"), /the key in IMMICH_API_KEY lacks queue\.read, queue\.update/);
  const on = await open(server, ctx, { "api-key": key.secret, "pause-jobs": true });
  const error = await on.check().catch((e) => e);
  assert.equal(errorKind(error), "fatal", "with --immich-pause-jobs the same key stops the run");
  assert.match(error.message, /lacks queue\.read, queue\.update; set IMMICH_ADMIN_API_KEY/);
});

Deno.test("auto on a server that cannot list a key's permissions (1.135) reads no queue until the import is large", async () => {
  await using server = await startEmulator({ version: "1.135.3" });
  await using ctx = await testContext();
  const session = await open(server, ctx);
  await session.check();
  await putMany(session, ctx, LARGE_IMPORT - 1);
  assert.equal(server.emulator.count("GET /api/jobs"), 0, "a small import: no read of the queues at all");
  await putMany(session, ctx, 1, LARGE_IMPORT - 1);
  assert.deepEqual(paused(server), HEAVY);
  await session.close();
  assert.deepEqual(paused(server), []);
  // Where the queues cannot be read (403), the pause is refused, said once, and the import goes on.
  const refuse = { method: "GET", path: "^/api/jobs$", status: 403 };
  server.emulator.faults.push(refuse);
  const refused = await open(server, ctx);
  await refused.check();
  assert.equal(server.emulator.applied(refuse), 0, "not asked at start");
  await putMany(refused, ctx, LARGE_IMPORT + 2, 100);
  await refused.close();
  assert.equal(server.emulator.applied(refuse), 1);
  const warned = ctx.logs.filter((l) => /could not pause Immich's jobs/.test(l));
  assert.equal(warned.length, 1, ctx.logs.join("\n"));
  assert.match(warned[0], /^warn .*403.*importing with them running/);
  assert.equal(server.emulator.state.assets.size, 2 * LARGE_IMPORT + 2);
  const on = await open(server, ctx, { "pause-jobs": true });
  const error = await on.check().catch((e) => e);
  assert.equal(server.emulator.applied(refuse), 2, "with --immich-pause-jobs the queues are read at start");
  assert.equal(errorKind(error), "fatal");
});

Deno.test("auto pauses at the put that brings the run to LARGE_IMPORT_BYTES, however few the puts", async () => {
  await using ctx = await testContext();
  let pauses = 0;
  const pause = new ImportPause({ pause: () => Promise.resolve(void pauses++) }, "auto", ctx.log);
  const video = LARGE_IMPORT_BYTES / 4;
  for (let i = 0; i < 3; i++) await pause.beforePut(video);
  assert.equal(pauses, 0, "three puts, three quarters of the bytes");
  await pause.beforePut(video);
  assert.equal(pauses, 1, "the fourth reaches the bytes");
  await pause.beforePut(1);
  assert.equal(pauses, 2, "each later put waits for the pause");
});

Deno.test("auto with a small import does not pause, nor read the queues", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  await session.check();
  await putMany(session, ctx, LARGE_IMPORT - 1);
  await session.close();
  assert.equal(queueWrites(server), 0);
  assert.equal(server.emulator.count("GET /api/queues"), 0);
  assert.deepEqual(notPausing(ctx), []);
});

Deno.test("--no-immich-pause-jobs never pauses, nor checks the key for it", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx, { "pause-jobs": false });
  await session.check();
  await putMany(session, ctx, LARGE_IMPORT + 1);
  await session.close();
  assert.equal(queueWrites(server), 0);
  const bob = await open(server, ctx, { "api-key": bobsKey(server), "pause-jobs": false });
  await bob.check();
  await putMany(bob, ctx, LARGE_IMPORT, 100);
  await bob.close();
  assert.deepEqual(notPausing(ctx), [], "nothing to say when told not to");
  assert.equal(queueWrites(server), 0);
});

Deno.test("auto where pausing answers 500 warns once and the import goes on; what was paused is resumed", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  // The third queue refuses: two are paused by then, and must be resumed all the same.
  const refuse = { method: "PUT", path: "^/api/queues/", status: 500, every: 3, times: 1 };
  server.emulator.faults.push(refuse);
  const session = await open(server, ctx);
  await session.check();
  await putMany(session, ctx, LARGE_IMPORT + 5);
  assert.equal(server.emulator.applied(refuse), 1);
  assert.equal(paused(server).length, 2, "paused until the refusal, not tried again");
  await session.close();
  assert.deepEqual(paused(server), []);
  const warned = ctx.logs.filter((l) => /could not pause Immich's jobs/.test(l));
  assert.equal(warned.length, 1, ctx.logs.join("\n"));
  assert.match(warned[0], /^warn .*500.*importing with them running/);
  assert.equal(server.emulator.state.assets.size, LARGE_IMPORT + 5);
});
