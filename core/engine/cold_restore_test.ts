import assert from "node:assert/strict";
import { join } from "node:path";
import { assetFixture } from "../plugin/testing/mod.ts";
import type { AssetDestinationSession, ColdObject } from "../plugin/types.ts";
import { ColdStore } from "../tracker/cold_state.ts";
import { Tracker } from "../tracker/mod.ts";
import { restoreCold, type RestoredBundle } from "./cold_restore.ts";

const ids = { source: "photos", target: "b2:bucket/photos-sync" };
async function sha1Of(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const STORED: Uint8Array<ArrayBuffer> = new TextEncoder().encode("the very bytes that were archived");

/** A cold target, readable at once, whose `original` now reads back as `bytes`. */
function target(bytes: Uint8Array): AssetDestinationSession {
  const state: ColdObject = {
    objectKey: "enc",
    storageClass: "STANDARD",
    size: bytes.length,
    storedBytes: bytes.length + 48,
    restore: { state: "readable" },
  };
  return {
    key: ids.target,
    put: () => Promise.reject(new Error("not used")),
    close: () => Promise.resolve(),
    coldState: (remoteIds: string[]) => Promise.resolve(Object.fromEntries(remoteIds.map((r) => [r, state]))),
    fetchCold: (_remoteId: string, path: string) => Deno.writeFile(path, bytes),
  } as unknown as AssetDestinationSession;
}

async function restoredWith(bytes: Uint8Array) {
  const dir = await Deno.makeTempDir();
  const tracker = Tracker.open(join(dir, "tracker.db"));
  try {
    const cold = new ColdStore(tracker);
    const sha1 = await sha1Of(STORED);
    cold.recordFile(ids, "A1", {
      key: "original",
      remoteId: "assets/2024/IMG_1_ab12cd34.HEIC",
      objectKey: "enc",
      storageClass: "STANDARD",
      size: STORED.length,
      storedBytes: STORED.length + 48,
      sha1,
    });
    const asset = assetFixture({ id: "A1", filename: "IMG_1.HEIC" });
    cold.recordStored(ids, "A1", { destination: "immich:x", bytes: STORED.length, asset });
    cold.markRemovedFromDestination(ids, ["A1"]);
    const handed: RestoredBundle[][] = [];
    const summary = await restoreCold({
      ids,
      target: target(bytes),
      assets: [...cold.assets(ids).values()],
      tier: "Bulk",
      days: 7,
      confirm: () => Promise.resolve(true),
      tracker,
      tempRoot: dir,
      dryRun: false,
      bringBack: (bundles) => {
        handed.push(bundles);
        return Promise.resolve(new Map(bundles.map((b) => [b.cold.assetId, "folder:IMG_1.HEIC"])));
      },
    });
    return { summary, handed, coldOnly: cold.coldOnly("photos").map((a) => a.assetId) };
  } finally {
    tracker.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a restored file whose bytes changed (same size) is refused: which asset, what to do, nothing put back", async () => {
  const changed = STORED.slice();
  changed[5] ^= 0x01;
  const { summary, handed, coldOnly } = await restoredWith(changed);
  assert.equal(summary.brought, 0);
  assert.deepEqual(handed.flat(), [], "nothing handed on to be put back");
  assert.deepEqual(summary.refused.map((r) => [r.assetId, r.filename]), [["A1", "IMG_1.HEIC"]]);
  const sha1 = await sha1Of(changed);
  assert.match(summary.refused[0].reason, new RegExp(`its original reads back as SHA-1 ${sha1}`));
  assert.match(summary.refused[0].reason, /nothing was put back.*backup --verify-cold/);
  assert.deepEqual(coldOnly, ["A1"], "still counted cold-only: not taken for brought back");
});

Deno.test("the same bundle, its bytes unchanged, is handed on and no longer cold-only", async () => {
  const { summary, handed, coldOnly } = await restoredWith(STORED);
  assert.deepEqual([summary.brought, summary.refused.length, handed.flat().length], [1, 0, 1]);
  assert.deepEqual(coldOnly, []);
});
