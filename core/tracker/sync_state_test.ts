import assert from "node:assert/strict";
import { join } from "node:path";
import { execute } from "./_testing.ts";
import { MIGRATIONS } from "./migrations.ts";
import { Tracker } from "./mod.ts";
import { SyncStore } from "./sync_state.ts";

const ids = { source: "photos", destination: "immich:test" };

async function withTracker(fn: (tracker: Tracker, path: string) => void | Promise<void>) {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "tracker.db");
  try {
    await fn(Tracker.open(path), path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("migration 8 seeds the agreed state from what the one-way sync kept, so nothing is sent again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "tracker.db");
    const old = Tracker.open(path, { migrations: MIGRATIONS.slice(0, 7) });
    const insert =
      `INSERT INTO transfers (source, asset_id, destination, status, imported_at, synced_favorite,
                      synced_hidden, synced_captured_at) VALUES (?, ?, ?, 'imported', '2025-01-01T00:00:00.000Z', ?, ?, ?)`;
    execute(old, insert, "photos", "A1", "immich:test", 1, 0, "2024-05-01T10:00:00.000Z");
    execute(old, insert, "photos", "A2", "immich:test", null, 1, null);
    execute(old, insert, "photos", "A3", "immich:test", null, null, null);
    old.close();
    const tracker = Tracker.open(path);
    try {
      const agreed = new SyncStore(tracker).agreed(ids);
      assert.deepEqual(agreed.get("A1"), {
        favorite: true,
        hidden: false,
        captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: null },
      });
      assert.deepEqual(agreed.get("A2"), { hidden: true });
      assert.equal(agreed.has("A3"), false, "nothing known, nothing agreed");
    } finally {
      tracker.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("migration 13 takes people that earlier imports never sent to Immich out of what is agreed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "tracker.db");
    const old = Tracker.open(path, { migrations: MIGRATIONS.slice(0, 12) });
    const katie = { name: "Katie", face: { x: 0.1, y: 0.2, width: 0.3, height: 0.3 } };
    const rows: [string, string, object][] = [
      ["A1", "immich:test", { favorite: true, people: [katie] }],
      ["A2", "immich:test", { favorite: false, people: [] }],
      ["A3", "folder:/photos", { favorite: true, people: [katie] }],
    ];
    for (const [asset, destination, fields] of rows) {
      execute(
        old,
        `INSERT INTO transfers (source, asset_id, destination, status, imported_at, sync_stamp)
         VALUES ('photos', ?, ?, 'imported', '2025-01-01T00:00:00.000Z', 42)`,
        asset,
        destination,
      );
      execute(
        old,
        `INSERT INTO sync_state (source, asset_id, destination, fields, agreed_at)
         VALUES ('photos', ?, ?, ?, '2025-01-01T00:00:00.000Z')`,
        asset,
        destination,
        JSON.stringify(fields),
      );
    }
    old.close();
    const tracker = Tracker.open(path);
    try {
      const store = new SyncStore(tracker);
      assert.deepEqual(store.agreed(ids).get("A1"), { favorite: true }, "people to be compared again");
      assert.deepEqual(store.agreed(ids).get("A2"), { favorite: false, people: [] });
      assert.deepEqual(store.agreed({ source: "photos", destination: "folder:/photos" }).get("A3"), {
        favorite: true,
        people: [katie],
      });
      const states = tracker.transfers("photos", "immich:test");
      const stamps = Object.fromEntries([...states.keys()].map((id) => [id, states.get(id)!.syncStamp]));
      assert.deepEqual(stamps, { A1: null, A2: 42 }, "the asset with people is compared by the next sync");
    } finally {
      tracker.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("agreed state is replaced per asset; conflicts keep when they were first found", async () => {
  await withTracker((tracker) => {
    const store = new SyncStore(tracker);
    store.recordAgreed(ids, "A1", { favorite: true, caption: "a" });
    store.recordAgreed(ids, "A1", { favorite: false });
    assert.deepEqual(store.agreed(ids).get("A1"), { favorite: false });
    const conflict = { field: "caption" as const, base: "a", photos: "p", remote: "i" };
    store.replaceConflicts(ids, "A1", [conflict], "2025-01-01T00:00:00.000Z");
    store.replaceConflicts(ids, "A1", [{ ...conflict, remote: "i2" }], "2025-02-01T00:00:00.000Z");
    assert.deepEqual(store.conflicts(ids), [{
      assetId: "A1",
      field: "caption",
      base: "a",
      photos: "p",
      remote: "i2",
      foundAt: "2025-01-01T00:00:00.000Z",
    }]);
    assert.equal(store.conflictCount(ids.destination), 1);
    store.replaceConflicts(ids, "A1", []);
    assert.deepEqual(store.conflicts(ids), []);
    tracker.close();
  });
});

Deno.test("pending writes merge per asset, keep a cleared value as null, and clear", async () => {
  await withTracker((tracker) => {
    const store = new SyncStore(tracker);
    store.queueWrite("photos", "A1", { favorite: true, caption: "x" });
    store.queueWrite("photos", "A1", { caption: null, location: { latitude: 1, longitude: 2 } });
    const [write] = store.pendingWrites("photos");
    assert.deepEqual(write.fields, {
      favorite: true,
      caption: null,
      location: { latitude: 1, longitude: 2 },
    });
    store.clearWrite("photos", "A1");
    assert.deepEqual(store.pendingWrites("photos"), []);
    tracker.close();
  });
});

Deno.test("checkpoints are kept per destination and side", async () => {
  await withTracker((tracker) => {
    const store = new SyncStore(tracker);
    assert.equal(store.checkpoint("immich:test", "remote"), undefined);
    store.saveCheckpoint("immich:test", "remote", "2025-01-01T00:00:00Z");
    store.saveCheckpoint("immich:test", "remote", "2025-01-02T00:00:00Z");
    store.saveCheckpoint("immich:test", "photos", "token-1");
    assert.equal(store.checkpoint("immich:test", "remote"), "2025-01-02T00:00:00Z");
    assert.equal(store.checkpoint("immich:test", "photos"), "token-1");
    tracker.close();
  });
});

Deno.test("resolving a conflict rewrites the agreed value so the chosen side reads as the one that changed", async () => {
  await withTracker((tracker) => {
    const store = new SyncStore(tracker);
    store.recordAgreed(ids, "A1", { caption: "base", favorite: false });
    store.replaceConflicts(ids, "A1", [{ field: "caption", base: "base", photos: "p", remote: "i" }]);
    store.replaceConflicts(ids, "A2", [{ field: "favorite", base: false, photos: true, remote: false }]);
    assert.equal(store.resolve(ids, "photos", { assetId: "A1" }), 1);
    assert.deepEqual(store.agreed(ids).get("A1"), { caption: "i", favorite: false });
    assert.deepEqual(store.conflicts(ids).map((c) => c.assetId), ["A2"]);
    assert.deepEqual([...store.resolvedAssets(ids)], ["A1"]);
    assert.equal(store.resolve(ids, "immich"), 1);
    assert.deepEqual(store.agreed(ids).get("A2"), { favorite: true });
    assert.equal(store.conflictCount(ids.destination), 0);
    store.replaceConflicts(ids, "A1", []);
    assert.deepEqual([...store.resolvedAssets(ids)], ["A2"], "a sync that reconciled A1 dropped its row");
    tracker.close();
  });
});
