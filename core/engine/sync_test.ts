import assert from "node:assert/strict";
import { syncAssets } from "./sync.ts";
import { fakeDestination, fakeSource, harness } from "./_testing.ts";
import { query } from "../tracker/_testing.ts";

Deno.test("sync pushes changed favorite, hidden and capture date once, and only what changed", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 3);
    src.assets[0].captured = { utc: "2024-01-01T10:00:00.000Z", offsetSeconds: 3600 };
    const dst = fakeDestination();
    await syncAssets(base({ source: src.session, destination: dst.session }));
    assert.equal(dst.updates.length, 0, "a first sync only imports");

    src.assets[0].favorite = true;
    src.assets[0].captured = { utc: "2024-01-01T09:00:00.000Z", offsetSeconds: 0 };
    src.assets[2].hidden = true;
    const s = await syncAssets(
      base({ source: src.session, destination: dst.session, policy: { hidden: "locked" } }),
    );
    assert.equal(s.updated, 2);
    assert.deepEqual(
      dst.updates.map((u) => u.changes).sort((a, b) => Number("hidden" in b) - Number("hidden" in a)),
      [
        { hidden: true, visibility: "locked" }, // newly hidden: shown as the run's policy says
        { favorite: true, captured: { utc: "2024-01-01T09:00:00.000Z", offsetSeconds: 0 } },
      ],
    );
    const again = await syncAssets(base({ source: src.session, destination: dst.session }));
    assert.equal(again.updated, 0, "what was pushed is remembered");
  });
});

Deno.test("sync in dry run reports the changes and pushes nothing", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 3);
    const dst = fakeDestination();
    await syncAssets(base({ source: src.session, destination: dst.session }));
    src.assets[0].favorite = true;
    src.assets.pop();
    const s = await syncAssets(
      base({
        source: src.session,
        destination: dst.session,
        dryRun: true,
        propagateDeletions: true,
        maxDeleteShare: 1,
      }),
    );
    assert.deepEqual([s.updated, s.gone, s.removed], [1, 1, 1]);
    assert.deepEqual([dst.updates.length, dst.trash.size], [0, 0]);
    const real = await syncAssets(base({ source: src.session, destination: dst.session }));
    assert.equal(real.gone, 1, "the dry run marked nothing gone");
  });
});

Deno.test("assets gone from the source are marked gone and kept, unless deletions are propagated", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 40);
    const dst = fakeDestination();
    await syncAssets(base({ source: src.session, destination: dst.session }));
    src.assets.splice(0, 1);
    src.assets[0].trashed = true; // in Recently Deleted: on its way out
    const kept = await syncAssets(base({ source: src.session, destination: dst.session }));
    assert.equal(kept.gone, 2);
    assert.equal(dst.trash.size, 0);
    assert.equal(
      query<{ n: number }>(tracker, "SELECT COUNT(*) AS n FROM assets WHERE gone_at IS NOT NULL")[0].n,
      2,
    );

    const removed = await syncAssets(
      base({ source: src.session, destination: dst.session, propagateDeletions: true }),
    );
    assert.deepEqual([removed.gone, removed.removed, removed.refused], [0, 2, undefined]);
    assert.equal(dst.trash.size, 2);
    const twice = await syncAssets(
      base({ source: src.session, destination: dst.session, propagateDeletions: true }),
    );
    assert.equal(twice.removed, 0, "an asset is moved to the trash once");
  });
});

Deno.test("propagating deletions refuses above the allowed share, and an empty listing marks nothing", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 10);
    const dst = fakeDestination();
    await syncAssets(base({ source: src.session, destination: dst.session }));
    const all = src.assets.splice(0);
    const empty = await syncAssets(
      base({ source: src.session, destination: dst.session, propagateDeletions: true }),
    );
    assert.match(empty.refused!, /listed no assets while the tracker knows 10; nothing was marked gone/);
    assert.deepEqual([empty.gone, dst.trash.size], [0, 0]);

    src.assets.push(...all.slice(3));
    const many = await syncAssets(
      base({ source: src.session, destination: dst.session, propagateDeletions: true }),
    );
    assert.match(
      many.refused!,
      /3 of 10 assets would be moved.*more than the allowed 5%.*--max-delete-share 0.3/,
    );
    assert.equal(dst.trash.size, 0);
  });
});

Deno.test("sync stopped while it pushes metadata starts no further update and marks nothing gone", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 5);
    const dst = fakeDestination();
    await syncAssets(base({ source: src.session, destination: dst.session }));
    for (const a of src.assets) a.favorite = true;
    src.assets.pop();
    const stop = new AbortController();
    const update = dst.session.update!;
    dst.session.update = (remoteId, changes) => {
      stop.abort(new Error("stopped")); // the signal arrives during the first update
      return update(remoteId, changes);
    };
    const s = await syncAssets(base({ source: src.session, destination: dst.session, signal: stop.signal }));
    assert.equal(dst.updates.length, 1, "the update in flight ends; no other starts");
    assert.equal(s.updated, 1);
    assert.equal(s.gone, 0);
    assert.deepEqual(query(tracker, "SELECT asset_id FROM assets WHERE gone_at IS NOT NULL"), []);
  });
});
