import { HAS_SHARED, MEDIA as SHARED_MEDIA } from "../../../tests/shared_data.ts";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Asset } from "../../../core/model/asset.ts";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { ConfigError, PermanentError } from "../../../core/plugin/errors.ts";
import { sourceSuite, testContext } from "../../../core/plugin/testing/mod.ts";
import { jpeg, movie, tiff } from "./_samples.ts";
import folder from "./mod.ts";

const MEDIA = HAS_SHARED ? SHARED_MEDIA : undefined;

const PAIRS = {
  IMG_3582: {
    id: "602FEBB7-6B59-4799-96E6-9C8484D873C7",
    captured: "2025-05-26T14:27:06.603Z",
    offset: -18000,
  },
  IMG_4394: {
    id: "ED2A2552-C906-486E-9DA5-17DABDF672A7",
    captured: "2025-08-06T22:14:22.332Z",
    offset: -18000,
  },
  IMG_4580: {
    id: "4E1A1B89-CE70-4FF8-873B-E4470B839314",
    captured: "2025-08-17T23:33:48.600Z",
    offset: -14400,
  },
};

/** A temp folder filled by `files` (name -> bytes, or a path of the shared media to copy). */
async function withFolder(
  files: Record<string, Uint8Array | string>,
  body: (root: string, list: () => Promise<Asset[]>) => Promise<void>,
): Promise<void> {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "photos");
  for (const [name, content] of Object.entries(files)) {
    const path = join(root, name);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    if (typeof content === "string") await Deno.copyFile(join(MEDIA!, content), path);
    else await Deno.writeFile(path, content);
  }
  const list = async () => {
    const session = await folder.open({ library: root }, ctx);
    try {
      return await Array.fromAsync(session.list());
    } finally {
      await session.close();
    }
  };
  await body(root, list);
}

const roles = (a: Asset) => a.resources.map((r) => `${r.role}:${r.filename}`);

Deno.test({
  name: "source.folder conforms to the source suite over real Live Photo pairs",
  ignore: !MEDIA,
  fn: async (t) => {
    await using ctx = await testContext();
    const root = join(ctx.tempDir, "photos");
    await Deno.mkdir(root);
    for (const name of ["IMG_3582.HEIC", "IMG_3582.mov"]) {
      await Deno.copyFile(join(MEDIA!, name), join(root, name));
    }
    await sourceSuite(t, folder, { options: { library: root } });
  },
});

Deno.test({
  name: "real Live Photos pair by content identifier, dated from EXIF with the camera's offset",
  ignore: !MEDIA,
  fn: async () => {
    // The names no longer match: only the identifiers can pair them.
    await withFolder({
      "a/still-1.HEIC": "IMG_3582.HEIC",
      "a/motion-9.MOV": "IMG_3582.mov",
      "a/IMG_4394.HEIC": "IMG_4394.HEIC",
      "a/IMG_4394.mov": "IMG_4394.mov",
      "b/IMG_4580.HEIC": "IMG_4580.HEIC",
      "b/IMG_4580.mov": "IMG_4580.mov",
    }, async (_root, list) => {
      const assets = await list();
      assert.deepEqual(assets.map((a) => a.filename), ["IMG_4394.HEIC", "still-1.HEIC", "IMG_4580.HEIC"]);
      const byName = new Map(assets.map((a) => [a.filename, a]));
      for (
        const [name, stem] of [["still-1.HEIC", "IMG_3582"], ["IMG_4394.HEIC", "IMG_4394"], [
          "IMG_4580.HEIC",
          "IMG_4580",
        ]]
      ) {
        const asset = byName.get(name)!;
        const pair = PAIRS[stem as keyof typeof PAIRS];
        assert.deepEqual(asset.subtypes, ["live"], name);
        assert.equal(asset.liveContentId, pair.id, name);
        assert.deepEqual(asset.captured, { utc: pair.captured, offsetSeconds: pair.offset }, name);
        assert.equal(asset.resources[1].role, "motion");
      }
      assert.deepEqual(roles(byName.get("still-1.HEIC")!), ["original:still-1.HEIC", "motion:motion-9.MOV"]);
      assert.deepEqual([byName.get("IMG_4394.HEIC")!.width, byName.get("IMG_4394.HEIC")!.height], [
        4032,
        3024,
      ]);
    });
  },
});

Deno.test({
  name: "a photo and a video with the same name but different identifiers stay two assets",
  ignore: !MEDIA,
  fn: async () => {
    await withFolder(
      { "IMG_3582.HEIC": "IMG_3582.HEIC", "IMG_3582.mov": "IMG_4394.mov" },
      async (_root, list) => {
        const assets = await list();
        assert.deepEqual(assets.map((a) => [a.filename, a.kind, a.subtypes]), [
          ["IMG_3582.HEIC", "photo", []],
          ["IMG_3582.mov", "video", []],
        ]);
        // The lone video is dated by its own QuickTime creation date, with its offset.
        assert.deepEqual(assets[1].captured, { utc: "2025-08-06T22:14:21.000Z", offsetSeconds: -18000 });
        assert.ok(Math.abs(assets[1].durationSeconds! - 1.80) < 0.01);
      },
    );
  },
});

Deno.test("without identifiers, a photo pairs with a short video of the same name, never a long one", async () => {
  await withFolder({
    "DSC_0001.JPG": jpeg({ dateTimeOriginal: "2024:05:01 12:00:00", offset: "+02:00" }),
    "dsc_0001.mov": movie({ durationSeconds: 2.5 }),
    "DSC_0002.JPG": jpeg({ dateTimeOriginal: "2024:05:01 12:05:00", offset: "+02:00" }),
    "DSC_0002.MOV": movie({ durationSeconds: 42, created: new Date("2024-05-01T10:06:00Z") }),
  }, async (_root, list) => {
    const assets = await list();
    assert.deepEqual(assets.map((a) => [a.filename, a.subtypes]), [
      ["DSC_0001.JPG", ["live"]],
      ["DSC_0002.JPG", []],
      ["DSC_0002.MOV", []],
    ]);
    assert.deepEqual(roles(assets[0]), ["original:DSC_0001.JPG", "motion:dsc_0001.mov"]);
    assert.equal(assets[0].liveContentId, undefined);
    assert.deepEqual(assets[0].captured, { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 });
    // A video without Apple's keys is dated by its movie header (UTC).
    assert.deepEqual(assets[2].captured, { utc: "2024-05-01T10:06:00.000Z" });
  });
});

Deno.test("a JPEG's Apple MakerNote identifier pairs it with the video that carries it", async () => {
  const id = "11111111-2222-4333-8444-555555555555";
  await withFolder({
    "IMG_0001.JPG": jpeg({ dateTimeOriginal: "2019:01:02 03:04:05", subSec: "25", contentId: id }),
    "IMG_0001.MOV": movie({ durationSeconds: 30, contentId: id, creationDate: "2019-01-02T03:04:05+0100" }),
  }, async (_root, list) => {
    const [asset, ...rest] = await list();
    assert.equal(rest.length, 0, "paired although the video is long: the identifier decides");
    assert.equal(asset.liveContentId, id);
    // No offset in the EXIF: the time is read in this computer's zone (TZ=UTC in the tests).
    assert.deepEqual(asset.captured, { utc: "2019-01-02T03:04:05.250Z" });
  });
});

Deno.test("RAW+JPEG pairs are one asset whose original is the JPEG; a lone RAW is raw", async () => {
  await withFolder({
    "IMG_0007.CR2": tiff({ dateTimeOriginal: "2023:07:01 08:00:00", offset: "-04:00" }),
    "IMG_0007.JPG": jpeg({ dateTimeOriginal: "2023:07:01 08:00:00", offset: "-04:00" }),
    "IMG_0008.DNG": tiff({ dateTimeOriginal: "2023:07:01 09:00:00", offset: "-04:00" }),
  }, async (_root, list) => {
    const assets = await list();
    assert.deepEqual(assets.map((a) => [roles(a), a.subtypes]), [
      [["original:IMG_0007.JPG", "raw:IMG_0007.CR2"], ["raw_jpeg"]],
      [["original:IMG_0008.DNG"], ["raw"]],
    ]);
    // The TIFF-based RAW's own EXIF dates it.
    assert.deepEqual(assets[1].captured, { utc: "2023-07-01T13:00:00.000Z", offsetSeconds: -14400 });
    assert.equal(assets[1].resources[0].uti, "com.adobe.raw-image");
  });
});

Deno.test({
  name: "sidecars and an iPhone export's edits are attached to their asset",
  ignore: !MEDIA,
  fn: async () => {
    await withFolder({
      "IMG_3582.HEIC": "IMG_3582.HEIC",
      "IMG_3582.MOV": "IMG_3582.mov",
      "IMG_E3582.HEIC": jpeg(undefined, "edited still"),
      "IMG_E3582.MOV": movie({ durationSeconds: 1.9 }),
      "IMG_3582.AAE": new TextEncoder().encode("<plist/>"),
      "IMG_O3582.aae": "IMG_O3582.aae",
      "IMG_3582.HEIC.xmp": new TextEncoder().encode("<x:xmpmeta/>"),
      "IMG_9999.xmp": new TextEncoder().encode("<x:xmpmeta/>"),
      "notes.txt": new TextEncoder().encode("ignored"),
      ".hidden.jpg": jpeg(),
    }, async (_root, list) => {
      const assets = await list();
      assert.equal(assets.length, 1, "a sidecar without its media file is left out, like other files");
      const [asset] = assets;
      assert.deepEqual(roles(asset).sort(), [
        "adjustment:IMG_3582.AAE",
        "adjustment:IMG_O3582.aae",
        "edited:IMG_E3582.HEIC",
        "edited_motion:IMG_E3582.MOV",
        "motion:IMG_3582.MOV",
        "original:IMG_3582.HEIC",
        "sidecar:IMG_3582.HEIC.xmp",
      ]);
      assert.equal(asset.edited, true);
      assert.deepEqual(asset.subtypes, ["live"]);
    });
  },
});

Deno.test("ids are the hash of the relative path: stable across runs and when the folder moves", async () => {
  await withFolder({
    "2024/IMG_0001.JPG": jpeg({ dateTimeOriginal: "2024:01:01 00:00:00" }),
    "2024/trip/IMG_0002.PNG": new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
  }, async (root, list) => {
    const first = await list();
    assert.deepEqual(first.map((a) => a.id), [
      createHash("sha1").update("2024/IMG_0001.JPG").digest("hex").slice(0, 32),
      createHash("sha1").update("2024/trip/IMG_0002.PNG").digest("hex").slice(0, 32),
    ]);
    assert.deepEqual((await list()).map((a) => a.id), first.map((a) => a.id));
    // Without metadata (a PNG), the modification time dates the asset.
    const mtime = (await Deno.stat(join(root, "2024/trip/IMG_0002.PNG"))).mtime!;
    assert.equal(first[1].captured?.utc, mtime.toISOString());

    await using ctx = await testContext();
    const moved = join(ctx.tempDir, "elsewhere");
    await Deno.rename(root, moved);
    const session = await folder.open({ library: moved }, ctx);
    try {
      assert.equal(session.key, `folder:${moved}`);
      assert.deepEqual((await Array.fromAsync(session.list())).map((a) => a.id), first.map((a) => a.id));
    } finally {
      await session.close();
    }
  });
});

Deno.test("export() hands back the files in place, and a file deleted since the listing is a permanent error", async () => {
  await withFolder(
    { "IMG_0001.JPG": jpeg(), "IMG_0001.MOV": movie({ durationSeconds: 2 }) },
    async (root) => {
      await using ctx = await testContext();
      const session = await folder.open({ library: root }, ctx);
      try {
        const [asset] = await Array.fromAsync(session.list());
        const plan = new PlanBuilder(asset).add("motion", asset.resources[1]).build();
        const files = await session.export({ asset, plan, dir: ctx.tempDir, allowNetwork: false });
        assert.deepEqual(files, [
          { key: "original", path: join(root, "IMG_0001.JPG") },
          { key: "motion", path: join(root, "IMG_0001.MOV") },
        ]);
        await Deno.remove(join(root, "IMG_0001.MOV"));
        await assert.rejects(
          session.export({ asset, plan, dir: ctx.tempDir, allowNetwork: false }),
          (e: Error) =>
            e instanceof PermanentError && e.message.includes("IMG_0001.MOV") &&
            e.message.includes("moved or deleted"),
        );
      } finally {
        await session.close();
      }
    },
  );
});

Deno.test("the folder is declared required (the host refuses without it); open() says whether the path is missing or not a folder", async () => {
  await using ctx = await testContext();
  assert.match(folder.needsLibrary, /^the folder to read: set --library PATH/);
  await assert.rejects(
    folder.open({ library: join(ctx.tempDir, "nope") }, ctx),
    (e: Error) => e instanceof ConfigError && /does not exist/.test(e.message),
  );
  await Deno.writeTextFile(join(ctx.tempDir, "file.jpg"), "x");
  await assert.rejects(
    folder.open({ library: join(ctx.tempDir, "file.jpg") }, ctx),
    (e: Error) => e instanceof ConfigError && /is not a folder/.test(e.message),
  );
});
