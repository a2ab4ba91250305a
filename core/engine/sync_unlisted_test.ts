/**
 * `sync` leaves the library unlisted only when neither side names a change and the last listing
 * left nothing to do (`sync_unlisted.ts`); each reason to list again, one by one.
 */
import assert from "node:assert/strict";
import type { Asset } from "../model/asset.ts";
import { RetryableError } from "../plugin/errors.ts";
import type { SourceSession } from "../plugin/types.ts";
import { execute } from "../tracker/_testing.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { fakeDestination, fakeSource, harness } from "./_testing.ts";
import { syncAssets, type SyncOptions } from "./sync.ts";
import { RELIST_EVERY_MS } from "./sync_unlisted.ts";

/** A source whose history says what `changed` holds (a fresh token per answer), counting listings. */
function withHistory(session: SourceSession, assets: Asset[]) {
  const state = { changed: [] as string[] | "all", listings: 0, token: 0 };
  const source: SourceSession = {
    ...session,
    async *list() {
      state.listings++;
      yield* assets;
    },
    history: () => Promise.resolve({ changed: state.changed, token: `t${++state.token}` }),
  };
  return { source, state };
}

Deno.test("sync leaves the library unlisted when neither side changed and the last listing settled", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const { session, assets } = await fakeSource(dir, 3);
    const { source, state } = withHistory(session, assets);
    const dst = fakeDestination();
    let clock = new Date("2026-12-01T10:00:00Z");
    const options: SyncOptions = base({ source, destination: dst.session, now: () => clock });

    const first = await syncAssets(options);
    assert.equal(first.import.imported, 3);
    assert.equal(first.unlisted, undefined, "no token yet: listed");
    // What the first sync imported has no stamp: the second compares it once, then all is settled.
    assert.equal((await syncAssets(options)).unlisted, undefined, "imported assets wait for a stamp");
    assert.equal(state.listings, 2);

    const quiet = await syncAssets(options);
    assert.equal(quiet.unlisted, true);
    assert.equal(state.listings, 2, "the library was not listed");
    assert.equal(quiet.import.listed, 0);

    // Photos names a change: listed, compared, settled again.
    state.changed = [assets[0].id];
    assets[0] = { ...assets[0], favorite: true, modified: "2024-02-01T00:00:00.000Z" };
    const changed = await syncAssets(options);
    assert.equal(changed.unlisted, undefined);
    assert.equal(changed.updated, 1);
    state.changed = [];
    assert.equal((await syncAssets(options)).unlisted, true);

    // A history that cannot say lists.
    state.changed = "all";
    assert.equal((await syncAssets(options)).unlisted, undefined);
    state.changed = [];

    // Another policy: what the listing leads to may differ.
    assert.equal((await syncAssets({ ...options, policy: { bursts: "all" } })).unlisted, undefined);
    assert.equal((await syncAssets(options)).unlisted, undefined, "and back: listed again once");
    assert.equal((await syncAssets(options)).unlisted, true);

    // A day after the last listing: listed again, whatever the history says.
    clock = new Date(clock.getTime() + RELIST_EVERY_MS);
    assert.equal((await syncAssets(options)).unlisted, undefined);
    assert.equal((await syncAssets(options)).unlisted, true);
    // A clock set back before the last listing lists too.
    clock = new Date(clock.getTime() - 60_000);
    assert.equal((await syncAssets(options)).unlisted, undefined);

    // An asset left without a stamp (as a conflict leaves it) is compared by a listing.
    assert.equal((await syncAssets(options)).unlisted, true);
    execute(tracker, "UPDATE transfers SET sync_stamp = NULL WHERE asset_id = ?", assets[1].id);
    assert.equal((await syncAssets(options)).unlisted, undefined);

    // A stack left to make (its call failed): the import stage makes it, where the destination stacks.
    const mark =
      "UPDATE transfers SET stack_group = 'g', stack_primary = ?, stack_pending = 1 WHERE asset_id = ?";
    execute(tracker, mark, 1, assets[0].id);
    execute(tracker, mark, 0, assets[1].id);
    assert.equal((await syncAssets(options)).unlisted, true, "this destination makes no stacks");
    let stacked = 0;
    const stacking = {
      ...options,
      destination: { ...dst.session, stack: () => Promise.resolve(void stacked++) },
    };
    assert.equal((await syncAssets(stacking)).unlisted, undefined);
    assert.equal(stacked, 1);
    assert.equal((await syncAssets(stacking)).unlisted, true, "made: quiet again");

    // A dry run may leave it unlisted, and moves no checkpoint.
    await syncAssets(options);
    const store = new SyncStore(tracker);
    const before = store.checkpoint("fake-dest", "history:fake");
    assert.equal((await syncAssets({ ...options, dryRun: true })).unlisted, true);
    assert.equal(store.checkpoint("fake-dest", "history:fake"), before);

    // Rows gone from the tracker behind the sync's back (here one removed by hand): listed again.
    execute(tracker, "DELETE FROM transfers WHERE asset_id = ?", assets[2].id);
    const relisted = await syncAssets(options);
    assert.equal(relisted.unlisted, undefined);
    assert.equal(relisted.import.imported + relisted.import.duplicates, 1, "and sent again");

    // A destination forgotten (emptied on purpose): the next sync sends everything, as an import would.
    await syncAssets(options); // compares and stamps what was sent again
    assert.equal((await syncAssets(options)).unlisted, true);
    tracker.forgetDestination("fake-dest");
    assert.equal(store.checkpoint("fake-dest", "history:fake"), undefined, "its checkpoints go too");
    const fresh = await syncAssets(options);
    assert.equal(fresh.unlisted, undefined);
    assert.equal(fresh.import.imported + fresh.import.duplicates, 3);
  });
});

Deno.test("sync lists again after a listing that left work: a failure, --limit, a refused deletion", async () => {
  await harness(async ({ dir, base }) => {
    let failing = true;
    const { session, assets } = await fakeSource(dir, 4, (asset) => {
      if (failing && asset.id === "id-3") throw new RetryableError("the disk went away");
    });
    const { source, state } = withHistory(session, assets);
    const dst = fakeDestination();
    const options: SyncOptions = base({ source, destination: dst.session, retryPermanent: false });

    const first = await syncAssets(options);
    assert.equal(first.import.failed, 1);
    await syncAssets({ ...options, retryPermanent: true }); // the failed one retried at once, and failed
    assert.equal((await syncAssets(options)).unlisted, undefined, "a failure waits out its back-off: listed");
    failing = false;
    await syncAssets({ ...options, retryPermanent: true });
    await syncAssets(options);
    assert.equal((await syncAssets(options)).unlisted, true, "all four imported and stamped");

    // New assets held back by --limit: the next run lists to send the rest.
    state.changed = "all";
    const more = await fakeSource(dir, 7);
    assets.push(...more.assets.slice(4));
    const limited = await syncAssets({ ...options, limit: 1 });
    assert.equal(limited.import.imported, 1);
    state.changed = [];
    const rest = await syncAssets(options);
    assert.equal(rest.unlisted, undefined, "two were left by --limit");
    assert.equal(rest.import.imported, 2);

    // Deletions refused by the share guard are said again by every run, so every run lists.
    await syncAssets(options);
    assert.equal((await syncAssets(options)).unlisted, true);
    state.changed = "all";
    assets.splice(0, 5);
    const refused = await syncAssets({ ...options, propagateDeletions: true, maxDeleteShare: 0.1 });
    assert.ok(refused.refused);
    state.changed = [];
    const again = await syncAssets({ ...options, propagateDeletions: true, maxDeleteShare: 0.1 });
    assert.equal(again.unlisted, undefined);
    assert.ok(again.refused, "the refusal is said again");
  });
});
