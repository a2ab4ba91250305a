import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { importAssets } from "../../../core/engine/import_run.ts";
import { type Asset, needsDownload } from "../../../core/model/asset.ts";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { ConfigError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import { type OptionsOf, optionValues } from "../../../core/plugin/options.ts";
import { Registry } from "../../../core/plugin/registry.ts";
import { sourceSuite, testContext } from "../../../core/plugin/testing/mod.ts";
import type { SourceSession } from "../../../core/plugin/types.ts";
import { Tracker } from "../../../core/tracker/mod.ts";
import folderDestination from "../../destination/folder/mod.ts";
import livePhotoHandler from "../../handler/live_photo/mod.ts";
import photoslibrary from "../photoslibrary/mod.ts";
import { writeSampleLibrary } from "../photoslibrary/sample_library.ts";
import {
  type Fixture,
  type FixtureAsset,
  fixtureLibrary,
  nativeAsset,
  sharedMedia,
} from "./_fixture_library.ts";
import photokit from "./mod.ts";

/** What the host gives the plugin for these options: each checked, the declared defaults filled in. */
function settings(given: Partial<OptionsOf<typeof photokit.options>>): OptionsOf<typeof photokit.options> {
  return optionValues(photokit.id, photokit.options, given);
}

const test = (name: string, fn: (t: Deno.TestContext) => Promise<void>, ignore = false) =>
  Deno.test({ name, fn, ignore, sanitizeResources: true, sanitizeOps: true });

const MEDIA = sharedMedia();

/** The three iPhone 15 Pro Live Photo pairs, as PhotoKit describes them (README of the media). */
const PAIRS = [
  { uuid: "EC19EA1A-FC91-449C-8925-B13D863E2EDB", stem: "IMG_3582", captured: "2025-05-26T14:27:06.603Z" },
  { uuid: "B60C31AC-BE86-42C5-A383-A0A5710B18AE", stem: "IMG_4394", captured: "2025-08-06T22:14:22.332Z" },
  { uuid: "D562F353-7A22-4367-9A7F-153A4D9F149C", stem: "IMG_4580", captured: "2025-08-17T23:33:48.600Z" },
];

/** Copies the shared pairs (read-only) into `dir` and describes them as a PhotoKit library. */
async function livePhotoFixture(dir: string): Promise<Fixture> {
  const assets: FixtureAsset[] = [];
  for (const { uuid, stem, captured } of PAIRS) {
    for (const ext of ["HEIC", "mov"]) {
      await Deno.copyFile(join(MEDIA!, `${stem}.${ext}`), join(dir, `${stem}.${ext}`));
    }
    assets.push(nativeAsset(uuid, {
      mediaSubtypes: ["photoLive", "photoHDR"],
      creationDate: captured,
      resources: [
        {
          type: "photo",
          filename: `${stem}.HEIC`,
          uti: "public.heic",
          raw: false,
          _file: join(dir, `${stem}.HEIC`),
        },
        {
          type: "pairedVideo",
          filename: `${stem}.MOV`,
          uti: "com.apple.quicktime-movie",
          raw: false,
          _file: join(dir, `${stem}.mov`),
        },
      ],
    }));
  }
  return { assets };
}

async function withPhotoKit(
  fixture: Fixture | ((dir: string) => Promise<Fixture>),
  body: (session: SourceSession, lib: string, ctx: Awaited<ReturnType<typeof testContext>>) => Promise<void>,
): Promise<void> {
  await using ctx = await testContext();
  const dir = await Deno.makeTempDir({ dir: ctx.tempDir });
  await using lib = await fixtureLibrary(typeof fixture === "function" ? await fixture(dir) : fixture);
  const session = await photokit.open(settings({ lib: lib.path }), ctx);
  try {
    await body(session, lib.path, ctx);
  } finally {
    await session.close();
  }
}

async function listAll(session: SourceSession): Promise<Asset[]> {
  const assets: Asset[] = [];
  for await (const asset of session.list()) assets.push(asset);
  return assets;
}

const sha256 = async (path: string) => createHash("sha256").update(await Deno.readFile(path)).digest("hex");

test("source.photokit conforms to the source suite over the C implementation of the ABI", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const fixture = await livePhotoFixture(dir);
    // One original only in iCloud, so the suite's download() step has something to fetch.
    fixture.assets.push(nativeAsset("A0000000-0000-4000-8000-00000000C10D", {
      resources: [{
        type: "photo",
        filename: "IMG_CLOUD.HEIC",
        uti: "public.heic",
        raw: false,
        local: false,
        _cloudOnly: true,
        _file: join(dir, `${PAIRS[0].stem}.HEIC`),
      }],
    }));
    await using lib = await fixtureLibrary(fixture);
    await sourceSuite(t, photokit, { options: settings({ lib: lib.path }) });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}, !MEDIA);

test("real Live Photo pairs list under their bare UUIDs and export byte for byte", async () => {
  await withPhotoKit(livePhotoFixture, async (session, _lib, ctx) => {
    assert.equal(session.key, "photos", "the same namespace as source.photoslibrary");
    const assets = await listAll(session);
    assert.deepEqual(assets.map((a) => a.id), PAIRS.map((p) => p.uuid));
    const first = assets[0];
    assert.deepEqual(first, {
      id: PAIRS[0].uuid,
      kind: "photo",
      filename: "IMG_3582.HEIC",
      uti: "public.heic",
      captured: { utc: "2025-05-26T14:27:06.603Z" },
      modified: "2025-06-01T08:00:00.000Z",
      favorite: false,
      hidden: false,
      trashed: false,
      keywords: [],
      albums: [],
      edited: false,
      referenced: false,
      subtypes: ["live", "hdr"],
      width: 4032,
      height: 3024,
      resources: [
        { role: "original", filename: "IMG_3582.HEIC", uti: "public.heic", present: true },
        { role: "motion", filename: "IMG_3582.MOV", uti: "com.apple.quicktime-movie", present: true },
      ],
    });

    // The Live Photo handler plans still + motion; the export writes both into the asset's dir.
    const builder = new PlanBuilder(first);
    livePhotoHandler.plan(first, builder);
    const plan = builder.build();
    const dir = await Deno.makeTempDir({ dir: ctx.tempDir });
    const files = await session.export({ asset: first, plan, dir, allowNetwork: false });
    assert.deepEqual(files.map((f) => f.key), ["original", "motion"]);
    for (const f of files) assert.ok(f.path.startsWith(dir + "/"), `${f.path} is inside the asset's dir`);
    assert.equal(
      await sha256(files[0].path),
      "83d445478effcd304232304b2ae3507b3d8262f202f7370b456a40038cfbce64",
    );
    assert.equal(
      await sha256(files[1].path),
      "7216736b9abb904bb3cbce444e4c335cba993a126a85342c9a4aacce25c0de08",
    );
  });
}, !MEDIA);

/** The inverse of the plugin's mapping: a reader's asset as PhotoKit would describe it. */
function asPhotoKit(asset: Asset, root: string): FixtureAsset {
  const subtypeNames: Record<string, string> = {
    live: "photoLive",
    portrait: "photoDepthEffect",
    hdr: "photoHDR",
    panorama: "photoPanorama",
    screenshot: "photoScreenshot",
    slomo: "videoHighFrameRate",
    timelapse: "videoTimelapse",
    cinematic: "videoCinematic",
    spatial: "spatialMedia",
    screen_recording: "videoScreenRecording",
  };
  const typeOf: Record<string, string> = {
    original: asset.kind === "photo" ? "photo" : "video",
    motion: "pairedVideo",
    raw: "alternatePhoto",
    edited: asset.kind === "photo" ? "fullSizePhoto" : "fullSizeVideo",
    edited_motion: "fullSizePairedVideo",
    adjustment: "adjustmentData",
  };
  return nativeAsset(asset.id, {
    mediaType: asset.kind === "photo" ? "image" : "video",
    mediaSubtypes: asset.subtypes.flatMap((s) => subtypeNames[s] ? [subtypeNames[s]] : []),
    creationDate: asset.captured?.utc ?? null,
    timeZoneOffset: asset.captured?.offsetSeconds ?? null,
    timeZoneName: asset.captured?.timeZone ?? null,
    modificationDate: asset.modified ?? null,
    favorite: asset.favorite,
    hidden: asset.hidden,
    location: asset.location ?? null,
    albums: asset.albums.map((a) => ({
      localIdentifier: `${a.id}/L0/040`,
      title: a.title,
      folders: a.folders,
    })),
    resources: asset.resources.map((r) => ({
      type: typeOf[r.role],
      filename: r.filename,
      uti: r.uti ?? "",
      raw: false,
      _file: r.path ?? join(root, "missing"),
    })),
  });
}

/** What both sources can know about an asset. */
const comparable = (a: Asset) => ({
  id: a.id,
  kind: a.kind,
  filename: a.filename,
  captured: a.captured,
  favorite: a.favorite,
  hidden: a.hidden,
  location: a.location,
  // The reader knows each asset's place in an album's manual order; PhotoKit does not report it.
  albums: a.albums.map(({ position: _, ...album }) => album),
  subtypes: [...a.subtypes].sort(),
  resources: a.resources.map((r) => [r.role, r.filename]),
});

test("PhotoKit and the library reader describe the same library alike, so the engine cannot tell them apart", async () => {
  await using ctx = await testContext();
  const sample = await writeSampleLibrary(join(ctx.tempDir, "Sample.photoslibrary"), { assets: 24 });
  const reader = await photoslibrary.open({ library: sample.path }, ctx);
  let fromReader: Asset[];
  try {
    // PhotoKit never lists Recently Deleted.
    fromReader = (await listAll(reader)).filter((a) => !a.trashed);
  } finally {
    await reader.close();
  }
  assert.ok(fromReader.length >= 20);
  await using lib = await fixtureLibrary({ assets: fromReader.map((a) => asPhotoKit(a, ctx.tempDir)) });
  const session = await photokit.open(settings({ lib: lib.path }), ctx);
  try {
    const fromPhotoKit = await listAll(session);
    assert.deepEqual(fromPhotoKit.map(comparable), fromReader.map(comparable));
    // And the same planned files come out of both.
    const live = fromPhotoKit.find((a) => a.id === sample.uuids.live)!;
    const builder = new PlanBuilder(live);
    livePhotoHandler.plan(live, builder);
    const dir = await Deno.makeTempDir({ dir: ctx.tempDir });
    const files = await session.export({ asset: live, plan: builder.build(), dir, allowNetwork: false });
    const original = fromReader.find((a) => a.id === live.id)!.resources;
    assert.equal(await sha256(files[0].path), await sha256(original[0].path!));
    assert.equal(await sha256(files[1].path), await sha256(original[1].path!));
  } finally {
    await session.close();
  }
});

test("the hidden, burst and shared-album options reach PhotoKit", async () => {
  await using ctx = await testContext();
  await using lib = await fixtureLibrary({
    assets: [
      nativeAsset("A0000000-0000-4000-8000-000000000001", { hidden: true }),
      nativeAsset("A0000000-0000-4000-8000-000000000002", { burstIdentifier: "B", representsBurst: false }),
      nativeAsset("A0000000-0000-4000-8000-000000000003", { sourceTypes: ["cloudShared"] }),
    ].map((a) => ({
      ...a,
      resources: [{ type: "photo", filename: "X.JPG", uti: "public.jpeg", raw: false }],
    })),
  });
  const count = async (options: Record<string, boolean>) => {
    const session = await photokit.open(settings({ lib: lib.path, ...options }), ctx);
    try {
      return (await listAll(session)).map((a) => a.id.slice(-1)).join("");
    } finally {
      await session.close();
    }
  };
  assert.equal(await count({}), "12", "hidden assets and every burst frame by default");
  assert.equal(await count({ "exclude-hidden": true }), "2");
  assert.equal(await count({ "picked-bursts-only": true }), "1");
  assert.equal(await count({ "include-shared-albums": true }), "123");
});

test("open() refuses --library: PhotoKit reads the system library only", async () => {
  await using ctx = await testContext();
  await assert.rejects(
    photokit.open({ ...settings({}), library: "/Volumes/Photos/Old.photoslibrary" }, ctx),
    (e: Error) =>
      e instanceof ConfigError &&
      e.message.includes('--source photoslibrary --library "/Volumes/Photos/Old.photoslibrary"'),
  );
});

for (
  const [status, advice] of [["limited", /Full Access/], ["denied", /was denied/], [
    "restricted",
    /restricted/,
  ]] as const
) {
  test(`open() without full access (${status}) fails with what to do, and unloads the helper`, async () => {
    await using ctx = await testContext();
    await using lib = await fixtureLibrary({ authorization: status, assets: [] });
    await assert.rejects(
      photokit.open(settings({ lib: lib.path }), ctx),
      (e: Error) =>
        e instanceof ConfigError && advice.test(e.message) && /Privacy|administrator/.test(e.message),
    );
  });
}

test("an iCloud-only original is marked as such, and exporting it without the network is retried later", async () => {
  const asset = nativeAsset("A0000000-0000-4000-8000-000000000001", {
    resources: [{
      type: "photo",
      filename: "IMG_0001.HEIC",
      uti: "public.heic",
      raw: false,
      local: false,
      _cloudOnly: true,
    }],
  });
  await withPhotoKit({ assets: [asset] }, async (session, _lib, ctx) => {
    const [listed] = await listAll(session);
    assert.deepEqual(listed.cloud, { synced: true, originalLocal: false });
    assert.equal(listed.resources[0].present, false);
    assert.equal(needsDownload(listed), true, "the engine routes it to the iCloud lane");
    const plan = new PlanBuilder(listed).build();
    const dir = await Deno.makeTempDir({ dir: ctx.tempDir });
    // Not a permanent failure: a permanent one would wait for `review --retry` and be offered to `review --delete`.
    await assert.rejects(
      session.export({ asset: listed, plan, dir, allowNetwork: false }),
      (e: Error) =>
        e instanceof RetryableError &&
        e.message.startsWith("IMG_0001.HEIC (A0000000-0000-4000-8000-000000000001)") &&
        e.message.includes("--include-cloud"),
    );
  });
});

test("the import engine skips iCloud-only assets, then downloads them in its iCloud lane with --include-cloud", async () => {
  await using ctx = await testContext();
  const file = (name: string) => {
    const path = join(ctx.tempDir, name);
    // A JPEG's magic number first: the engine's content check refuses text named .JPG.
    Deno.writeFileSync(
      path,
      new Uint8Array([0xff, 0xd8, 0xff, ...new TextEncoder().encode(`bytes of ${name}`)]),
    );
    return path;
  };
  const local = nativeAsset("A0000000-0000-4000-8000-000000000001", {
    resources: [{
      type: "photo",
      filename: "HERE.JPG",
      uti: "public.jpeg",
      raw: false,
      local: true,
      _file: file("here"),
    }],
  });
  const cloud = nativeAsset("A0000000-0000-4000-8000-000000000002", {
    resources: [{
      type: "photo",
      filename: "CLOUD.JPG",
      uti: "public.jpeg",
      raw: false,
      local: false,
      _cloudOnly: true,
      _file: file("cloud"),
    }],
  });
  await using lib = await fixtureLibrary({ assets: [local, cloud] });
  const tracker = Tracker.open(join(ctx.tempDir, "tracker.db"));
  const source = await photokit.open(settings({ lib: lib.path }), ctx);
  const destination = await folderDestination.assets.open({ path: join(ctx.tempDir, "out") }, ctx);
  try {
    const run = (allowNetwork: boolean) =>
      importAssets({
        sourceId: photokit.id,
        source,
        destinationId: folderDestination.id,
        destination,
        handlers: [],
        tracker,
        tempRoot: ctx.tempDir,
        dryRun: false,
        concurrency: 2,
        allowNetwork,
      });
    const first = await run(false);
    assert.deepEqual([first.imported, first.skipped.cloud, first.failed], [1, 1, 0]);
    const second = await run(true);
    assert.deepEqual([second.imported, second.failed], [1, 0]);
    // Downloaded: PhotoKit now has it on this Mac.
    assert.deepEqual((await listAll(source)).map((a) => a.resources[0].present), [true, true]);
  } finally {
    await destination.close();
    await source.close();
    tracker.close();
  }
});

test("download() fetches iCloud originals, and the export after it needs no network", async () => {
  await using ctx = await testContext();
  const file = join(ctx.tempDir, "a.heic");
  await Deno.writeTextFile(file, "a");
  const asset = nativeAsset("A0000000-0000-4000-8000-000000000001", {
    resources: [{
      type: "photo",
      filename: "IMG_0001.HEIC",
      uti: "public.heic",
      raw: false,
      local: false,
      _file: file,
      _cloudOnly: true,
    }],
  });
  await withPhotoKit({ assets: [asset] }, async (session) => {
    const [listed] = await listAll(session);
    await session.download!([listed]);
    assert.equal((await listAll(session))[0].resources[0].present, true, "now on this Mac");
    const dir = await Deno.makeTempDir({ dir: ctx.tempDir });
    const [exported] = await session.export({
      asset: listed,
      plan: new PlanBuilder(listed).build(),
      dir,
      allowNetwork: false,
    });
    assert.equal(await Deno.readTextFile(exported.path), "a");
    await assert.rejects(
      session.download!([{ ...listed, id: "A0000000-0000-4000-8000-00000000dead" }]),
      PermanentError,
    );
  });
});

test("deletion works through the session, with bare UUIDs; creation is not offered", async () => {
  const ids = ["A0000000-0000-4000-8000-000000000001", "A0000000-0000-4000-8000-000000000002"];
  await withPhotoKit(
    {
      assets: ids.map((id) =>
        nativeAsset(id, { resources: [{ type: "photo", filename: "X.JPG", uti: "public.jpeg", raw: false }] })
      ),
    },
    async (session) => {
      // Favorites go through write(); creation waits for restoring assets into Photos.
      assert.ok(!("setFavorite" in session) && !("create" in session));
      assert.deepEqual(await session.delete!([ids[1], "A0000000-0000-4000-8000-00000000dead"]), {
        deleted: [ids[1]],
        notFound: ["A0000000-0000-4000-8000-00000000dead"],
      });
      assert.deepEqual(await session.delete!([]), { deleted: [], notFound: [] });
      assert.deepEqual((await listAll(session)).map((a) => a.id), [ids[0]]);
    },
  );
});

const TRIP = { localIdentifier: "A1B00000-0000-4000-8000-000000000001/L0/040", title: "Trip", folders: [] };
/** The album's id as the source yields it: its UUID. */
const TRIP_ID = "A1B00000-0000-4000-8000-000000000001";

test("write() takes the synced fields a destination changed into Photos, by the source's ids", async () => {
  const id = "A0000000-0000-4000-8000-000000000001";
  await withPhotoKit({
    albums: [{ ...TRIP, kind: "regular" }],
    assets: [nativeAsset(id, { timeZoneOffset: 7200 })],
  }, async (session) => {
    assert.ok(photokit.capabilities.includes("write"));
    await session.write!(id, {
      favorite: true,
      captured: { utc: "2024-12-24T18:00:00Z", offsetSeconds: 7200 },
      location: { latitude: 48.1374, longitude: 11.5755 },
      albums: [TRIP_ID],
      caption: "Christmas",
      keywords: ["family"],
      rating: null,
    });
    const [after] = await listAll(session);
    assert.equal(after.favorite, true);
    assert.deepEqual(after.captured, { utc: "2024-12-24T18:00:00.000Z", offsetSeconds: 7200 });
    assert.deepEqual(after.location, { latitude: 48.1374, longitude: 11.5755 });
    assert.deepEqual(after.albums, [{ id: TRIP_ID, title: "Trip", folders: [] }]);

    // Photos keeps no star rating, and cannot clear a date or move a capture zone: refused by name.
    await assert.rejects(
      session.write!(id, { hidden: true, rating: 4 }),
      (e: Error) => e instanceof PermanentError && /rating 4/.test(e.message),
    );
    await assert.rejects(
      session.write!(id, { hidden: true, captured: null }),
      (e: Error) => e instanceof PermanentError && /creationDate/.test(e.message),
    );
    await assert.rejects(
      session.write!(id, { hidden: true, captured: { utc: "2024-12-24T18:00:00Z", offsetSeconds: 0 } }),
      (e: Error) => e instanceof PermanentError && /timeZoneOffset/.test(e.message),
    );
    assert.equal((await listAll(session))[0].hidden, false, "nothing of a refused write was written");
  });
});

test("history() names the changed assets by their Photos UUIDs, and says `all` when it cannot", async () => {
  const ids = ["A0000000-0000-4000-8000-000000000001", "A0000000-0000-4000-8000-000000000002"];
  await withPhotoKit({
    albums: [{ ...TRIP, kind: "regular" }],
    assets: ids.map((id) => nativeAsset(id)),
  }, async (session) => {
    assert.ok(photokit.capabilities.includes("history"));
    const first = await session.history!(undefined);
    assert.equal(first.changed, "all");
    assert.deepEqual(await session.history!(first.token), { changed: [], token: first.token });

    await session.write!(ids[1], { favorite: true });
    await session.delete!([ids[0]]);
    const second = await session.history!(first.token);
    assert.deepEqual(second.changed, ids);

    // A membership change is the album's: the assets that left it are not named, so everything is compared.
    await session.write!(ids[1], { albums: [TRIP_ID] });
    const third = await session.history!(second.token);
    assert.equal(third.changed, "all");
    assert.equal((await session.history!("not a token")).changed, "all");
    assert.deepEqual((await session.history!(third.token)).changed, []);
  });
});

Deno.test("source.photokit is refused by the registry off macOS, with the platform named", () => {
  const registry = new Registry([photokit]);
  if (Deno.build.os === "darwin") {
    assert.equal(registry.source("photokit"), photokit);
  } else {
    assert.throws(
      () => registry.source("photokit"),
      (e: Error) => e instanceof ConfigError && /only on darwin/.test(e.message),
    );
  }
});
