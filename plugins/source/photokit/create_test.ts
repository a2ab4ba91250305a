/**
 * psb_create and psb_lookup through the C twin: every file and fact a create call hands over is
 * checked in the twin's in-memory library (library.json and the copies beside it).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, FatalError, PermanentError } from "../../../core/plugin/errors.ts";
import {
  type CreatedAsset,
  createdAssets,
  type Fixture,
  type FixtureLibrary,
  fixtureLibrary,
} from "./_fixture_library.ts";
import { type CreateCall, PhotosBridge } from "./bridge.ts";

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeResources: true, sanitizeOps: true });

const ALBUM = "A1B00000-0000-4000-8000-000000000001";
const SMART = "A1B00000-0000-4000-8000-000000000003";

/** A library with one regular and one smart album and no assets; files are made under `dir/files`. */
async function withLibrary(
  extra: Partial<Fixture>,
  body: (bridge: PhotosBridge, lib: FixtureLibrary, file: (name: string) => Promise<string>) => Promise<void>,
): Promise<void> {
  await using lib = await fixtureLibrary({
    albums: [
      { localIdentifier: `${ALBUM}/L0/040`, title: "Trip", folders: ["2025"], kind: "regular" },
      { localIdentifier: `${SMART}/L0/040`, title: "Favorites", folders: [], kind: "smart" },
    ],
    ...extra,
    assets: [],
  });
  const files = join(lib.dir, "files");
  await Deno.mkdir(files);
  const file = async (name: string) => {
    const path = join(files, name);
    // Binary content with every byte value, so nothing text-only survives by accident.
    const bytes = new Uint8Array(1024 + name.length).map((_, i) => (i * 7 + name.length) % 256);
    await Deno.writeFile(path, bytes);
    return path;
  };
  const bridge = PhotosBridge.open({ path: lib.path });
  try {
    await body(bridge, lib, file);
  } finally {
    await bridge.close();
  }
}

async function only(lib: FixtureLibrary): Promise<[string, CreatedAsset]> {
  const created = Object.entries(await createdAssets(lib));
  assert.equal(created.length, 1, "one asset was created");
  return created[0];
}

async function assertSameBytes(a: string, b: string) {
  assert.deepEqual(await Deno.readFile(a), await Deno.readFile(b), `${b} holds the bytes of ${a}`);
}

test("create() makes one Live Photo from a still and its video, with every fact it was given", async () => {
  await withLibrary({}, async (bridge, lib, file) => {
    const still = await file("IMG_0001.HEIC");
    const motion = await file("IMG_0001.MOV");
    const call: CreateCall = {
      resources: [
        { type: "photo", path: still },
        { type: "pairedVideo", path: motion, filename: "IMG_0001.MOV" },
      ],
      fields: {
        favorite: true,
        hidden: true,
        creationDate: "2025-05-26T14:27:06.603Z",
        location: { latitude: 48.1374, longitude: 11.5755 },
        albums: [ALBUM],
        title: "Harbour",
        caption: 'At the "harbour" ✓',
        keywords: ["sea", "boats"],
      },
    };
    const id = await bridge.create(call);
    assert.match(id, /^[0-9A-F-]{36}\/L0\/001$/);

    const [createdId, created] = await only(lib);
    assert.equal(createdId, id);
    assert.deepEqual(created.fields, call.fields, "the fields cross the boundary as given");
    assert.deepEqual(created.resources.map((r) => [r.type, r.filename, r.source]), [
      ["photo", "IMG_0001.HEIC", still],
      ["pairedVideo", "IMG_0001.MOV", motion],
    ]);
    for (const r of created.resources) await assertSameBytes(r.source, r.copy);
    // Copied, not moved: photos-sync keeps its files.
    await Deno.stat(still);

    const asset = created.asset;
    assert.deepEqual(asset.mediaSubtypes, ["photoLive"]);
    assert.equal(asset.favorite, true);
    assert.equal(asset.hidden, true);
    assert.equal(asset.creationDate, "2025-05-26T14:27:06.603Z");
    assert.deepEqual(asset.location, { latitude: 48.1374, longitude: 11.5755 });
    assert.deepEqual(asset.albums?.map((a) => a.title), ["Trip"]);
    const text = JSON.parse(await Deno.readTextFile(join(lib.dir, "scripting.json")));
    assert.deepEqual(text[id], {
      title: "Harbour",
      caption: 'At the "harbour" ✓',
      keywords: ["sea", "boats"],
    });

    // The new asset is part of the library: listed (hidden ones when asked), exported byte for byte.
    const listed = [];
    for await (const page of bridge.list({ includeHidden: true })) listed.push(...page);
    assert.deepEqual(listed.map((a) => a.localIdentifier), [id]);
    const out = join(lib.dir, "out.mov");
    await bridge.export({
      id,
      allowNetwork: false,
      resources: [{ types: ["pairedVideo"], filename: "IMG_0001.MOV", path: out }],
    });
    await assertSameBytes(motion, out);
  });
});

test("create() takes a RAW pair and an edit with its adjustment data, base and render", async () => {
  await withLibrary({}, async (bridge, lib, file) => {
    const resources: CreateCall["resources"] = [
      { type: "photo", path: await file("IMG_0002.JPG") },
      { type: "alternatePhoto", path: await file("IMG_0002.DNG") },
      { type: "adjustmentData", path: await file("IMG_0002.AAE") },
      { type: "adjustmentBasePhoto", path: await file("IMG_0002_base.JPG") },
      { type: "fullSizePhoto", path: await file("IMG_0002_edited.JPG") },
    ];
    const id = await bridge.create({ resources, fields: {} });
    const [, created] = await only(lib);
    assert.deepEqual(created.resources.map((r) => r.type), resources.map((r) => r.type));
    for (const r of created.resources) await assertSameBytes(r.source, r.copy);
    assert.deepEqual(created.asset.resources.map((r) => [r.type, r.raw]), [
      ["photo", false],
      ["alternatePhoto", true],
      ["adjustmentData", false],
      ["adjustmentBasePhoto", false],
      ["fullSizePhoto", false],
    ]);
    assert.deepEqual(await bridge.lookup([id.slice(0, 36)]), { found: [id.slice(0, 36)], notFound: [] });
  });
});

test("create() refuses what PhotoKit refuses, by name, and creates nothing", async () => {
  await withLibrary({}, async (bridge, lib, file) => {
    const photo = { type: "photo" as const, path: await file("IMG_0003.HEIC") };
    const refusals: [CreateCall, new (message: string) => Error, RegExp][] = [
      [
        { resources: [photo, { type: "adjustmentData", path: await file("A.AAE") }], fields: {} },
        PermanentError,
        /photo, adjustmentData/,
      ],
      [
        { resources: [photo, { type: "fullSizePhoto", path: await file("E.JPG") }], fields: {} },
        PermanentError,
        /cannot create one asset/,
      ],
      [
        { resources: [photo, { type: "photo", path: await file("B.HEIC") }], fields: {} },
        PermanentError,
        /one photo resource, not two/,
      ],
      [
        { resources: [{ type: "pairedVideo", path: await file("V.MOV") }], fields: {} },
        FatalError,
        /one original/,
      ],
      [
        {
          resources: [{ type: "video", path: await file("V2.MOV") }, {
            type: "pairedVideo",
            path: await file("V3.MOV"),
          }],
          fields: {},
        },
        PermanentError,
        /video, pairedVideo/,
      ],
      [
        { resources: [{ type: "photo", path: join(lib.dir, "gone.heic") }], fields: {} },
        PermanentError,
        /gone\.heic does not exist/,
      ],
      [
        { resources: [photo], fields: { albums: ["A1B00000-0000-4000-8000-00000000FFFF"] } },
        PermanentError,
        /no album/,
      ],
      [{ resources: [photo], fields: { albums: [SMART] } }, PermanentError, /not one of your own albums/],
      [{ resources: [photo], fields: { creationDate: null } }, PermanentError, /leave it out/],
      [
        { resources: [photo], fields: { timeZoneOffset: 3600 } as CreateCall["fields"] },
        PermanentError,
        /timeZoneOffset/,
      ],
    ];
    for (const [call, Kind, message] of refusals) {
      await assert.rejects(
        bridge.create(call),
        (e: Error) => e instanceof Kind && message.test(e.message),
        message.source,
      );
    }
    assert.deepEqual(await createdAssets(lib), {});
    assert.equal(bridge.outstanding(), 0);
  });
});

test("create() without the Automation permission stops before it creates anything", async () => {
  await withLibrary({ automation: "denied" }, async (bridge, lib, file) => {
    const resources: CreateCall["resources"] = [{ type: "photo", path: await file("IMG_0004.HEIC") }];
    await assert.rejects(bridge.create({ resources, fields: { title: "Harbour" } }), ConfigError);
    assert.deepEqual(await createdAssets(lib), {});
    // Without scripted fields the same asset is created.
    await bridge.create({ resources, fields: { favorite: true } });
    assert.equal((await only(lib))[1].asset.favorite, true);
  });
});

test("a change the user declines creates nothing", async () => {
  await withLibrary({ declineChanges: true }, async (bridge, lib, file) => {
    const resources: CreateCall["resources"] = [{ type: "photo", path: await file("IMG_0005.HEIC") }];
    await assert.rejects(bridge.create({ resources, fields: {} }), FatalError);
    assert.deepEqual(await createdAssets(lib), {});
  });
});

test("lookup() finds created assets by UUID or local identifier until they are deleted", async () => {
  await withLibrary({}, async (bridge, lib, file) => {
    const a = await bridge.create({ resources: [{ type: "photo", path: await file("A.HEIC") }], fields: {} });
    const b = await bridge.create({ resources: [{ type: "video", path: await file("B.MOV") }], fields: {} });
    const never = "00000000-0000-4000-8000-000000000000";
    assert.deepEqual(await bridge.lookup([b, a.slice(0, 36), never]), {
      found: [b, a.slice(0, 36)],
      notFound: [never],
    });
    assert.deepEqual(await bridge.delete([a.slice(0, 36)]), { deleted: [a.slice(0, 36)], notFound: [] });
    // In Recently Deleted, which PhotoKit does not show.
    assert.deepEqual(await bridge.lookup([a, b]), { found: [b], notFound: [a] });
    const [described] = await bridge.describe([never, b.slice(0, 36), a]);
    assert.equal(described.localIdentifier, b);
    assert.deepEqual(described.resources.map((r) => [r.type, r.filename]), [["video", "B.MOV"]]);
    assert.equal((await bridge.describe([a])).length, 0, "a deleted asset is not described");
    const created = await createdAssets(lib);
    assert.equal(created[a].deleted, true);
    assert.equal(created[b].deleted, false);
    assert.equal(created[b].asset.mediaType, "video");
  });
});

test("lookup() needs access and a list of ids", async () => {
  await using lib = await fixtureLibrary({ authorization: "denied", assets: [] });
  const bridge = PhotosBridge.open({ path: lib.path });
  try {
    await assert.rejects(bridge.lookup(["x"]), ConfigError);
    await assert.rejects(bridge.lookup("x" as unknown as string[]), FatalError);
    assert.equal(bridge.outstanding(), 0);
  } finally {
    await bridge.close();
  }
});

test("createAlbum() makes a new user album in its folders, which lookupAlbums() and create() then take", async () => {
  await withLibrary({}, async (bridge, lib, file) => {
    const made = await bridge.createAlbum("Harbour ✓", ["2025", "Trips"]);
    assert.match(made, /^[0-9A-F-]{36}\/L0\/040$/);
    const again = await bridge.createAlbum("Harbour ✓", ["2025", "Trips"]);
    assert.notEqual(again, made, "always a new album");
    const never = "A1B00000-0000-4000-8000-00000000FFFF";
    assert.deepEqual(await bridge.lookupAlbums([made.slice(0, 36), ALBUM, SMART, never]), {
      found: [made.slice(0, 36), ALBUM],
      notFound: [SMART, never],
    });
    await bridge.create({
      resources: [{ type: "photo", path: await file("IMG_0006.HEIC") }],
      fields: { albums: [made, ALBUM] },
    });
    const [, created] = await only(lib);
    assert.deepEqual(created.asset.albums?.map((a) => [a.title, a.folders]), [
      ["Harbour ✓", ["2025", "Trips"]],
      ["Trip", ["2025"]],
    ]);
    const [described] = await bridge.describe([created.asset.localIdentifier]);
    assert.deepEqual(described.albums, [], "describe leaves album memberships out");
    assert.equal(described.favorite, created.asset.favorite);
    const history = await bridge.history("fx-history:0");
    assert.deepEqual(history.albums.inserted, [made, again].sort());
    assert.deepEqual(history.assets.inserted, [created.asset.localIdentifier]);
    await assert.rejects(bridge.createAlbum(""), FatalError);
  });
});

test("albums() names every user album, empty and new ones included, never a smart one", async () => {
  await withLibrary({}, async (bridge) => {
    assert.deepEqual(await bridge.albums(), [
      { localIdentifier: `${ALBUM}/L0/040`, title: "Trip", folders: ["2025"] },
    ]);
    const made = await bridge.createAlbum("Harbour", ["2025", "Trips"]);
    assert.deepEqual((await bridge.albums()).map((a) => [a.localIdentifier, a.folders]), [
      [`${ALBUM}/L0/040`, ["2025"]],
      [made, ["2025", "Trips"]],
    ]);
  });
});
