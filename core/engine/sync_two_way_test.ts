import assert from "node:assert/strict";
import { join } from "node:path";
import editedHandler from "../../plugins/handler/edited/mod.ts";
import { fieldsOf, type SideFields } from "../model/synced.ts";
import { FatalError, RetryableError } from "../plugin/errors.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import type { AssetChanges, AssetDestinationSession, RemoteAsset } from "../plugin/types.ts";
import { fakeJpeg, fakeSource, harness } from "./_testing.ts";
import { syncAssets } from "./sync.ts";

/**
 * An in-memory destination that keeps metadata and reports what changed since a checkpoint, like
 * Immich: every write bumps a counter, and `changes(n)` names the ids written after n.
 */
function rememberingDestination() {
  const held = new Map<string, { fields: SideFields; trashed: boolean; at: number }>();
  let clock = 0;
  const updates: { remoteId: string; changes: AssetChanges }[] = [];
  const puts: string[][] = [];
  let killAfterUpdate = false;
  const touch = (id: string, fields: SideFields) => {
    const was = held.get(id) ?? { fields: {}, trashed: false, at: 0 };
    held.set(id, { ...was, fields: { ...was.fields, ...fields }, at: ++clock });
  };
  const session: AssetDestinationSession = {
    key: "remembering",
    put(group) {
      puts.push(group.files.map((f) => f.key).sort());
      const { title: _t, people: _p, ...kept } = fieldsOf(group.asset);
      const resources = group.files.map((f) => ({
        key: f.key,
        remoteId: `r-${f.sha1.slice(0, 8)}`,
        duplicate: held.has(`r-${f.sha1.slice(0, 8)}`),
      }));
      for (const r of resources) if (!held.has(r.remoteId)) touch(r.remoteId, kept);
      return Promise.resolve({ resources });
    },
    update(remoteId, changes) {
      updates.push({ remoteId, changes });
      const { visibility: _v, captured, ...rest } = changes;
      touch(
        remoteId,
        {
          ...rest,
          ...(captured
            ? { captured: { utc: captured.utc, offsetSeconds: captured.offsetSeconds ?? null } }
            : {}),
        } as SideFields,
      );
      if (killAfterUpdate) throw new FatalError("killed right after the destination took the change");
      return Promise.resolve();
    },
    read(ids) {
      const out: Record<string, RemoteAsset | null> = {};
      for (const id of ids) {
        const h = held.get(id);
        out[id] = h
          ? { fields: h.fields, trashed: h.trashed, updatedAt: new Date(h.at * 1000).toISOString() }
          : null;
      }
      return Promise.resolve(out);
    },
    changes(checkpoint) {
      const since = Number(checkpoint ?? 0);
      const changed = [...held].filter(([, h]) => h.at > since).map(([id]) => id);
      return Promise.resolve({ changed, checkpoint: String(clock) });
    },
    close: async () => {},
  };
  return {
    session,
    held,
    updates,
    puts,
    /** A change made at the destination by its user. */
    edit: (id: string, fields: SideFields) => touch(id, fields),
    trash: (id: string) => {
      held.set(id, { ...held.get(id)!, trashed: true, at: ++clock });
    },
    killAfterUpdate: (on: boolean) => killAfterUpdate = on,
  };
}

Deno.test("a sync killed between the destination's write and the tracker's record sends nothing twice when it resumes", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 2);
    const dst = rememberingDestination();
    const opts = () => base({ source: src.session, destination: dst.session });
    await syncAssets(opts());
    await syncAssets(opts()); // starts the destination's change feed
    src.assets[0].favorite = true;
    src.assets[0].modified = "2024-02-01T00:00:00.000Z";
    dst.killAfterUpdate(true);
    await assert.rejects(syncAssets(opts()), /killed right after/);
    dst.killAfterUpdate(false);
    assert.equal(dst.updates.length, 1);
    const resumed = await syncAssets(opts());
    assert.equal(dst.updates.length, 1, "the resumed sync read the destination and found the change there");
    assert.deepEqual([resumed.toRemote.assets, resumed.toPhotos.assets, resumed.conflicts], [0, 0, 0]);
    const again = await syncAssets(opts());
    assert.deepEqual([again.toRemote.assets, again.updated], [0, 0]);
  });
});

Deno.test("a change made at the destination is taken, kept waiting for Photos, and never sent back", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 2);
    const dst = rememberingDestination();
    const opts = () => base({ source: src.session, destination: dst.session });
    await syncAssets(opts());
    await syncAssets(opts());
    const [remoteId] = [...dst.held.keys()];
    dst.edit(remoteId, { caption: "written in Immich", favorite: true });
    const s = await syncAssets(opts());
    assert.deepEqual(s.toPhotos.fields, { favorite: 1, caption: 1 });
    assert.equal(s.pending, 1, "the fake source cannot write: the change waits");
    assert.equal(dst.updates.length, 0);
    const again = await syncAssets(opts());
    assert.deepEqual([again.toRemote.assets, again.toPhotos.assets, dst.updates.length], [0, 0, 0]);
  });
});

Deno.test("an asset trashed at the destination is noticed and not sent again", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 2);
    const dst = rememberingDestination();
    const opts = () => base({ source: src.session, destination: dst.session });
    await syncAssets(opts());
    await syncAssets(opts());
    const [remoteId] = [...dst.held.keys()];
    dst.trash(remoteId);
    const s = await syncAssets(opts());
    assert.equal(s.deletedRemotely, 1);
    const puts = dst.puts.length;
    const later = await syncAssets(opts());
    assert.equal(
      dst.puts.length,
      puts,
      "a deletion made at the destination is kept apart from the next push",
    );
    assert.equal(later.import.skipped.removed, 1);
  });
});

Deno.test("a new edit in Photos is put again with its render; the original stays", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 1);
    const dst = rememberingDestination();
    const opts = () =>
      base({
        source: src.session,
        destination: dst.session,
        handlers: [{ plugin: editedHandler, options: {} }],
      });
    await syncAssets(opts());
    assert.deepEqual(dst.puts, [["original"]]);
    const render = join(dir, "render.jpg");
    await Deno.writeFile(render, fakeJpeg("the new render"));
    const asset = src.assets[0];
    asset.edited = true;
    asset.modified = "2024-03-01T00:00:00.000Z";
    asset.resources.push({ role: "edited", filename: "IMG_0.JPG", path: render, present: true });
    const s = await syncAssets(opts());
    assert.deepEqual(dst.puts.at(-1), ["edited", "original"], "the render goes up, the original with it");
    assert.equal(s.import.duplicates + s.import.imported, 1);
    await syncAssets(opts());
    assert.equal(dst.puts.length, 2, "put once, not on every sync");
  });
});

Deno.test("a change waiting for Photos that the source fails to write is counted failed and kept for the next sync", async () => {
  await harness(async ({ dir, base, tracker }) => {
    const src = await fakeSource(dir, 1);
    const dst = rememberingDestination();
    let broken = true;
    const written: string[] = [];
    const source = {
      ...src.session,
      write: (id: string) => {
        if (broken) return Promise.reject(new RetryableError("Photos is busy"));
        written.push(id);
        return Promise.resolve();
      },
    };
    const opts = () =>
      base({ source, destination: dst.session, sourceFields: { read: ["favorite"], write: ["favorite"] } });
    await syncAssets(opts());
    new SyncStore(tracker).queueWrite("fake", "id-0", { favorite: true });
    const failed = await syncAssets(opts());
    assert.equal(failed.updateFailed, 1, "a failed write is not a success");
    assert.equal(new SyncStore(tracker).pendingWrites("fake").length, 1, "and it still waits");
    broken = false;
    const later = await syncAssets(opts());
    assert.deepEqual([later.updateFailed, later.pendingWritten, written], [0, 1, ["id-0"]]);
    assert.equal(new SyncStore(tracker).pendingWrites("fake").length, 0);
  });
});

Deno.test("a sync stamps unchanged assets; a stamped asset changed at the destination still comes over, by the change feed", async () => {
  await harness(async ({ dir, base, tracker }) => {
    const src = await fakeSource(dir, 2);
    const dst = rememberingDestination();
    const opts = () => base({ source: src.session, destination: dst.session });
    await syncAssets(opts());
    assert.equal(
      tracker.transfers("fake", "fake-dest").get("id-0")?.syncStamp,
      null,
      "the import stamps nothing",
    );
    await syncAssets(opts()); // compares every field once, finds nothing changed, stamps
    const stamp = tracker.transfers("fake", "fake-dest").get("id-0")?.syncStamp;
    assert.equal(typeof stamp, "number");
    const remoteId = tracker.primaryRemoteId({ source: "fake", destination: "fake-dest" }, "id-0")!;
    dst.edit(remoteId, { caption: "written in Immich" });
    const s = await syncAssets(opts());
    assert.deepEqual([s.toPhotos.assets, s.toPhotos.fields], [1, { caption: 1 }]);
    assert.equal(s.pending, 1);
    const store = new SyncStore(tracker);
    assert.equal(
      store.agreed({ source: "fake", destination: "fake-dest" }).get("id-0")?.caption,
      "written in Immich",
    );
    assert.equal(
      tracker.transfers("fake", "fake-dest").get("id-0")?.syncStamp,
      null,
      "Photos does not hold the agreed caption yet: the next sync compares the fields again",
    );
  });
});

Deno.test("a stamped asset changed in Photos with its modification date unmoved (a keyword renamed, a caption) is synced", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 1);
    src.assets[0].keywords = ["beach"];
    const dst = rememberingDestination();
    const opts = () => base({ source: src.session, destination: dst.session });
    await syncAssets(opts());
    await syncAssets(opts());
    src.assets[0].keywords = ["seaside"]; // the keyword's own row changed, not the asset's
    const s = await syncAssets(opts());
    assert.deepEqual(s.toRemote.fields, { keywords: 1 });
    assert.deepEqual(dst.updates.at(-1)?.changes, { keywords: ["seaside"] });
    const again = await syncAssets(opts());
    assert.deepEqual([again.toRemote.assets, dst.updates.length], [0, 1]);
    src.assets[0].caption = "at the sea";
    const captioned = await syncAssets(opts());
    assert.deepEqual(captioned.toRemote.fields, { caption: 1 });
  });
});
