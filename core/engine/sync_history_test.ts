/**
 * Photos' change history narrows the Photos side of `sync`, over the C twin of the PhotoKit helper:
 * a change the history names is synced, an asset it does not name is not compared, a token the
 * history lost falls back to a full comparison, and a run that failed keeps the old window.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { optionValues } from "../plugin/options.ts";
import { RetryableError } from "../plugin/errors.ts";
import { testContext } from "../plugin/testing/context.ts";
import type { Asset } from "../model/asset.ts";
import type { SourceSession } from "../plugin/types.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { execute, query } from "../tracker/_testing.ts";
import { fixtureLibrary, nativeAsset } from "../../plugins/source/photokit/_fixture_library.ts";
import photokit from "../../plugins/source/photokit/mod.ts";
import { fakeDestination, fakeJpeg, harness } from "./_testing.ts";
import { syncAssets } from "./sync.ts";
import { historySide } from "./sync_detect.ts";

const A = "A0000000-0000-4000-8000-00000000000A";
const B = "B0000000-0000-4000-8000-00000000000B";
const C = "C0000000-0000-4000-8000-00000000000C";

Deno.test("sync compares in Photos only what Photos' change history names since the last sync", async () => {
  await harness(async ({ dir, tracker, base }) => {
    await using ctx = await testContext();
    const assets = [];
    for (const id of [A, B, C]) {
      const file = join(dir, `${id}.jpg`);
      await Deno.writeFile(file, fakeJpeg(id));
      assets.push(nativeAsset(id, {
        resources: [{ type: "photo", filename: `${id}.JPG`, uti: "public.jpeg", raw: false, _file: file }],
      }));
    }
    await using lib = await fixtureLibrary({ assets });
    const photos = await photokit.open(optionValues(photokit.id, photokit.options, { lib: lib.path }), ctx);
    try {
      // The listing shows B as a favourite and C hidden while the history never logged either: changes
      // the history does not name, seen only by comparing the asset.
      let listingLies = false;
      const lie = (a: Asset): Asset =>
        !listingLies ? a : a.id === B ? { ...a, favorite: true } : a.id === C ? { ...a, hidden: true } : a;
      const source: SourceSession = {
        ...photos,
        async *list() {
          for await (const a of photos.list()) yield lie(a);
        },
      };
      const dst = fakeDestination();
      const update = dst.session.update!;
      let failUpdates = false;
      dst.session.update = (id, changes) =>
        failUpdates ? Promise.reject(new RetryableError("the destination is down")) : update(id, changes);
      const options = base({
        source,
        destination: dst.session,
        sourceId: photos.key,
        sourceFields: photokit.fields,
      });
      const store = new SyncStore(tracker);
      const token = () => store.checkpoint("fake-dest", historySide(photos.key));

      const first = await syncAssets(options);
      assert.equal(first.import.imported, 3);
      const started = token();
      assert.ok(started, "the first sync keeps the history's token");
      // What that sync imported has no stamp yet: the next one compares it once, finds it agreed, stamps it.
      assert.equal((await syncAssets(options)).updated, 0);
      assert.equal(query(tracker, "SELECT 1 FROM transfers WHERE sync_stamp IS NULL").length, 0);

      await photos.write!(A, { favorite: true }); // made in Photos: the history logs it
      listingLies = true;
      failUpdates = true;
      const failed = await syncAssets(options);
      assert.equal(failed.updateFailed, 1, "A was compared and its push failed");
      assert.equal(token(), started, "a run that failed keeps the old token: its window is repeated");

      failUpdates = false;
      const second = await syncAssets(options);
      assert.deepEqual(
        dst.updates.map((u) => u.changes),
        [{ favorite: true }],
        "only A, from the window again",
      );
      assert.equal(second.updated, 1);
      assert.notEqual(token(), started, "the token moves on once the changes are recorded");

      const quiet = await syncAssets(options);
      assert.equal(
        quiet.updated,
        0,
        "nothing in the history since: nothing compared, B's and C's listing included",
      );

      // Left without a stamp (as a conflict leaves an asset): compared whatever the history says.
      execute(tracker, "UPDATE transfers SET sync_stamp = NULL WHERE asset_id = ?", C);
      const unstamped = await syncAssets(options);
      assert.equal(dst.updates.at(-1)?.changes.hidden, true, "C was compared");
      assert.equal(unstamped.updated, 1);

      store.saveCheckpoint("fake-dest", historySide(photos.key), "a token Photos no longer knows");
      const full = await syncAssets(options);
      assert.equal(full.updated, 1, "a lost token: every listed asset is compared, B found");
      assert.deepEqual(dst.updates.at(-1)?.changes, { favorite: true }, "B");
      assert.equal(dst.updates.length, 3);
      assert.match(token()!, /^fx-history:\d+$/, "and a token the history knows is kept again");
    } finally {
      await photos.close();
    }
  });
});
