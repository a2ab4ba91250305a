/**
 * Every asset of Test-Media-Types-15.7.2, planned by all built-in handlers and imported into a
 * `folder` destination: each planned file arrives byte-identical to the library's file, under a
 * name that keeps pairs and sidecars together; missing originals fail with their reason, unpicked
 * burst frames are skipped, sidecars land in the sidecar store.
 *
 * The assets are the hand-built mirror of the library (plugins/handler/_test_assets.ts); the files
 * are the library's own. The same import through the library reader is in media_types_cli_test.ts.
 */
import { MEDIA } from "./shared_data.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { hashFile } from "../core/engine/hash.ts";
import { importAssets, type RunEvent } from "../core/engine/import_run.ts";
import { SidecarStore } from "../core/engine/sidecar_store.ts";
import type { Asset } from "../core/model/asset.ts";
import { Registry } from "../core/plugin/registry.ts";
import { testContext } from "../core/plugin/testing/mod.ts";
import type { ExportRequest, SourceSession } from "../core/plugin/types.ts";
import { Tracker } from "../core/tracker/mod.ts";
import folder from "../plugins/destination/folder/mod.ts";
import { HAVE_LIBRARIES, mediaTypes } from "../plugins/handler/_test_assets.ts";
import { BUILTIN_PLUGINS } from "../plugins/mod.ts";
import { listFiles } from "./_cli.ts";
import { query } from "../core/tracker/_testing.ts";

function librarySource(assets: Asset[]): SourceSession {
  return {
    key: "photos",
    async *list() {
      yield* assets;
    },
    // Like the library reader: hand out the library's own file, refuse one that is not there.
    async export(req: ExportRequest) {
      const files = [];
      for (const r of req.plan.resources) {
        if (!(await Deno.stat(r.resource.path!).then(() => true, () => false))) {
          throw Object.assign(new Error(`${r.resource.path} is missing from the library`), {
            kind: "permanent",
          });
        }
        files.push({ key: r.key, path: r.resource.path! });
      }
      return files;
    },
    close: async () => {},
  };
}

Deno.test({
  name:
    "a folder receives every planned file of the Media-Types library byte-identical, pairs and sidecars together",
  ignore: !HAVE_LIBRARIES,
  fn: async () => {
    await using ctx = await testContext();
    const root = join(ctx.tempDir, "photos");
    const tracker = Tracker.open(join(ctx.tempDir, "tracker.db"));
    try {
      const destination = await folder.assets.open({ path: root }, ctx);
      const assets = Object.values(mediaTypes);
      const handlers = new Registry(BUILTIN_PLUGINS).handlers().map((plugin) => ({ plugin, options: {} }));
      const events: RunEvent[] = [];
      const store = new SidecarStore(join(ctx.tempDir, "sidecars"));
      const summary = await importAssets({
        sourceId: "photos",
        source: librarySource(assets),
        destinationId: destination.key,
        destination,
        handlers,
        tracker,
        sidecars: store,
        tempRoot: ctx.tempDir,
        dryRun: false,
        concurrency: 4,
        onEvent: (e) => events.push(e),
      });
      assert.equal(summary.listed, 18);
      assert.deepEqual([summary.imported, summary.failed, summary.skipped.policy], [11, 5, 2]);
      const failed = events.flatMap((e) => e.type === "asset" && e.outcome === "failed" ? [e.filename] : []);
      assert.deepEqual(failed.sort(), [
        "IMG_0905.MOV",
        "IMG_2226.HEIC",
        "IMG_3932.MOV",
        "IMG_4347.HEIC",
        "IMG_7027.MOV",
      ]);

      assert.deepEqual(await listFiles(root), [
        "2025/08/06/IMG_0102.HEIC",
        "2025/08/06/IMG_0658.JPG",
        "2025/08/06/IMG_0667.JPG",
        "2025/08/06/IMG_1994.JPG",
        "2025/08/06/IMG_2908.PNG",
        "2025/08/06/IMG_3539.MOV",
        "2025/08/06/IMG_3582.AAE",
        "2025/08/06/IMG_3582.HEIC",
        "2025/08/06/IMG_3582.MOV",
        "2025/08/06/IMG_4076.HEIC",
        "2025/08/06/IMG_4394.AAE",
        "2025/08/06/IMG_4394.HEIC",
        "2025/08/06/IMG_4394.MOV",
        "2025/08/06/IMG_4394_edited.HEIC",
        "2025/08/06/IMG_4394_edited.MOV",
        "2025/08/06/IMG_4580.HEIC",
        "2025/08/06/IMG_4580.MOV",
        "2025/08/06/IMG_5747.AAE",
        "2025/08/06/IMG_5747.HEIC",
      ]);
      // Byte-identical: each file at the destination hashes like the library file it was planned from.
      const byName = new Map<string, string>();
      for (const asset of assets) {
        for (
          const [key, remoteId] of Object.entries(
            tracker.remoteIds({ source: "photos", destination: destination.key }, asset.id),
          )
        ) {
          const planned = query<{ role: string; name: string }>(
            tracker,
            "SELECT role, name FROM resources WHERE asset_id = ? AND key = ?",
            asset.id,
            key,
          )[0];
          const source = asset.resources.find((r) => r.role === planned.role)!;
          byName.set(remoteId, source.path!);
        }
      }
      assert.equal(byName.size, 19);
      for (const [remoteId, libraryPath] of byName) {
        assert.equal(
          (await hashFile(join(root, remoteId))).sha1,
          (await hashFile(libraryPath)).sha1,
          remoteId,
        );
      }
      // The real Live Photo pairs are the same bytes as the shared sample media.
      const media = MEDIA;
      for (
        const [copy, sample] of [["IMG_3582.MOV", "IMG_3582.mov"], ["IMG_4580.HEIC", "IMG_4580.HEIC"], [
          "IMG_3582.AAE",
          "IMG_O3582.aae",
        ]]
      ) {
        assert.equal(
          (await hashFile(join(root, "2025/08/06", copy))).sha1,
          (await hashFile(join(media, sample))).sha1,
        );
      }

      const transfer = (id: string) =>
        query<{ status: string; tags: string; incomplete: string; handlers: string }>(
          tracker,
          "SELECT status, tags, incomplete, handlers FROM transfers WHERE asset_id = ?",
          id,
        )[0];
      assert.deepEqual(JSON.parse(transfer(mediaTypes.IMG_4076.id).tags), [
        "live",
        "portrait",
        "spatial",
        "hdr",
      ]);
      assert.deepEqual(JSON.parse(transfer(mediaTypes.IMG_4076.id).incomplete), ["motion video missing"]);
      assert.deepEqual(JSON.parse(transfer(mediaTypes.IMG_1994.id).incomplete), ["RAW file missing"]);
      assert.equal(transfer(mediaTypes.IMG_0664.id).status, "skipped");
      assert.deepEqual(
        tracker.sidecars("photos", mediaTypes.IMG_3932.id),
        [],
        "a failed asset stores nothing it could not export",
      );
      const aaes = [mediaTypes.IMG_3582, mediaTypes.IMG_4394, mediaTypes.IMG_5747].map((a) =>
        tracker.sidecars("photos", a.id)[0]
      );
      for (const s of aaes) {
        assert.equal((await hashFile(store.pathOf(s.sha1))).sha1, s.sha1, "the store holds each AAE");
      }

      const again = await importAssets({
        sourceId: "photos",
        source: librarySource(assets),
        destinationId: destination.key,
        destination,
        handlers,
        tracker,
        tempRoot: ctx.tempDir,
        dryRun: false,
        concurrency: 4,
      });
      assert.deepEqual([again.imported, again.skipped.imported, again.skipped.policy], [0, 11, 2]);
    } finally {
      tracker.close();
    }
  },
});
