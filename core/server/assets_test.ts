import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { assetFixture } from "../plugin/testing/mod.ts";
import { ColdStore } from "../tracker/cold_state.ts";
import { Tracker } from "../tracker/mod.ts";
import { createApp } from "./app.ts";

const DEST = "immich:http://nas";
const ids = { source: "photos", target: "glacier:bucket/photos-sync" };

/** Five assets imported at DEST (A3 a video), A3 kept cold; the app reads through a read-only tracker. */
async function withApp(fn: (request: (path: string) => Promise<Response>) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "photos-sync-assets-" });
  try {
    const writer = Tracker.open(join(home, "tracker.db"));
    const db = new DatabaseSync(join(home, "tracker.db"));
    for (let i = 1; i <= 5; i++) {
      db.prepare(
        `INSERT INTO assets (source, asset_id, filename, media_kind, first_seen_at, last_seen_at)
         VALUES ('photos', ?, ?, ?, '2026-01-01', '2026-01-01')`,
      ).run(`A${i}`, `IMG_${i}`, i === 3 ? "video" : "photo");
      db.prepare(
        `INSERT INTO transfers (source, asset_id, destination, status, size) VALUES ('photos', ?, ?, 'imported', 10)`,
      ).run(`A${i}`, DEST);
    }
    db.close();
    const cold = new ColdStore(writer);
    const file = { key: "original", remoteId: "r", objectKey: "o", storageClass: "DEEP_ARCHIVE" };
    cold.recordFile(ids, "A3", { ...file, size: 10, storedBytes: 58, sha1: "a".repeat(40) });
    cold.recordVerified(ids, "A3", [{ key: "original", storageClass: "DEEP_ARCHIVE" }]);
    cold.recordStored(ids, "A3", { destination: DEST, bytes: 10, asset: assetFixture({ id: "A3" }) });
    cold.markRemovedFromDestination(ids, ["A3"]);
    writer.close();
    const tracker = Tracker.open(join(home, "tracker.db"), { readOnly: true });
    try {
      const app = createApp({ tracker, home });
      await fn((path) => Promise.resolve(app.request(path, { headers: { host: "localhost" } })));
    } finally {
      tracker.close();
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("/api/assets pages through every asset's tiers with the cursor it hands out", async () => {
  await withApp(async (request) => {
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const res = await request(`/api/assets?limit=2${next ? `&after=${encodeURIComponent(next)}` : ""}`);
      assert.equal(res.status, 200);
      const page = await res.json();
      seen.push(...page.assets.map((a: { assetId: string }) => a.assetId));
      next = page.next;
      pages++;
    } while (next);
    assert.deepEqual(seen, ["A1", "A2", "A3", "A4", "A5"]);
    assert.equal(pages, 3);
  });
});

Deno.test("/api/assets takes archive --query's expressions and says what is wrong with a request", async () => {
  await withApp(async (request) => {
    const res = await request(`/api/assets?query=${encodeURIComponent("kind = video")}`);
    const { assets, next } = await res.json();
    assert.equal(next, null);
    assert.equal(assets.length, 1);
    const [a3] = assets;
    assert.deepEqual([a3.assetId, a3.inPhotos, a3.atDestination], ["A3", true, false]);
    assert.deepEqual([a3.cold[0].target, a3.cold[0].storageClasses], [ids.target, ["DEEP_ARCHIVE"]]);
    assert.ok(a3.cold[0].verifiedAt);

    for (
      const [path, message] of [
        ["/api/assets?query=kind%20%3D", /--query/],
        ["/api/assets?limit=0", /limit must be/],
        ["/api/assets?limit=5000", /limit must be/],
        ["/api/assets?after=A2", /after must be/],
        [`/api/assets?after=${encodeURIComponent('["a",1,"b"]')}`, /after must be/],
      ] as const
    ) {
      const bad = await request(path);
      assert.equal(bad.status, 400, path);
      assert.match((await bad.json()).error, message);
    }
  });
});
