/** `put()` against the emulated server: links, metadata, duplicates, stacks, refused files, batching. */
import assert from "node:assert/strict";
import { errorKind } from "../../../core/plugin/errors.ts";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import { startEmulator } from "../../../tests/immich_emulator/mod.ts";
import {
  asset,
  file,
  group,
  LIVE,
  open,
  refOf,
  remote,
  uploadElsewhere,
  VERSIONS,
} from "./_test_fixtures.ts";

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
// Duplicates that were just deleted

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

// ---------------------------------------------------------------------------------------------
// Stacks

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
// A put cut off half-way

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
