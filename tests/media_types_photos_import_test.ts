/**
 * The Media-Types library imported through the engine into the Photos-import layout: every file is
 * the library's bytes, each Live Photo's still and video share a base name and both carry its
 * content identifier, and every base name Photos imports on its own has the asset's sidecar.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hashFile } from "../core/engine/hash.ts";
import { importAssets } from "../core/engine/import_run.ts";
import type { Asset } from "../core/model/asset.ts";
import { Registry } from "../core/plugin/registry.ts";
import { testContext } from "../core/plugin/testing/mod.ts";
import type { ExportRequest, SourceSession } from "../core/plugin/types.ts";
import { Tracker } from "../core/tracker/mod.ts";
import { HAVE_LIBRARIES, mediaTypes } from "../plugins/handler/_test_assets.ts";
import { BUILTIN_PLUGINS } from "../plugins/mod.ts";
import folder from "../plugins/destination/folder/mod.ts";
import { stemOf } from "../plugins/destination/folder/_names.ts";
import { xmpPacket } from "../core/model/xmp.ts";

/** Hands out the library's own files, as the library reader does; a missing one fails its asset. */
function librarySource(assets: Asset[]): SourceSession {
  return {
    key: "photos",
    async *list() {
      yield* assets;
    },
    async export(req: ExportRequest) {
      const files = [];
      for (const r of req.plan.resources) {
        if (!(await Deno.stat(r.resource.path!).then(() => true, () => false))) {
          throw Object.assign(new Error(`${r.resource.path} is missing`), { kind: "permanent" });
        }
        files.push({ key: r.key, path: r.resource.path! });
      }
      return files;
    },
    close: async () => {},
  };
}

const DAY = "2025/08/06";

Deno.test({
  name: "the Media-Types library laid out for Photos' import: the library's bytes, pairs by name, sidecars",
  ignore: !HAVE_LIBRARIES,
  fn: async () => {
    await using ctx = await testContext();
    const root = join(ctx.tempDir, "photos");
    const tracker = Tracker.open(join(ctx.tempDir, "tracker.db"));
    try {
      const destination = await folder.assets.open({ path: root, layout: "photos-import" }, ctx);
      const assets = Object.values(mediaTypes);
      const summary = await importAssets({
        sourceId: "photos",
        source: librarySource(assets),
        destinationId: destination.key,
        destination,
        handlers: new Registry(BUILTIN_PLUGINS).handlers().map((plugin) => ({ plugin, options: {} })),
        tracker,
        tempRoot: ctx.tempDir,
        dryRun: false,
        concurrency: 4,
      });
      assert.equal(summary.imported, 11);
      const names = [...Deno.readDirSync(join(root, DAY))].map((e) => e.name).sort();
      assert.deepEqual(names, [
        "IMG_0102.HEIC",
        "IMG_0102.xmp",
        "IMG_0658.JPG",
        "IMG_0658.xmp",
        "IMG_0667.JPG",
        "IMG_0667.xmp",
        "IMG_1994.JPG",
        "IMG_1994.xmp",
        "IMG_2908.PNG",
        "IMG_2908.xmp",
        "IMG_3539.MOV",
        "IMG_3539.xmp",
        "IMG_3582.AAE",
        "IMG_3582.HEIC",
        "IMG_3582.MOV",
        "IMG_3582.xmp",
        "IMG_4076.HEIC",
        "IMG_4076.xmp",
        "IMG_4394.AAE",
        "IMG_4394.HEIC",
        "IMG_4394.MOV",
        "IMG_4394.xmp",
        "IMG_4394_edited.HEIC",
        "IMG_4394_edited.MOV",
        "IMG_4394_edited.xmp",
        "IMG_4580.HEIC",
        "IMG_4580.MOV",
        "IMG_4580.xmp",
        "IMG_5747.AAE",
        "IMG_5747.HEIC",
        "IMG_5747.xmp",
      ]);
      const owner = new Map<string, Asset>();
      for (const asset of assets) {
        const stored = tracker.remoteIds({ source: "photos", destination: destination.key }, asset.id);
        // Every file is byte for byte one of the asset's files in the library.
        const library = new Set(
          await Promise.all(
            asset.resources.filter((r) => r.present).map(async (r) => (await hashFile(r.path!)).sha1),
          ),
        );
        for (const remoteId of Object.values(stored)) {
          assert.ok(library.has((await hashFile(join(root, remoteId))).sha1), `${remoteId} is the library's`);
          owner.set(stemOf(remoteId.split("/").at(-1)!), asset);
        }
      }
      // Each sidecar is the metadata of the asset whose files share its base name.
      for (const name of names.filter((n) => n.endsWith(".xmp"))) {
        assert.equal(
          await Deno.readTextFile(join(root, DAY, name)),
          xmpPacket(owner.get(stemOf(name))!),
          name,
        );
      }
      // A Live Photo's still and video: one base name, and the content identifier in both.
      for (const asset of [mediaTypes.IMG_3582, mediaTypes.IMG_4580, mediaTypes.IMG_4394]) {
        const stem = stemOf(asset.filename);
        for (const name of [`${stem}.HEIC`, `${stem}.MOV`]) {
          const text = new TextDecoder("latin1").decode(await Deno.readFile(join(root, DAY, name)));
          assert.ok(text.includes(asset.liveContentId!), `${name} carries ${asset.liveContentId}`);
        }
      }
    } finally {
      tracker.close();
    }
  },
});
