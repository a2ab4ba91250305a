import assert from "node:assert/strict";
import { join } from "node:path";
import { assetFixture } from "../plugin/testing/mod.ts";
import { withTracker } from "./_testing.ts";
import { ColdStore } from "./cold_state.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.ts";
import { Tracker } from "./mod.ts";

const ids = { source: "photos", target: "glacier:bucket/photos-sync" };
const asset = assetFixture({ id: "A1", filename: "IMG_1.HEIC", favorite: true });

const file = (key: string, size: number) => ({
  key,
  remoteId: `assets/2024/05/01/IMG_1_${key}.HEIC`,
  objectKey: `photos-sync/enc-${key}`,
  storageClass: "DEEP_ARCHIVE",
  size,
  storedBytes: size + 48,
  sha1: key.padEnd(40, "0"),
});

Deno.test("a file is known as stored at once, and verified only when told; the asset only once whole", async () => {
  await withTracker((tracker) => {
    const cold = new ColdStore(tracker);
    cold.recordFile(ids, "A1", file("original", 1000));
    cold.recordFile(ids, "A1", file("xmp", 200));
    const stored = cold.files(ids, "A1");
    assert.deepEqual([...stored.keys()], ["original", "xmp"]);
    assert.equal(stored.get("original")!.verifiedAt, null);
    assert.deepEqual(stored.get("original")!.restore, { state: "none" });
    assert.equal(cold.assets(ids).size, 0, "not whole until recorded so");

    cold.recordVerified(ids, "A1", [{ key: "original", storageClass: "GLACIER" }]);
    const after = cold.files(ids, "A1");
    assert.ok(after.get("original")!.verifiedAt);
    assert.equal(after.get("original")!.storageClass, "GLACIER", "the class as seen at the check");
    assert.equal(after.get("xmp")!.verifiedAt, null);

    cold.recordStored(ids, "A1", { destination: "immich:x", bytes: 1200, asset });
    assert.deepEqual(cold.totals(), [{
      target: ids.target,
      assets: 1,
      bytes: 1200,
      storedBytes: 1296,
      removedFromDestination: 0,
    }]);
    assert.deepEqual(cold.assets(ids).get("A1")!.asset, asset, "the asset as the bundle was made");
    cold.markRemovedFromDestination(ids, ["A1"]);
    assert.ok(cold.assets(ids).get("A1")!.removedFromDestinationAt);
    assert.equal(cold.totals()[0].removedFromDestination, 1);
    assert.deepEqual(cold.coldOnly("photos").map((a) => [a.assetId, a.target]), [["A1", ids.target]]);
    assert.deepEqual(cold.coldOnly("other library"), []);
    // Another target's files are its own.
    assert.equal(cold.files({ ...ids, target: "b2:other" }, "A1").size, 0);
  });
});

Deno.test("a restore is recorded per file: requested with its tier and expected time, then readable until", async () => {
  await withTracker((tracker) => {
    const cold = new ColdStore(tracker);
    cold.recordFile(ids, "A1", file("original", 1000));
    const asked = {
      tier: "Bulk",
      requestedAt: "2026-01-01T00:00:00.000Z",
      expectedBy: "2026-01-03T00:00:00.000Z",
    };
    cold.recordRestore(ids, "A1", "original", { state: "requested", ...asked });
    assert.deepEqual(cold.files(ids, "A1").get("original")!.restore, { state: "requested", ...asked });
    cold.recordRestore(ids, "A1", "original", { state: "readable", until: "2026-01-10T00:00:00.000Z" });
    assert.deepEqual(cold.files(ids, "A1").get("original")!.restore, {
      state: "readable",
      until: "2026-01-10T00:00:00.000Z",
    });
    cold.recordRestore(ids, "A1", "original", { state: "none" });
    assert.deepEqual(cold.files(ids, "A1").get("original")!.restore, { state: "none" });
  });
});

Deno.test("an asset brought back is no longer counted cold; storing it again counts it again", async () => {
  await withTracker((tracker) => {
    const cold = new ColdStore(tracker);
    cold.recordFile(ids, "A1", file("original", 1000));
    cold.recordStored(ids, "A1", { destination: "immich:x", bytes: 1000, asset });
    cold.markRestored(ids, "A1");
    assert.equal(cold.assets(ids).size, 0);
    assert.deepEqual(cold.totals(), []);
    cold.recordStored(ids, "A1", { destination: "immich:x", bytes: 1000, asset });
    assert.equal(cold.assets(ids).size, 1);
  });
});

Deno.test("migration 12 adds the cold tables to a tracker at version 11 and keeps what it had", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "tracker.db");
    const old = Tracker.open(path, { migrations: MIGRATIONS.slice(0, 11) });
    assert.equal(old.schemaVersion, 11);
    old.close();
    const upgraded = Tracker.open(path);
    assert.equal(upgraded.schemaVersion, SCHEMA_VERSION);
    const cold = new ColdStore(upgraded);
    cold.recordFile(ids, "A1", file("original", 10));
    assert.equal(cold.files(ids, "A1").size, 1);
    upgraded.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
