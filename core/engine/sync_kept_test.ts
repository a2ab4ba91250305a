/**
 * The fields a destination keeps (`AssetDestinationSession.fields`) decide what is agreed: one it
 * starts keeping is sent by the next sync, once, even where Photos' change history names nothing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { optionValues } from "../plugin/options.ts";
import { testContext } from "../plugin/testing/context.ts";
import type { SyncedField } from "../model/synced.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { fixtureLibrary, nativeAsset } from "../../plugins/source/photokit/_fixture_library.ts";
import photokit from "../../plugins/source/photokit/mod.ts";
import { fakeDestination, fakeJpeg, harness } from "./_testing.ts";
import { syncAssets } from "./sync.ts";

const A = "A0000000-0000-4000-8000-00000000000A";
const B = "B0000000-0000-4000-8000-00000000000B";

Deno.test("a field the destination starts keeping is sent once, though Photos' history names no change", async () => {
  await harness(async ({ dir, tracker, base }) => {
    await using ctx = await testContext();
    const assets = [];
    for (const id of [A, B]) {
      const file = join(dir, `${id}.jpg`);
      await Deno.writeFile(file, fakeJpeg(id));
      assets.push(nativeAsset(id, {
        favorite: id === A,
        resources: [{ type: "photo", filename: `${id}.JPG`, uti: "public.jpeg", raw: false, _file: file }],
      }));
    }
    await using lib = await fixtureLibrary({ assets });
    const photos = await photokit.open(optionValues(photokit.id, photokit.options, { lib: lib.path }), ctx);
    try {
      const dst = fakeDestination();
      let keep: SyncedField[] = ["hidden", "location", "captured", "albums"];
      Object.defineProperty(dst.session, "fields", { get: () => ({ keep }), enumerable: true });
      const options = () =>
        base({
          source: photos,
          destination: dst.session,
          sourceId: photos.key,
          sourceFields: photokit.fields,
        });
      const agreed = () => new SyncStore(tracker).agreed({ source: photos.key, destination: "fake-dest" });

      await syncAssets(options());
      assert.equal("favorite" in agreed().get(A)!, false, "not kept: not agreed");
      await syncAssets(options());
      assert.equal((await syncAssets(options())).updated, 0);
      assert.equal(dst.updates.length, 0, "a favorite the destination does not keep is never sent");

      keep = ["favorite", ...keep];
      const on = await syncAssets(options());
      assert.deepEqual(
        dst.updates.map((u) => u.changes.favorite).sort(),
        [false, true],
        "every asset's favorite, once: none was agreed",
      );
      assert.equal(on.toRemote.fields.favorite, 2);
      assert.equal(agreed().get(A)!.favorite, true);
      const quiet = await syncAssets(options());
      assert.deepEqual([quiet.updated, dst.updates.length], [0, 2]);

      // Kept no more: the agreed favorite is dropped, so keeping it again sends Photos' value again.
      keep = keep.filter((f) => f !== "favorite");
      assert.equal((await syncAssets(options())).updated, 0);
      assert.equal("favorite" in agreed().get(A)!, false);
    } finally {
      await photos.close();
    }
  });
});
