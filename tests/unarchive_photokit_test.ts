/**
 * The round trip into Photos itself, over the C twin of the PhotoKit helper (PhotoKit runs only on a
 * Mac): an archived Live Photo read back out of the Immich emulator is recreated in the twin's
 * library as one asset from the very bytes that were archived, and the new Photos asset is linked
 * to the Immich assets it came from, so nothing would be uploaded again.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { bringBack } from "../core/engine/round_trip.ts";
import { optionValues } from "../core/plugin/options.ts";
import { testContext } from "../core/plugin/testing/context.ts";
import { Tracker } from "../core/tracker/mod.ts";
import { remembered } from "../core/tracker/identity.ts";
import { SyncStore } from "../core/tracker/sync_state.ts";
import { DESTINATION_KEY, SOURCE_KEY } from "../core/cli/remembered.ts";
import { createdAssets } from "../plugins/source/photokit/_fixture_library.ts";
import { withDestination } from "../plugins/destination/photokit/_test_groups.ts";
import { BUILTIN_HANDLERS } from "../plugins/mod.ts";
import immichSource from "../plugins/source/immich/mod.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { env, importArgs } from "./_immich.ts";
import { startEmulator } from "./immich_emulator/mod.ts";

Deno.test("an archived Live Photo comes back into Photos (the helper's twin) whole, linked to its Immich assets", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "store"));
    await using server = await startEmulator({ storeDir: join(dir, "store") });
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    assert.equal((await cli(["archive", "--uuid", sample.uuids.live, "--home", home], env(server))).code, 0);

    const tracker = Tracker.open(join(home, "tracker.db"));
    await using ctx = await testContext();
    try {
      const kept = remembered(tracker);
      const photos = { source: kept[SOURCE_KEY]!, destination: kept[DESTINATION_KEY]! };
      const sync = new SyncStore(tracker);
      const archivedFiles = sync.resources(photos, sample.uuids.live);
      const original = archivedFiles.find((f) => f.key === "original")!;
      const source = await immichSource.open(
        optionValues(immichSource.id, immichSource.options, { url: server.url, "api-key": server.apiKey }),
        ctx,
      );
      await withDestination({}, async ({ session, lib }) => {
        let newId: string | undefined;
        const summary = await bringBack({
          sourceId: source.key,
          source,
          destinationId: session.key,
          destination: session,
          handlers: BUILTIN_HANDLERS.map((plugin) => ({ plugin, options: {} })),
          tracker,
          tempRoot: dir,
          dryRun: false,
          concurrency: 1,
          photos,
          pick: (asset) => asset.id === original.remoteId,
          links: "photos",
          immichIds: () => Object.fromEntries(archivedFiles.map((f) => [f.key, f.remoteId])),
          onBrought: (_asset, id) => newId = id,
        });
        assert.deepEqual([summary.picked, summary.import.imported, summary.linked], [1, 1, 1]);
        const made = Object.values(await createdAssets(lib));
        assert.equal(made.length, 1, "one asset: the still and its video as one Live Photo");
        const bytes = await Promise.all(
          made[0].resources.map(async (r) =>
            createHash("sha1").update(await Deno.readFile(r.copy)).digest("hex")
          ),
        );
        assert.deepEqual(new Set(bytes), new Set(archivedFiles.map((f) => f.sha1)));
        // The new Photos asset is already at Immich, as the Immich assets it came from.
        const linked = sync.resources(photos, newId!);
        assert.deepEqual(
          linked.map((f) => [f.key, f.remoteId]).sort(),
          archivedFiles.map((f) => [f.key, f.remoteId]).sort(),
        );
      });
      await source.close();
    } finally {
      tracker.close();
    }
  });
});
