import assert from "node:assert/strict";
import { join } from "node:path";
import { hashFile } from "../../../core/engine/hash.ts";
import type { Asset, Resource, ResourceRole } from "../../../core/model/asset.ts";
import { type ExportedGroup, PlanBuilder } from "../../../core/model/plan.ts";
import { errorKind } from "../../../core/plugin/errors.ts";
import { type OptionsOf, optionValues } from "../../../core/plugin/options.ts";
import {
  type DestinationInspector,
  destinationSuite,
  testContext,
} from "../../../core/plugin/testing/mod.ts";
import type { DestinationSession } from "../../../core/plugin/types.ts";
import { type RunningEmulator, startEmulator } from "../../../tests/immich_emulator/mod.ts";
import immich from "./mod.ts";
import type { ImmichSession } from "./_session.ts";

const VERSIONS = ["3.2.2", "1.135.3"];

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
// Helpers: real files in a temp dir, assets and plans shaped as the handlers make them.

type Ctx = Awaited<ReturnType<typeof testContext>>;

async function file(ctx: Ctx, name: string, content = `${name} ${crypto.randomUUID()}`): Promise<string> {
  const dir = join(ctx.tempDir, crypto.randomUUID());
  await Deno.mkdir(dir);
  const path = join(dir, name);
  await Deno.writeTextFile(path, content);
  return path;
}

function asset(id: string, filename: string, more: Partial<Asset> = {}): Asset {
  return {
    id,
    kind: filename.toLowerCase().endsWith(".mov") ? "video" : "photo",
    filename,
    captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 },
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: [],
    resources: [],
    ...more,
  };
}

interface Extra {
  key: string;
  role: ResourceRole;
  name: string;
  hidden?: boolean;
  relate?: ["motion_of" | "stack" | "sidecar_of" | "render_of", string, string];
  content?: string;
}

/** An exported group: the original plus `extra` resources, with their relations. */
async function group(ctx: Ctx, a: Asset, extra: Extra[] = [], content?: string): Promise<ExportedGroup> {
  const originalPath = await file(ctx, a.filename, content);
  const resources: Resource[] = [{
    role: "original",
    filename: a.filename,
    path: originalPath,
    present: true,
  }];
  const paths = new Map([["original", originalPath]]);
  for (const e of extra) {
    const path = await file(ctx, e.name, e.content);
    paths.set(e.key, path);
    resources.push({ role: e.role, filename: e.name, path, present: true });
  }
  const full = { ...a, resources };
  const plan = new PlanBuilder(full);
  for (const [i, e] of extra.entries()) plan.add(e.key, resources[i + 1], { name: e.name, hidden: e.hidden });
  for (const e of extra) if (e.relate) plan.relate(...e.relate);
  const built = plan.build();
  const files = await Promise.all(built.resources.map(async (r) => ({
    key: r.key,
    name: r.name,
    path: paths.get(r.key)!,
    ...await hashFile(paths.get(r.key)!),
  })));
  return { asset: full, plan: built, files };
}

const LIVE: Extra[] = [{
  key: "motion",
  role: "motion",
  name: "IMG_0001.MOV",
  hidden: true,
  relate: ["motion_of", "motion", "original"],
}];

/** What the host gives the plugin for these options: each checked, the declared defaults filled in. */
function settings(given: Partial<OptionsOf<typeof immich.options>>): OptionsOf<typeof immich.options> {
  return optionValues(immich.id, immich.options, given);
}

async function open(
  server: RunningEmulator,
  ctx: Ctx,
  options: Partial<OptionsOf<typeof immich.options>> = {},
) {
  return await immich.open(
    settings({ url: server.url, "api-key": server.apiKey, timeout: 5, ...options }),
    ctx,
  ) as ImmichSession;
}

/** Uploads bytes the way another client (the mobile app) would, outside photos-sync. */
async function uploadElsewhere(server: RunningEmulator, path: string, name: string): Promise<string> {
  const form = new FormData();
  if (server.emulator.state.features.deviceIds) {
    form.append("deviceAssetId", name);
    form.append("deviceId", "phone");
  }
  form.append("fileCreatedAt", "2020-01-01T00:00:00.000Z");
  form.append("fileModifiedAt", "2020-01-01T00:00:00.000Z");
  form.append("assetData", new Blob([await Deno.readFile(path)]), name);
  const res = await fetch(`${server.url}/api/assets`, {
    method: "POST",
    headers: { "x-api-key": server.apiKey },
    body: form,
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()).id;
}

const remote = (server: RunningEmulator, id: string) => server.emulator.state.assets.get(id)!;
const refOf = (refs: { key: string; remoteId: string; duplicate: boolean }[], key: string) =>
  refs.find((r) => r.key === key)!;

// ---------------------------------------------------------------------------------------------
// Live Photos

for (const version of VERSIONS) {
  Deno.test(`put() uploads a Live Photo's motion video hidden, then the still linked to it (Immich ${version})`, async () => {
    await using server = await startEmulator({ version });
    await using ctx = await testContext();
    const session = await open(server, ctx);
    const g = await group(ctx, asset("LIVE-1", "IMG_0001.HEIC"), LIVE);
    const { resources } = await session.put(g);
    const still = remote(server, refOf(resources, "original").remoteId);
    const motion = remote(server, refOf(resources, "motion").remoteId);
    assert.equal(still.livePhotoVideoId, motion.id);
    assert.equal(motion.visibility, "hidden");
    assert.equal(motion.type, "VIDEO");
    assert.equal(still.visibility, "timeline");
    assert.equal(server.emulator.count("PUT /api/assets/:id"), 0, "linked at upload, no follow-up request");
    assert.equal(
      server.emulator.count("POST /api/assets/bulk-upload-check"),
      0,
      "an empty account needs no checks",
    );
    await session.close();
  });
}

Deno.test("put() links the motion video when the still was already in Immich (a duplicate)", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const g = await group(ctx, asset("LIVE-2", "IMG_0002.HEIC"), LIVE);
  const stillId = await uploadElsewhere(server, g.files[0].path, "IMG_0002.HEIC");
  const { resources } = await session.put(g);
  assert.deepEqual(refOf(resources, "original"), { key: "original", remoteId: stillId, duplicate: true });
  assert.equal(refOf(resources, "motion").duplicate, false);
  assert.equal(remote(server, stillId).livePhotoVideoId, refOf(resources, "motion").remoteId);
  assert.equal(remote(server, refOf(resources, "motion").remoteId).visibility, "hidden");
  // The Photos metadata reaches the asset that was already there.
  assert.equal(remote(server, stillId).localDateTime, "2024-05-01T12:00:00.000Z");
  const again = await session.put(g);
  assert.ok(again.resources.every((r) => r.duplicate), "a second put is all duplicates");
  assert.equal(server.emulator.state.assets.size, 2);
  await session.close();
});

Deno.test("a duplicate sitting in the Immich trash is restored, not silently lost", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const g = await group(ctx, asset("TRASHED", "IMG_0003.JPG"));
  const first = await session.put(g);
  const id = first.resources[0].remoteId;
  const res = await fetch(`${server.url}/api/assets`, {
    method: "DELETE",
    headers: { "x-api-key": server.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ ids: [id] }),
  });
  assert.equal(res.status, 204);
  assert.notEqual(remote(server, id).deletedAt, null);
  const second = await session.put(g);
  assert.deepEqual(second.resources[0], { key: "original", remoteId: id, duplicate: true });
  assert.equal(remote(server, id).deletedAt, null, "restored from the trash");
  assert.equal(server.emulator.count("POST /api/trash/restore/assets"), 1);
  await session.close();
});

// ---------------------------------------------------------------------------------------------
// Metadata

for (const version of VERSIONS) {
  Deno.test(`favorite, hidden, capture time zone, caption, location and keywords travel with the upload (Immich ${version})`, async () => {
    await using server = await startEmulator({ version });
    await using ctx = await testContext();
    const session = await open(server, ctx);
    const g = await group(
      ctx,
      asset("META-1", "Hafen.HEIC", {
        favorite: true,
        hidden: true,
        caption: "Sunset over the harbour & <the> boats",
        location: { latitude: 48.85837, longitude: -2.294481 },
        keywords: ["harbour", "sunset"],
        captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: -18000 },
      }),
    );
    const { resources } = await session.put(g);
    const a = remote(server, resources[0].remoteId);
    assert.equal(a.isFavorite, true);
    assert.equal(a.visibility, "archive", "hidden in Photos: archived by default");
    assert.equal(a.fileCreatedAt, "2024-05-01T10:00:00.000Z");
    assert.equal(a.localDateTime, "2024-05-01T05:00:00.000Z", "wall-clock time where it was taken");
    assert.equal(a.exif.timeZone, "UTC-5");
    assert.equal(a.exif.description, "Sunset over the harbour & <the> boats");
    assert.ok(Math.abs(a.exif.latitude! - 48.85837) < 1e-6 && Math.abs(a.exif.longitude! + 2.294481) < 1e-6);
    const tags = [...a.tagIds].map((id) => server.emulator.state.tags.get(id)!.value).sort();
    assert.deepEqual(tags, ["harbour", "sunset"]);
    assert.equal(a.originalFileName, "Hafen.HEIC");
    if (version.startsWith("3")) {
      assert.deepEqual(a.metadata.get("photos-sync")?.value, {
        photosAssetId: "META-1",
        resource: "original",
      });
      assert.equal(a.deviceAssetId, undefined);
    } else {
      assert.equal(a.metadata.size, 0, "1.135 has no asset metadata");
      assert.equal(a.deviceAssetId, "photos-sync-META-1-original");
    }
    assert.equal(server.emulator.count("PUT /api/assets/:id"), 0, "no follow-up request per asset");
    await session.close();
  });
}

Deno.test("the plan's visibility says where Photos' hidden assets go; locked ones stay out of albums and stacks", async () => {
  for (const hiddenAs of ["hidden", "locked", "timeline"] as const) {
    await using server = await startEmulator();
    await using ctx = await testContext();
    const session = await open(server, ctx);
    const album = { id: "ALB", title: "Secret", folders: [] };
    const g = await group(ctx, asset(`H-${hiddenAs}`, "IMG_0009.JPG", { hidden: true, albums: [album] }), [
      { key: "raw", role: "raw", name: "IMG_0009.DNG", relate: ["stack", "raw", "original"] },
    ]);
    assert.equal(g.plan.visibility, "archive", "the default policy");
    g.plan.visibility = hiddenAs; // as --hidden-visibility sets it
    const { resources } = await session.put(g);
    assert.equal(remote(server, resources[0].remoteId).visibility, hiddenAs);
    const albumed = [...server.emulator.state.albums.values()].flatMap((a) => a.assetIds);
    assert.deepEqual(albumed, hiddenAs === "locked" ? [] : [resources[0].remoteId]);
    // Nothing can be done to a locked asset after its upload, so it is not stacked either.
    assert.equal(server.emulator.state.stacks.size, hiddenAs === "locked" ? 0 : 1);
    await session.close();
  }
});

Deno.test("tags: 'all' adds the media types under Photos/, 'off' sends none", async () => {
  for (const [tags, expected] of [["all", ["Photos", "Photos/live", "dog"]], ["off", []]] as const) {
    await using server = await startEmulator();
    await using ctx = await testContext();
    const session = await open(server, ctx, { tags });
    const g = await group(ctx, asset(`T-${tags}`, "IMG_0010.HEIC", { keywords: ["dog"] }), LIVE);
    g.plan.tags = ["live"];
    await session.put(g);
    const values = [...server.emulator.state.tags.values()].map((t) => t.value).sort();
    assert.deepEqual(values, expected);
    await session.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Albums and stacks

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

Deno.test("a duplicate answer naming an asset that was just deleted is not recorded: the file is uploaded again", async () => {
  await using server = await startEmulator({ version: "1.135.3", slowForceDelete: true });
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const g = await group(ctx, asset("GONE-1", "IMG_0200.JPG"));
  const first = (await session.put(g)).resources[0].remoteId;
  const deleted = await fetch(`${server.url}/api/assets`, {
    method: "DELETE",
    headers: { "x-api-key": server.apiKey, "content-type": "application/json" },
    body: JSON.stringify({ ids: [first], force: true }),
  });
  assert.equal(deleted.status, 204);
  const again = (await session.put(g)).resources[0];
  assert.notEqual(again.remoteId, first, "the deleted id was recorded");
  assert.ok(server.emulator.state.assets.has(again.remoteId), "the recorded id reads back");
  assert.equal(again.duplicate, false);
  await session.close();
});

Deno.test("a bulk check naming an asset that was just deleted is not believed either", async () => {
  await using server = await startEmulator({ version: "1.135.3", slowForceDelete: true });
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const g = await group(ctx, asset("GONE-2", "IMG_0201.JPG"), [], "the same bytes twice");
  const first = (await session.put(g)).resources[0].remoteId;
  // Bytes Immich already has turn checking before uploads on for the rest of the session.
  await session.put(await group(ctx, asset("GONE-2-COPY", "IMG_0201.JPG"), [], "the same bytes twice"));
  server.emulator.state.deleteAsset(first);
  server.emulator.state.deleting.set(`${server.emulator.state.admin.id}:${g.files[0].sha1}`, first);
  const checksBefore = server.emulator.count("POST /api/assets/bulk-upload-check");
  const again = (await session.put(g)).resources[0];
  assert.ok(server.emulator.count("POST /api/assets/bulk-upload-check") > checksBefore, "it checked first");
  assert.notEqual(again.remoteId, first, "the deleted id was recorded");
  assert.ok(server.emulator.state.assets.has(again.remoteId), "the recorded id reads back");
  await session.close();
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

Deno.test("stacks: a RAW+JPEG pair is stacked with the primary first, once, even when put twice", async () => {
  await using server = await startEmulator({ version: "1.135.3" });
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const g = await group(ctx, asset("RAW-1", "IMG_0100.JPG"), [
    { key: "raw", role: "raw", name: "IMG_0100.DNG", relate: ["stack", "raw", "original"] },
  ]);
  const first = await session.put(g);
  const [stack] = server.emulator.state.stacks.values();
  assert.equal(stack.primaryAssetId, refOf(first.resources, "original").remoteId);
  assert.deepEqual(stack.assetIds.sort(), first.resources.map((r) => r.remoteId).sort());
  await session.put(g);
  assert.equal(server.emulator.state.stacks.size, 1);
  assert.equal(server.emulator.count("POST /api/stacks"), 1, "the existing stack was recognised");
  await session.close();
});

Deno.test("an edit stacks over its original, the edit on top", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const g = await group(ctx, asset("EDIT-1", "IMG_0200.HEIC", { edited: true }), [
    {
      key: "edited",
      role: "edited",
      name: "IMG_0200_edited.JPG",
      relate: ["render_of", "edited", "original"],
    },
  ]);
  g.plan.primary = "edited";
  const { resources } = await session.put(g);
  const [stack] = server.emulator.state.stacks.values();
  assert.equal(stack.primaryAssetId, refOf(resources, "edited").remoteId);
  await session.close();
});

// ---------------------------------------------------------------------------------------------
// What Immich cannot hold

Deno.test("sidecars Immich cannot hold (an AAE) are not uploaded and get an unsupported: id", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const g = await group(ctx, asset("AAE-1", "IMG_0300.HEIC"), [
    {
      key: "adjustment",
      role: "adjustment",
      name: "IMG_0300.AAE",
      relate: ["sidecar_of", "adjustment", "original"],
    },
    { key: "depth", role: "sidecar", name: "IMG_0300_depth.heic" },
  ]);
  const { resources } = await session.put(g);
  const aae = g.files.find((f) => f.key === "adjustment")!;
  assert.deepEqual(refOf(resources, "adjustment"), {
    key: "adjustment",
    remoteId: `unsupported:${aae.sha1}`,
    duplicate: false,
  });
  assert.match(refOf(resources, "depth").remoteId, /^unsupported:/);
  assert.equal(server.emulator.state.assets.size, 1);
  await session.close();
});

Deno.test("a primary Immich cannot hold is a permanent error naming the file", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const error = await session.put(await group(ctx, asset("TXT-1", "notes.txt"))).catch((e) => e);
  assert.equal(errorKind(error), "permanent");
  assert.match(error.message, /does not accept \.txt files.*notes\.txt/);
  await session.close();
});

// ---------------------------------------------------------------------------------------------
// Batching

Deno.test("checks of concurrent puts share bulk-upload-check requests", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  await uploadElsewhere(server, await file(ctx, "phone.jpg"), "phone.jpg"); // the account is not empty
  const session = await open(server, ctx);
  const groups = await Promise.all(
    Array.from({ length: 30 }, (_, i) => group(ctx, asset(`B-${i}`, `b${i}.jpg`))),
  );
  const results = await Promise.all(groups.map((g) => session.put(g)));
  assert.equal(new Set(results.map((r) => r.resources[0].remoteId)).size, 30);
  const checks = server.emulator.count("POST /api/assets/bulk-upload-check");
  assert.ok(checks > 0 && checks < 10, `${checks} checks for 30 puts`);
  await session.close();
});

Deno.test("a first import into an empty account skips the checks until the first duplicate turns them on", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  await session.put(await group(ctx, asset("E-1", "e1.jpg")));
  assert.equal(server.emulator.count("POST /api/assets/bulk-upload-check"), 0);
  // Another client uploads a photo; photos-sync meets it as a duplicate and starts checking first.
  const theirs = await group(ctx, asset("E-2", "e2.jpg"));
  const id = await uploadElsewhere(server, theirs.files[0].path, "e2.jpg");
  const { resources } = await session.put(theirs);
  assert.deepEqual(resources[0], { key: "original", remoteId: id, duplicate: true });
  const uploads = server.emulator.count("POST /api/assets");
  await session.put(theirs);
  assert.equal(server.emulator.count("POST /api/assets"), uploads, "checked first: nothing sent again");
  // Big files are always checked first, whatever the account holds.
  await using fresh = await startEmulator();
  const other = await open(fresh, ctx);
  const big = await group(ctx, asset("BIG-1", "big.mov"), [], "v".repeat((8 << 20) + 1));
  await other.put(big);
  assert.equal(fresh.emulator.count("POST /api/assets/bulk-upload-check"), 1);
  await session.close();
  await other.close();
});

Deno.test("two Photos assets with the same bytes become one Immich asset, the second a duplicate", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const [a, b] = await Promise.all([
    group(ctx, asset("SAME-1", "x.jpg"), [], "identical bytes"),
    group(ctx, asset("SAME-2", "y.jpg"), [], "identical bytes"),
  ]);
  const [ra, rb] = await Promise.all([session.put(a), session.put(b)]);
  assert.equal(ra.resources[0].remoteId, rb.resources[0].remoteId);
  assert.deepEqual([ra.resources[0].duplicate, rb.resources[0].duplicate].sort(), [false, true]);
  assert.equal(server.emulator.state.assets.size, 1);
  await session.close();
});

// ---------------------------------------------------------------------------------------------
// Start-up check and errors

Deno.test("a wrong API key fails open() once with a fatal error that says what to do", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const error = await immich.open(settings({ url: server.url, "api-key": "not-a-key" }), ctx).catch((e) => e);
  assert.equal(errorKind(error), "fatal");
  assert.match(error.message, /refused the API key.*Invalid API key.*IMMICH_API_KEY/);
  assert.ok(!error.message.includes("not-a-key"), "the key is never printed");
});

Deno.test("an unreachable server and a server older than 1.133 fail open() with a fatal error", async () => {
  await using ctx = await testContext();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const down = await immich.open(
    settings({ url: `http://127.0.0.1:${port}`, "api-key": "k-not-a-real-key" }),
    ctx,
  ).catch((e) => e);
  assert.equal(errorKind(down), "fatal");
  assert.match(down.message, /cannot talk to Immich at http:\/\/127\.0\.0\.1/);
  await using old = await startEmulator({ version: "1.132.3" });
  const tooOld = await immich.open(settings({ url: old.url, "api-key": old.apiKey }), ctx).catch((e) => e);
  assert.equal(errorKind(tooOld), "fatal");
  assert.match(tooOld.message, /Immich 1\.132\.3 .* older than 1\.133\.0.*upgrade Immich/);
  const badUrl = await immich.open(settings({ url: "nas:2283", "api-key": "k-not-a-real-key" }), ctx)
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
  const session = await immich.open(settings({ url: server.url, "api-key": key.secret }), ctx);
  const error = await session.check!().catch((e) => e);
  assert.equal(errorKind(error), "fatal");
  assert.match(
    error.message,
    /lacks the permissions album\.create, albumAsset\.create, tag\.create, tag\.asset;/,
  );
  const enough = await immich.open(
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
  const session = await immich.open(settings({ url: server.url, "api-key": key.secret }), ctx);
  const error = await session.check!().catch((e) => e);
  assert.equal(errorKind(error), "fatal");
  assert.match(error.message, /Missing required permission: album\.read/);
});

Deno.test("two users of one server are two destinations", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const bob = server.emulator.state.createUser({ email: "bob@example.com", name: "Bob" });
  const bobKey = server.emulator.state.createApiKey(bob.id);
  const admin = await immich.open(settings({ url: `${server.url}/`, "api-key": server.apiKey }), ctx);
  const other = await immich.open(settings({ url: `${server.url}/api`, "api-key": bobKey.secret }), ctx);
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

Deno.test("a put that failed half-way is completed by the next put, with nothing uploaded twice", async () => {
  await using server = await startEmulator();
  await using ctx = await testContext();
  const session = await open(server, ctx);
  const g = await group(
    ctx,
    asset("HALF", "IMG_0400.HEIC", { albums: [{ id: "A", title: "A", folders: [] }] }),
    LIVE,
  );
  // The still's upload is stored but its answer is lost; the motion video went through.
  server.emulator.faults = [{ method: "POST", path: "^/api/assets$", every: 2, drop: "after", times: 1 }];
  assert.equal(errorKind(await session.put(g).catch((e) => e)), "retryable");
  server.emulator.faults = [];
  const { resources } = await session.put(g);
  assert.equal(server.emulator.state.assets.size, 2);
  const still = remote(server, refOf(resources, "original").remoteId);
  assert.equal(still.livePhotoVideoId, refOf(resources, "motion").remoteId);
  assert.deepEqual([...server.emulator.state.albums.values()][0].assetIds, [still.id]);
  await session.close();
});

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
  const session = await immich.open(
    settings({ url: server.url, "api-key": key.secret, "pause-jobs": true }),
    ctx,
  );
  const error = await session.check!().catch((e) => e);
  assert.equal(errorKind(error), "fatal");
  assert.match(error.message, /bob@example\.com is not an admin; set IMMICH_ADMIN_API_KEY/);
  const withAdmin = await immich.open(
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
  const session: DestinationSession = await open(server, ctx);
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
