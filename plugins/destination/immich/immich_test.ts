/** `destination.immich` as a whole: the conformance suite, opening, the start-up check and errors. */
import assert from "node:assert/strict";
import { errorKind } from "../../../core/plugin/errors.ts";
import {
  type DestinationInspector,
  destinationSuite,
  testContext,
} from "../../../core/plugin/testing/mod.ts";
import { type RunningEmulator, startEmulator } from "../../../tests/immich_emulator/mod.ts";
import immich from "./mod.ts";
import { requiredPermissions } from "./_check.ts";
import { asset, group, LIVE, open, settings, VERSIONS } from "./_test_fixtures.ts";

for (const version of VERSIONS) {
  Deno.test(`destination.immich passes the destination conformance suite against Immich ${version}`, async (t) => {
    await using server = await startEmulator({ version });
    await destinationSuite(t, immich, {
      options: settings({ url: server.url, "api-key": server.apiKey, timeout: 10 }),
      sampleExtension: "jpg",
      inspect: emulatorInspector(server),
    });
  });
}

/** Reads what reached the emulated server, in the suite's terms (Immich keeps no title). */
function emulatorInspector(server: RunningEmulator): DestinationInspector {
  const state = server.emulator.state;
  const get = (id: string) => state.assets.get(id)!;
  return {
    metadata: async (id) => {
      const a = get(id);
      const offsetSeconds = (Date.parse(a.localDateTime) - Date.parse(a.fileCreatedAt)) / 1000;
      return await Promise.resolve({
        favorite: a.isFavorite,
        hidden: a.visibility !== "timeline",
        captured: { utc: a.exif.dateTimeOriginal ?? a.fileCreatedAt, offsetSeconds },
        caption: a.exif.description,
        keywords: [...a.tagIds].map((t) => state.tags.get(t)!.value),
        location: { latitude: a.exif.latitude!, longitude: a.exif.longitude! },
      });
    },
    stack: (id) => Promise.resolve(get(id).stackId ? state.stacks.get(get(id).stackId!)!.assetIds : []),
    albums: (id) =>
      Promise.resolve(
        [...state.albums.values()].filter((x) => x.assetIds.includes(id)).map((x) => x.albumName),
      ),
    motion: (id) => Promise.resolve(get(id).livePhotoVideoId ?? undefined),
  };
}

// ---------------------------------------------------------------------------------------------
// Start-up check and errors

Deno.test("a wrong API key fails open() once with a configuration error (exit 2) that says what to do", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const error = await immich.assets.open(settings({ url: server.url, "api-key": "not-a-key" }), ctx).catch((
    e,
  ) => e);
  assert.equal(errorKind(error), "config");
  assert.match(error.message, /refused the API key.*Invalid API key.*IMMICH_API_KEY/);
  assert.ok(!error.message.includes("not-a-key"), "the key is never printed");
});

Deno.test("an unreachable server and a server older than 1.133 fail open() with a fatal error", async () => {
  await using ctx = await testContext();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const down = await immich.assets.open(
    settings({ url: `http://127.0.0.1:${port}`, "api-key": "k-not-a-real-key" }),
    ctx,
  ).catch((e) => e);
  assert.equal(errorKind(down), "fatal");
  assert.match(
    down.message,
    /cannot reach Immich at http:\/\/127\.0\.0\.1.*check that the server is running/,
  );
  assert.equal(down.message.split("127.0.0.1").length, 2, `the server is named once: ${down.message}`);
  await using old = await startEmulator({ version: "1.132.3" });
  const tooOld = await immich.assets.open(settings({ url: old.url, "api-key": old.apiKey }), ctx).catch((e) =>
    e
  );
  assert.equal(errorKind(tooOld), "fatal");
  assert.match(tooOld.message, /Immich 1\.132\.3 .* older than 1\.133\.0.*upgrade Immich/);
  const badUrl = await immich.assets.open(settings({ url: "nas:2283", "api-key": "k-not-a-real-key" }), ctx)
    .catch((e) => e);
  assert.equal(errorKind(badUrl), "config");
});

Deno.test("check() names every permission a 3.x API key lacks, once", async () => {
  await using server = await startEmulator({ version: "3.2.2" });
  await using ctx = await testContext();
  const key = server.emulator.state.createApiKey(server.emulator.state.admin.id, [
    "user.read",
    "asset.read",
    "asset.upload",
    "asset.update",
    "asset.delete",
    "stack.create",
    "stack.read",
    "album.read",
  ]);
  const session = await immich.assets.open(settings({ url: server.url, "api-key": key.secret }), ctx);
  const error = await session.check!().catch((e) => e);
  assert.equal(errorKind(error), "fatal");
  assert.match(
    error.message,
    /lacks the permissions album\.create, albumAsset\.create, tag\.create, tag\.asset;/,
  );
  const enough = await immich.assets.open(
    settings({ url: server.url, "api-key": key.secret, albums: "off", tags: "off" }),
    ctx,
  );
  assert.match(
    (await enough.check!()).description,
    /^Immich 3\.2\.2 at http:\/\/127\.0\.0\.1:\d+ as admin@example\.com$/,
  );
});

Deno.test("check() on 1.135, which has no /api-keys/me, probes and names the missing permission", async () => {
  await using server = await startEmulator({ version: "1.135.3" });
  await using ctx = await testContext();
  const key = server.emulator.state.createApiKey(server.emulator.state.admin.id, ["asset.read"]);
  const session = await immich.assets.open(settings({ url: server.url, "api-key": key.secret }), ctx);
  const error = await session.check!().catch((e) => e);
  assert.equal(errorKind(error), "fatal");
  assert.match(error.message, /Missing required permission: album\.read/);
});

Deno.test("two users of one server are two destinations", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const bob = server.emulator.state.createUser({ email: "bob@example.com", name: "Bob" });
  const bobKey = server.emulator.state.createApiKey(bob.id);
  const admin = await immich.assets.open(settings({ url: `${server.url}/`, "api-key": server.apiKey }), ctx);
  const other = await immich.assets.open(
    settings({ url: `${server.url}/api`, "api-key": bobKey.secret }),
    ctx,
  );
  assert.equal(admin.key, `immich:${server.url}#${server.emulator.state.admin.id}`);
  assert.equal(other.key, `immich:${server.url}#${bob.id}`);
});

Deno.test("errors are classified: 429/5xx and dropped connections retryable, 4xx permanent with the server's words, 413 says what to raise", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx, { timeout: 1 });
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ status: 429 }, "retryable", /busy or failing \(429: Too many requests\)/],
    [{ status: 503 }, "retryable", /503/],
    [{ drop: "before" }, "retryable", /cannot reach Immich/],
    [{ delayMs: 1500 }, "retryable", /did not answer in time/],
  ];
  for (const [rule, kind, message] of cases) {
    server.emulator.faults = [{ method: "POST", path: "^/api/assets$", ...rule }];
    const error = await session.put(await group(ctx, asset(crypto.randomUUID(), "e.jpg"))).catch((e) => e);
    assert.equal(errorKind(error), kind, JSON.stringify(rule));
    assert.match(error.message, message);
  }
  server.emulator.faults = [];
  await using limited = await startEmulator({ maxBodyBytes: 100 });
  const small = await open(limited, ctx);
  const big = await small.put(await group(ctx, asset("BIG", "big.jpg"), [], "x".repeat(500))).catch((e) => e);
  assert.equal(errorKind(big), "permanent");
  assert.match(big.message, /too large \(413: 413 Request Entity Too Large\).*client_max_body_size/);
  const live = await group(ctx, asset("L", "l.heic"), LIVE);
  server.emulator.faults = [{ method: "POST", path: "^/api/assets$", every: 2, status: 400 }];
  const refused = await session.put(live).catch((e) => e);
  assert.equal(errorKind(refused), "permanent");
  assert.match(refused.message, /refused uploading IMG_0001\.HEIC|refused uploading l\.heic/);
  assert.match(refused.message, /400: Injected failure/);
});

Deno.test("a key made for imports imports; sync's album and people writes stop once, naming what it lacks", async () => {
  await using server = await startEmulator({ version: "3.2.2" });
  await using ctx = await testContext();
  const importOnly = requiredPermissions({ albums: "path", tags: "all" });
  const key = server.emulator.state.createApiKey(server.emulator.state.admin.id, importOnly);
  const session = await immich.assets.open(settings({ url: server.url, "api-key": key.secret }), ctx);
  await session.check!();
  const album = { id: "two-way-album", title: "Two-way", folders: [] };
  const albums = await session.albums!("00000000-0000-4000-8000-000000000001", [album]).catch((e) => e);
  assert.equal(errorKind(albums), "fatal");
  assert.match(
    albums.message,
    /lacks the permissions album\.update, albumAsset\.delete, which sync needs to keep albums/,
  );
  const people = await session.people!("00000000-0000-4000-8000-000000000001", [{ name: "Katie" }]).catch((
    e,
  ) => e);
  assert.match(
    people.message,
    /lacks the permissions person\.read, person\.create, face\.read, face\.create, face\.delete/,
  );
  const removal = await session.removeAlbums!([album.id]).catch((e) => e);
  assert.match(removal.message, /lacks the permission album\.delete, which sync needs to delete/);
  assert.equal(
    server.emulator.count("GET /api/api-keys/me"),
    2,
    "the start-up check's read, and one for the session's two-way writes",
  );
  await session.close();
});
