import assert from "node:assert/strict";
import { ConfigError, PermanentError } from "../../../core/plugin/errors.ts";
import {
  type DestinationInspector,
  destinationSuite,
  testContext,
} from "../../../core/plugin/testing/mod.ts";
import type { ExportedGroup } from "../../../core/model/plan.ts";
import {
  createdAssets,
  type FixtureLibrary,
  fixtureLibrary,
} from "../../source/photokit/_fixture_library.ts";
import { groupOf, LIBRARY_ALBUM, LIVE, withDestination } from "./_test_groups.ts";
import photokit from "./mod.ts";

const test = (name: string, fn: (t: Deno.TestContext) => Promise<void>) =>
  Deno.test({ name, fn, sanitizeResources: true, sanitizeOps: true });

/** What the twin's library holds of an asset, by its UUID. */
async function created(lib: FixtureLibrary, id: string) {
  const record = Object.entries(await createdAssets(lib)).find(([lid]) => lid.startsWith(`${id}/`));
  assert.ok(record, `Photos has an asset ${id}`);
  return record[1];
}

async function scripted(lib: FixtureLibrary): Promise<Record<string, Record<string, unknown>>> {
  return JSON.parse(await Deno.readTextFile(`${lib.dir}/scripting.json`).catch(() => "{}"));
}

/** Reads back from the twin what Photos keeps of an asset. */
function inspector(lib: FixtureLibrary): DestinationInspector {
  return {
    async metadata(id) {
      const { asset } = await created(lib, id);
      const text = (await scripted(lib))[asset.localIdentifier] ?? {};
      return {
        favorite: asset.favorite,
        hidden: asset.hidden,
        captured: asset.creationDate ? { utc: asset.creationDate } : undefined,
        location: asset.location ?? undefined,
        title: (text.title as string | null) ?? undefined,
        caption: (text.caption as string | null) ?? undefined,
        keywords: text.keywords as string[] | undefined,
      };
    },
    async albums(id) {
      return ((await created(lib, id)).asset.albums ?? []).map((a) => a.title);
    },
    // Photos keeps a Live Photo's video, a RAW half and a render inside the one asset.
    async motion(id) {
      const { asset } = await created(lib, id);
      return asset.resources.some((r) => r.type === "pairedVideo") ? id : undefined;
    },
    async stack(id) {
      const { asset } = await created(lib, id);
      return asset.resources.some((r) => r.type === "alternatePhoto" || r.type === "fullSizePhoto")
        ? [id]
        : [];
    },
  };
}

test("destination.photokit conforms to the destination suite over the C twin of the helper", async (t) => {
  await using lib = await fixtureLibrary({ assets: [] });
  await destinationSuite(t, photokit, { options: { lib: lib.path }, inspect: inspector(lib) });
});

const idOf = (result: { resources: { remoteId: string }[] }) => result.resources[0].remoteId;

async function assertSameBytes(group: ExportedGroup, copies: { filename: string; copy: string }[]) {
  for (const file of group.files) {
    const copy = copies.find((c) => c.filename === file.name);
    assert.ok(copy, `${file.name} reached Photos`);
    assert.deepEqual(
      await Deno.readFile(copy.copy),
      await Deno.readFile(file.path),
      `${file.name} byte for byte`,
    );
  }
}

test("a Live Photo becomes one Photos asset with its video paired, its metadata and its album", async () => {
  await withDestination({}, async ({ session, lib, ctx }) => {
    const group = await groupOf(ctx.tempDir, {
      favorite: true,
      captured: { utc: "2025-05-26T14:27:06.603Z", offsetSeconds: 7200 },
      location: { latitude: 48.1374, longitude: 11.5755 },
      title: "Harbour",
      caption: "Boats",
      keywords: ["sea"],
      albums: [{ id: LIBRARY_ALBUM.localIdentifier.slice(0, 36), title: "Trip", folders: ["2025"] }],
    }, LIVE);
    const result = await session.put(group);
    const id = idOf(result);
    assert.match(id, /^[0-9A-F-]{36}$/);
    assert.deepEqual(result.resources, [
      { key: "original", remoteId: id, duplicate: false },
      { key: "motion", remoteId: id, duplicate: false },
    ]);
    const record = await created(lib, id);
    assert.deepEqual(record.resources.map((r) => [r.type, r.filename]), [
      ["photo", "IMG_0001.HEIC"],
      ["pairedVideo", "IMG_0001.MOV"],
    ]);
    await assertSameBytes(group, record.resources);
    assert.deepEqual(record.fields, {
      favorite: true,
      hidden: false,
      creationDate: "2025-05-26T14:27:06.603Z",
      location: { latitude: 48.1374, longitude: 11.5755 },
      albums: [LIBRARY_ALBUM.localIdentifier.slice(0, 36)],
      title: "Harbour",
      caption: "Boats",
      keywords: ["sea"],
    });
    assert.deepEqual(record.asset.mediaSubtypes, ["photoLive"]);
    assert.deepEqual(
      record.asset.albums?.map((a) => a.title),
      ["Trip"],
      "the library's own album, no new one",
    );
    assert.deepEqual(await session.presence!([id]), { [id]: "present" });
  });
});

test("a second put, even at the same time, finds the asset it created and creates nothing", async () => {
  await withDestination({}, async ({ session, lib, ctx }) => {
    const group = await groupOf(ctx.tempDir, {}, LIVE);
    const [a, b] = await Promise.all([session.put(group), session.put(group)]);
    assert.equal(idOf(a), idOf(b));
    assert.deepEqual([a, b].map((r) => r.resources.every((x) => x.duplicate)).sort(), [false, true]);
    assert.equal(Object.keys(await createdAssets(lib)).length, 1);
    // The mapping is the plugin's state: a new session of the same data finds the asset too.
    const reopened = await photokit.assets.open({ lib: lib.path }, ctx);
    try {
      assert.equal((await reopened.put(group)).resources[0].duplicate, true);
    } finally {
      await reopened.close();
    }
    assert.equal(Object.keys(await createdAssets(lib)).length, 1);
  });
});

test("an asset deleted in Photos is gone, and a later put creates it again", async () => {
  await withDestination({}, async ({ session, lib, ctx }) => {
    const group = await groupOf(ctx.tempDir, {}, LIVE);
    const first = idOf(await session.put(group));
    await session.remove!([first, first]);
    assert.deepEqual(await session.presence!([first]), { [first]: "gone" });
    assert.equal((await created(lib, first)).deleted, true);
    const again = await session.put(group);
    assert.notEqual(idOf(again), first);
    assert.equal(again.resources[0].duplicate, false);
  });
});

test("an edit goes in as its render with the adjustment data and base; without the data, as the original only", async () => {
  await withDestination({}, async ({ session, lib, ctx }) => {
    const parts = [
      { key: "original", role: "original" as const, name: "IMG_0002.JPG" },
      { key: "edited", role: "edited" as const, name: "IMG_0002_edited.JPG", relation: "render_of" as const },
      {
        key: "adjustment",
        role: "adjustment" as const,
        name: "IMG_0002.AAE",
        relation: "sidecar_of" as const,
      },
      {
        key: "adjustment_base",
        role: "adjustment_base" as const,
        name: "IMG_0002_base.JPG",
        relation: "sidecar_of" as const,
      },
    ];
    const edited = await groupOf(ctx.tempDir, { edited: true }, parts);
    const record = await created(lib, idOf(await session.put(edited)));
    assert.deepEqual(record.resources.map((r) => r.type), [
      "photo",
      "fullSizePhoto",
      "adjustmentData",
      "adjustmentBasePhoto",
    ]);
    await assertSameBytes(edited, record.resources);

    const bare = await groupOf(ctx.tempDir, { edited: true }, parts.slice(0, 2));
    const result = await session.put(bare);
    assert.deepEqual(result.resources.map((r) => r.key).sort(), ["edited", "original"]);
    const plain = await created(lib, idOf(result));
    assert.deepEqual(plain.resources.map((r) => [r.type, r.filename]), [["photo", "IMG_0002.JPG"]]);
    assert.ok(
      ctx.logs.some((l) =>
        /^warn .*IMG_0002_edited\.JPG stays out of Photos \(Photos takes fullSizePhoto only with adjustmentData\)/
          .test(l)
      ),
      ctx.logs.join("\n"),
    );
  });
});

test("a RAW+JPEG pair is one asset, the RAW as the photo when Photos showed the RAW", async () => {
  await withDestination({}, async ({ session, lib, ctx }) => {
    const parts = [
      { key: "original", role: "original" as const, name: "IMG_0003.JPG" },
      { key: "raw", role: "raw" as const, name: "IMG_0003.DNG", relation: "stack" as const },
    ];
    const jpegFirst = await created(lib, idOf(await session.put(await groupOf(ctx.tempDir, {}, parts))));
    assert.deepEqual(jpegFirst.resources.map((r) => [r.type, r.filename]), [
      ["photo", "IMG_0003.JPG"],
      ["alternatePhoto", "IMG_0003.DNG"],
    ]);
    const rawGroup = await groupOf(ctx.tempDir, { rawPrimary: true }, parts, { primary: "raw" });
    const rawFirst = await created(lib, idOf(await session.put(rawGroup)));
    assert.deepEqual(rawFirst.resources.map((r) => [r.type, r.filename]), [
      ["alternatePhoto", "IMG_0003.JPG"],
      ["photo", "IMG_0003.DNG"],
    ]);
  });
});

test("albums Photos lacks are made once, in their folders, and shared albums are left out", async () => {
  await withDestination({}, async ({ session, lib, ctx }) => {
    const albums = [
      { id: "immich-album-1", title: "Summer", folders: ["2025", "Trips"] },
      { id: "shared-1", title: "Family stream", folders: [], shared: true },
    ];
    const [a, b] = await Promise.all([
      session.put(await groupOf(ctx.tempDir, { albums }, LIVE)),
      session.put(await groupOf(ctx.tempDir, { albums }, LIVE)),
    ]);
    const inA = (await created(lib, idOf(a))).asset.albums!;
    const inB = (await created(lib, idOf(b))).asset.albums!;
    assert.deepEqual(inA.map((x) => [x.title, x.folders]), [["Summer", ["2025", "Trips"]]]);
    assert.deepEqual(inB, inA, "both in the one album made for them");
    assert.equal(ctx.state.get("album:immich-album-1"), inA[0].localIdentifier);
  });
});

test("without Automation, an asset with a title is refused before anything is created", async () => {
  await withDestination({ automation: "denied" }, async ({ session, lib, ctx }) => {
    const titled = await groupOf(ctx.tempDir, { title: "Harbour" }, LIVE);
    await assert.rejects(
      session.put(titled),
      (e: Error) => e instanceof ConfigError && e.message.includes("IMG_0001.HEIC"),
    );
    assert.deepEqual(await createdAssets(lib), {});
    await session.put(await groupOf(ctx.tempDir, {}, LIVE));
    assert.equal(Object.keys(await createdAssets(lib)).length, 1);
  });
});

test("without Photos access the destination does not open, and says where to grant it", async () => {
  await using ctx = await testContext();
  await using lib = await fixtureLibrary({ authorization: "denied", assets: [] });
  await assert.rejects(
    photokit.assets.open({ lib: lib.path }, ctx),
    (e: Error) => e instanceof ConfigError && /Privacy & Security > Photos/.test(e.message),
  );
});

test("a put killed after creating the asset but before keeping its id finds that asset when it runs again", async () => {
  await withDestination({}, async ({ lib, ctx }) => {
    const group = await groupOf(ctx.tempDir, { captured: { utc: "2025-01-02T03:04:05.000Z" } }, LIVE);
    // The state store fails where a kill would have stopped the run: right after the create.
    const state = ctx.state;
    let cut = true;
    const cutShort = {
      ...state,
      get: state.get.bind(state),
      delete: state.delete.bind(state),
      set(key: string, value: unknown) {
        if (cut && key.startsWith("asset:")) {
          cut = false;
          throw new Error("killed");
        }
        state.set(key, value);
      },
    };
    const first = await photokit.assets.open({ lib: lib.path }, { ...ctx, state: cutShort });
    try {
      await assert.rejects(first.put(group), /killed/);
    } finally {
      await first.close();
    }
    assert.equal(Object.keys(await createdAssets(lib)).length, 1, "the first attempt created the asset");

    const again = await photokit.assets.open({ lib: lib.path }, ctx);
    try {
      const result = await again.put(group);
      assert.ok(result.resources.every((r) => r.duplicate), "the asset the cut-short put made");
      const [lid] = Object.keys(await createdAssets(lib));
      assert.equal(idOf(result), lid.slice(0, 36));
      assert.equal(Object.keys(await createdAssets(lib)).length, 1);
      assert.equal((await again.put(group)).resources[0].duplicate, true);
    } finally {
      await again.close();
    }
  });
});

test("a put killed before its create creates the asset, and is not fooled by another asset made since", async () => {
  await withDestination({}, async ({ session, lib, ctx }) => {
    const captured = { utc: "2025-01-02T03:04:05.000Z" };
    const group = await groupOf(ctx.tempDir, { captured }, LIVE);
    // Made after the note: one from another original, one from the same file name at another instant.
    const other = [{ ...LIVE[0], name: "IMG_0900.HEIC" }];
    await session.put(await groupOf(ctx.tempDir, { captured }, other));
    await session.put(await groupOf(ctx.tempDir, { captured: { utc: "2020-01-01T00:00:00.000Z" } }, LIVE));
    ctx.state.set(`creating:${group.files[0].sha1}`, {
      since: "fx-history:0",
      filename: "IMG_0001.HEIC",
      creationDate: captured.utc,
    });
    const result = await session.put(group);
    assert.equal(result.resources[0].duplicate, false);
    assert.equal(Object.keys(await createdAssets(lib)).length, 3);
    assert.equal(
      ctx.state.get(`creating:${group.files[0].sha1}`),
      undefined,
      "the note is gone once the asset is kept",
    );
  });
});

test("a group without a photo or a video is refused by name, and nothing is created", async () => {
  await withDestination({}, async ({ session, lib, ctx }) => {
    const full = await groupOf(ctx.tempDir, {}, [
      { key: "original", role: "original", name: "IMG_0005.HEIC" },
      { key: "sidecar", role: "sidecar", name: "IMG_0005.XMP", relation: "sidecar_of" },
    ]);
    // What is left when the original did not travel: its sidecar only.
    const group = {
      ...full,
      plan: {
        ...full.plan,
        primary: "sidecar",
        resources: full.plan.resources.filter((r) => r.key === "sidecar"),
      },
      files: full.files.filter((f) => f.key === "sidecar"),
    };
    await assert.rejects(
      session.put(group),
      (e: Error) =>
        e instanceof PermanentError && /IMG_0005\.HEIC: Photos needs a photo or a video/.test(e.message),
    );
    assert.deepEqual(await createdAssets(lib), {});
  });
});
