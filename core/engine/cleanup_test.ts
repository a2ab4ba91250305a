import assert from "node:assert/strict";
import { importAssets } from "./import_run.ts";
import { cleanup } from "./cleanup.ts";
import { fakeDestination, fakeSource, harness } from "./_testing.ts";
import { query } from "../tracker/_testing.ts";

Deno.test("cleanup records assets deleted from the source and at the destination, and the next import skips them", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 30);
    const dst = fakeDestination();
    await importAssets(base({ source: src.session, destination: dst.session }));
    src.assets.splice(0, 1);
    const deletedThere = tracker.primaryRemoteId({ source: "fake", destination: "fake-dest" }, "id-5")!;
    dst.deleted.add(deletedThere);
    dst.trash.add(tracker.primaryRemoteId({ source: "fake", destination: "fake-dest" }, "id-6")!);
    const common = {
      sourceId: "fake",
      source: src.session,
      destinationId: "fake-dest",
      destination: dst.session,
      tracker,
    };

    const dry = await cleanup({ ...common, dryRun: true });
    assert.deepEqual([dry.goneFromSource, dry.goneFromDestination, dry.inDestinationTrash], [["id-0"], [
      "id-5",
    ], ["id-6"]]);
    assert.equal(
      (await importAssets(base({ source: src.session, destination: dst.session }))).skipped.removed,
      0,
    );

    await cleanup({ ...common, dryRun: false });
    const next = await importAssets(base({ source: src.session, destination: dst.session }));
    assert.deepEqual(
      [next.imported, next.skipped.removed],
      [0, 1],
      "what was deleted at the destination is not sent again",
    );
  });
});

Deno.test("cleanup changes nothing when the listing is empty or too much looks deleted", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 10);
    const dst = fakeDestination();
    await importAssets(base({ source: src.session, destination: dst.session }));
    const common = {
      sourceId: "fake",
      source: src.session,
      destinationId: "fake-dest",
      destination: dst.session,
      tracker,
    };
    const saved = src.assets.splice(0);
    assert.match(
      (await cleanup({ ...common, dryRun: false })).refused!,
      /listed no assets while the tracker knows 10/,
    );
    src.assets.push(...saved.slice(2));
    assert.match(
      (await cleanup({ ...common, dryRun: false })).refused!,
      /2 of 10 assets look deleted.*--max-share 0.2/,
    );
    src.assets.unshift(...saved.slice(0, 2));
    for (const a of saved) {
      dst.deleted.add(tracker.primaryRemoteId({ source: "fake", destination: "fake-dest" }, a.id)!);
    }
    assert.match(
      (await cleanup({ ...common, dryRun: false })).refused!,
      /10 of 10 assets look deleted at the destination/,
    );
    assert.equal(
      query<{ n: number }>(tracker, "SELECT COUNT(*) AS n FROM transfers WHERE remote_gone_at IS NOT NULL")[0]
        .n,
      0,
    );
  });
});

Deno.test("a destination that fails to answer aborts the cleanup without recording anything", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 30);
    const dst = fakeDestination();
    await importAssets(base({ source: src.session, destination: dst.session }));
    dst.session.presence = () => Promise.reject(new Error("503 from server"));
    src.assets.pop();
    const common = {
      sourceId: "fake",
      source: src.session,
      destinationId: "fake-dest",
      destination: dst.session,
      tracker,
    };
    await assert.rejects(cleanup({ ...common, dryRun: false }), /503/);
    assert.equal(
      query<{ n: number }>(tracker, "SELECT COUNT(*) AS n FROM assets WHERE gone_at IS NOT NULL")[0].n,
      0,
    );
  });
});

Deno.test("cleanup stopped while it lists records nothing: a partial listing proves nothing gone", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 10);
    const dst = fakeDestination();
    await importAssets(base({ source: src.session, destination: dst.session }));
    const stop = new AbortController();
    const listing = src.session.list;
    src.session.list = async function* () {
      for await (const a of listing.call(src.session)) {
        yield a;
        stop.abort(new Error("stopped")); // the signal arrives after the first asset
      }
    };
    await assert.rejects(
      cleanup({
        sourceId: "fake",
        source: src.session,
        destinationId: "fake-dest",
        destination: dst.session,
        tracker,
        dryRun: false,
        maxShare: 1,
        signal: stop.signal,
      }),
      /stopped/,
    );
    assert.deepEqual(query(tracker, "SELECT asset_id FROM assets WHERE gone_at IS NOT NULL"), []);
  });
});
