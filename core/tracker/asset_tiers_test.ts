import assert from "node:assert/strict";
import { assetFixture } from "../plugin/testing/mod.ts";
import { execute, withTracker } from "./_testing.ts";
import { ArchiveStore } from "./archive_state.ts";
import type { Query } from "./asset_query.ts";
import { assetTierPage, assetTierPages, cursorAfter } from "./asset_tiers.ts";
import { ColdStore } from "./cold_state.ts";
import type { Tracker } from "./mod.ts";

const DEST = "immich:https://nas";
const ids = { source: "photos", target: "glacier:bucket/photos-sync" };

/** An asset seen in the library and imported at DEST with `size` bytes. */
function imported(tracker: Tracker, id: string, kind: "photo" | "video", size: number) {
  execute(
    tracker,
    `INSERT INTO assets (source, asset_id, filename, media_kind, first_seen_at, last_seen_at)
     VALUES ('photos', ?, ?, ?, '2026-01-01', '2026-01-01')`,
    id,
    `IMG_${id}`,
    kind,
  );
  execute(
    tracker,
    `INSERT INTO transfers (source, asset_id, destination, status, size) VALUES ('photos', ?, ?, 'imported', ?)`,
    id,
    DEST,
    size,
  );
}

const file = (key: string) => ({
  key,
  remoteId: `r-${key}`,
  objectKey: `enc-${key}`,
  storageClass: "DEEP_ARCHIVE",
  size: 100,
  storedBytes: 148,
  sha1: key.padEnd(40, "0"),
});

Deno.test("each asset's tiers: in Photos, at the destination, and cold with class, verification and restore", async () => {
  await withTracker((tracker) => {
    imported(tracker, "A1", "photo", 100);
    imported(tracker, "A2", "video", 5000);
    imported(tracker, "A3", "photo", 200);
    const cold = new ColdStore(tracker);
    // A2: archived, removed from Photos, kept cold (two files, both verified), removed from Immich.
    new ArchiveStore(tracker).recordArchived({ source: "photos", destination: DEST }, "A2", {
      verified: { original: "x" },
      bytes: 5000,
    });
    new ArchiveStore(tracker).markRemovedFromSource({ source: "photos", destination: DEST }, ["A2"]);
    cold.recordFile(ids, "A2", file("original"));
    cold.recordFile(ids, "A2", file("xmp"));
    cold.recordVerified(ids, "A2", [{ key: "original", storageClass: "GLACIER" }]);
    // A3: a file stored but the bundle not yet whole: not cold.
    cold.recordFile(ids, "A3", file("original"));

    let [a1, a2, a3] = assetTierPage(tracker, {}, undefined, 10);
    assert.deepEqual([a1.assetId, a1.inPhotos, a1.atDestination, a1.cold], ["A1", true, true, []]);
    assert.deepEqual(a3.cold, [], "a bundle not recorded whole is not a cold tier");
    assert.equal(a2.inPhotos, false);
    assert.equal(a2.cold.length, 0, "not cold before its bundle was recorded whole");

    cold.recordStored(ids, "A2", { destination: DEST, bytes: 5000, asset: assetFixture({ id: "A2" }) });
    [, a2] = assetTierPage(tracker, {}, undefined, 10);
    assert.deepEqual(a2.cold[0].storageClasses, ["DEEP_ARCHIVE", "GLACIER"]);
    assert.equal(a2.cold[0].verifiedAt, null, "one file is not verified yet");
    assert.equal(a2.atDestination, true);

    cold.recordVerified(ids, "A2", [{ key: "xmp", storageClass: "GLACIER" }]);
    cold.markRemovedFromDestination(ids, ["A2"]);
    const asked = { tier: "Bulk", requestedAt: "2026-01-01T00:00:00Z", expectedBy: "2026-01-03T00:00:00Z" };
    cold.recordRestore(ids, "A2", "original", { state: "requested", ...asked });
    cold.recordRestore(ids, "A2", "xmp", { state: "readable", until: "2026-01-09T00:00:00Z" });
    [, a2] = assetTierPage(tracker, {}, undefined, 10);
    assert.equal(a2.atDestination, false, "removed from Immich");
    assert.ok(a2.cold[0].verifiedAt);
    assert.deepEqual(a2.cold[0].storageClasses, ["GLACIER"]);
    assert.deepEqual(a2.cold[0].restore, { state: "requested", ...asked });
    assert.ok(a2.cold[0].removedFromDestinationAt);

    cold.recordRestore(ids, "A2", "original", { state: "readable", until: "2026-01-08T00:00:00Z" });
    [, a2] = assetTierPage(tracker, {}, undefined, 10);
    assert.deepEqual(
      a2.cold[0].restore,
      { state: "readable", until: "2026-01-08T00:00:00Z" },
      "the earliest expiry",
    );

    cold.markRestored(ids, "A2");
    [, a2] = assetTierPage(tracker, {}, undefined, 10);
    assert.deepEqual(a2.cold, [], "brought back: no longer counted cold");
    assert.equal(a2.atDestination, true);
  });
});

Deno.test("the tiers page by key and take archive --query's selection", async () => {
  await withTracker((tracker) => {
    for (let i = 0; i < 25; i++) {
      imported(tracker, `A${String(i).padStart(2, "0")}`, i % 5 ? "photo" : "video", i);
    }
    const pages = [...assetTierPages(tracker, {}, 10)];
    assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
    assert.equal(new Set(pages.flat().map((a) => a.assetId)).size, 25, "no asset twice, none left out");
    const first = assetTierPage(tracker, {}, undefined, 10);
    assert.equal(assetTierPage(tracker, {}, cursorAfter(first), 10)[0].assetId, "A10");

    // `kind = video and filename != IMG_A00`, as archive --query parses it.
    const query: Query = {
      type: "and",
      left: { type: "compare", field: "kind", op: "=", value: "video" },
      right: { type: "compare", field: "filename", op: "!=", value: "IMG_A00" },
    };
    const videos = [...assetTierPages(tracker, { query }, 2)].flat();
    assert.deepEqual(videos.map((a) => a.assetId), ["A05", "A10", "A15", "A20"]);
    assert.deepEqual(assetTierPage(tracker, { destination: "other" }, undefined, 10), []);
    assert.equal(assetTierPage(tracker, { source: "photos", destination: DEST }, undefined, 100).length, 25);
  });
});
