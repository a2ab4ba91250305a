import assert from "node:assert/strict";
import type { HeldFile } from "../plugin/types.ts";
import { ArchiveStore } from "../tracker/archive_state.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { fakeDestination, fakeSource, harness } from "./_testing.ts";
import { archiveAssets } from "./archive.ts";
import { importAssets } from "./import_run.ts";

/** The fake destination, able to say what it holds: every stored file, as the tracker recorded it. */
function verifying(dst: ReturnType<typeof fakeDestination>, held: Map<string, HeldFile | null>) {
  return {
    ...dst.session,
    verify: (ids: string[]) =>
      Promise.resolve(Object.fromEntries(ids.map((id) => [id, held.get(id) ?? null]))),
  };
}

Deno.test("archive removes from Photos only what it verified in the same run, within the share, once confirmed", async () => {
  await harness(async ({ dir, base, tracker }) => {
    const src = await fakeSource(dir, 4);
    const deleted: string[] = [];
    const source = {
      ...src.session,
      delete: (ids: string[]) => (deleted.push(...ids), Promise.resolve({ deleted: ids, notFound: [] })),
    };
    const dst = fakeDestination();
    await importAssets(base({ source: src.session, destination: dst.session }));
    const ids = { source: "fake", destination: "fake-dest" };
    const held = new Map<string, HeldFile | null>();
    for (const a of src.assets) {
      for (const f of new SyncStore(tracker).resources(ids, a.id)) {
        held.set(f.remoteId, { sha1: f.sha1, trashed: false });
      }
    }
    // The third asset's file is gone from the destination: it must stay in Photos.
    held.set(new SyncStore(tracker).resources(ids, "id-2")[0].remoteId, null);
    const options = {
      sourceId: "fake",
      source,
      destinationId: "fake-dest",
      destination: verifying(dst, held),
      tracker,
      handlers: [],
      dryRun: false,
      select: { ids: new Set(["id-0", "id-1", "id-2"]) },
      removeFromSource: true,
    };
    const refusedShare = await archiveAssets({
      ...options,
      maxShare: 0.25,
      confirm: () => Promise.resolve(true),
    });
    assert.match(refusedShare.removalRefused!, /2 of 4 assets would leave Photos/);
    assert.deepEqual(deleted, []);
    const unconfirmed = await archiveAssets({
      ...options,
      maxShare: 1,
      confirm: () => Promise.resolve(false),
    });
    assert.equal(unconfirmed.removalRefused, "not confirmed; nothing was removed");
    assert.deepEqual(deleted, []);
    const s = await archiveAssets({ ...options, maxShare: 1, confirm: () => Promise.resolve(true) });
    assert.deepEqual([s.archived, s.removed, s.refused.map((r) => r.assetId)], [2, 2, ["id-2"]]);
    assert.deepEqual(deleted.sort(), ["id-0", "id-1"], "never the asset the destination no longer holds");
    const archived = new ArchiveStore(tracker).archived(ids);
    assert.ok(archived.get("id-0")!.removedFromSourceAt);
    assert.equal(archived.has("id-2"), false);
  });
});

Deno.test("archive refuses a destination that cannot say what it holds", async () => {
  await harness(async ({ dir, base, tracker }) => {
    const src = await fakeSource(dir, 1);
    const dst = fakeDestination();
    await importAssets(base({ source: src.session, destination: dst.session }));
    await assert.rejects(
      archiveAssets({
        sourceId: "fake",
        source: src.session,
        destinationId: "fake-dest",
        destination: dst.session,
        tracker,
        handlers: [],
        dryRun: false,
        select: { ids: new Set(["id-0"]) },
        removeFromSource: false,
      }),
      /cannot say what it holds of each file/,
    );
  });
});
