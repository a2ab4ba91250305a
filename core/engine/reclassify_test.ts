import assert from "node:assert/strict";
import type { Asset } from "../model/asset.ts";
import type { Plan, PlanBuilder } from "../model/plan.ts";
import { PermanentError } from "../plugin/errors.ts";
import { PLUGIN_API_VERSION } from "../plugin/types.ts";
import type { HandlerPlugin } from "../plugin/types.ts";
import { importAssets, type ImportOptions } from "./import_run.ts";
import { reclassify } from "./reclassify.ts";
import { fakeDestination, fakeMedia, fakeSource, harness } from "./_testing.ts";

/** Plans a second file for assets tagged "pair"; incomplete when that file is not present. */
const pairHandler: HandlerPlugin = {
  kind: "handler",
  id: "handler.pair",
  apiVersion: PLUGIN_API_VERSION,
  version: "1",
  description: "test",
  options: [],
  order: 1,
  applies: (a) => a.subtypes.includes("live"),
  plan(asset, plan: PlanBuilder) {
    plan.tag("live");
    const motion = asset.resources.find((r) => r.role === "motion");
    if (!motion?.present) plan.incomplete("motion video missing");
    else plan.add("motion", motion, { hidden: true }).relate("motion_of", "motion", "original");
  },
};

Deno.test("reclassify --repair sends an incomplete asset again once its missing part is there, deleting nothing", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 3);
    const live = src.assets[1];
    live.subtypes = ["live"];
    const motionPath = `${dir}/motion.mov`;
    live.resources.push({ role: "motion", filename: "m.mov", path: motionPath, present: false });
    const dst = fakeDestination();
    const opts = base({
      source: src.session,
      destination: dst.session,
      handlers: [{ plugin: pairHandler, options: {} }],
    });
    await importAssets(opts);
    assert.deepEqual(
      tracker.classification({ source: "fake", destination: "fake-dest" }).get(live.id)?.incomplete,
      [
        "motion video missing",
      ],
    );

    const early = await reclassify({ ...opts, repair: true });
    assert.deepEqual(
      [early.repairable, early.stillIncomplete],
      [0, 1],
      "nothing to repair while the video is missing",
    );

    await Deno.writeFile(motionPath, fakeMedia("mov", "motion bytes"));
    live.resources[1].present = true;
    const dry = await reclassify({ ...opts, repair: true, dryRun: true });
    assert.equal(dry.repairable, 1);
    assert.equal(dry.repair?.wouldImport, 1);
    const before = dst.stored.size;
    const fixed = await reclassify({ ...opts, repair: true });
    assert.equal(fixed.repair?.duplicates, 1, "the still was already there");
    assert.equal(dst.stored.size, before + 1, "only the motion video was added");
    assert.deepEqual(
      tracker.remoteIds({ source: "fake", destination: "fake-dest" }, live.id).motion !== undefined,
      true,
    );
    assert.deepEqual(
      tracker.classification({ source: "fake", destination: "fake-dest" }).get(live.id)?.incomplete,
      [],
    );
    assert.equal((await reclassify(opts)).repairable, 0);
  });
});

Deno.test("reclassify records type changes without touching the transfer", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 2);
    const dst = fakeDestination();
    const opts = base({
      source: src.session,
      destination: dst.session,
      handlers: [{ plugin: pairHandler, options: {} }],
    });
    await importAssets(opts);
    src.assets[0].subtypes = ["live"];
    const dry = await reclassify({ ...opts, dryRun: true });
    assert.deepEqual([dry.reclassified, dry.changes], [1, { "+live": 1 }]);
    assert.deepEqual(
      tracker.classification({ source: "fake", destination: "fake-dest" }).get("id-0")?.tags,
      [],
    );
    await reclassify(opts);
    const after = tracker.classification({ source: "fake", destination: "fake-dest" }).get("id-0");
    assert.deepEqual(after?.tags, ["live"]);
    assert.equal(tracker.transfers("fake", "fake-dest").get("id-0")?.status, "imported");
  });
});

/** Plans the AAE of assets tagged "cinematic"; incomplete when it is not present. */
const aaeHandler: HandlerPlugin = {
  ...pairHandler,
  id: "handler.aae",
  order: 2,
  applies: (a) => a.subtypes.includes("cinematic"),
  plan(asset, plan: PlanBuilder) {
    plan.tag("cinematic");
    const aae = asset.resources.find((r) => r.role === "adjustment");
    if (!aae?.present) plan.incomplete("adjustment data missing");
    else plan.add("adjustment", aae, { hidden: true }).relate("sidecar_of", "adjustment", "original");
  },
};

const live = (asset: Asset, plan: Plan) => plan.tags.includes("live") || asset.subtypes.includes("live");
const cinematic = (_asset: Asset, plan: Plan) => plan.tags.includes("cinematic");

/**
 * Three assets imported while a Live Photo's motion video and two Cinematic videos' AAEs were
 * missing, the files then put back: what each order of repairs must finish.
 */
async function withLibraryMissingParts(
  fn: (h: {
    opts: ImportOptions;
    dst: ReturnType<typeof fakeDestination>;
    incomplete: () => Record<string, string[]>;
    sent: (id: string) => string[];
  }) => Promise<void>,
) {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 3);
    const missing = [
      { asset: src.assets[0], role: "motion" as const, subtype: "live" as const },
      { asset: src.assets[1], role: "adjustment" as const, subtype: "cinematic" as const },
      { asset: src.assets[2], role: "adjustment" as const, subtype: "cinematic" as const },
    ];
    for (const { asset, role, subtype } of missing) {
      asset.subtypes = [subtype];
      const path = `${dir}/${asset.id}.${role}`;
      await Deno.writeTextFile(path, `${role} of ${asset.id}`);
      asset.resources.push({ role, filename: `${asset.id}.${role}`, path, present: false });
    }
    const dst = fakeDestination();
    const handlers = [{ plugin: pairHandler, options: {} }, { plugin: aaeHandler, options: {} }];
    const opts = base({ source: src.session, destination: dst.session, handlers });
    const ids = { source: "fake", destination: "fake-dest" };
    await importAssets(opts);
    for (const { asset } of missing) asset.resources[1].present = true;
    await fn({
      opts,
      dst,
      incomplete: () =>
        Object.fromEntries([...tracker.classification(ids)].map(([id, c]) => [id, c.incomplete])),
      sent: (id) => Object.keys(tracker.remoteIds(ids, id)).sort(),
    });
  });
}

const ALL_SENT = { "id-0": ["motion", "original"], "id-1": ["adjustment", "original"] };

Deno.test("reclassify keeps the mark of a file that is back but not sent; reclassify --repair then sends it", async () => {
  await withLibraryMissingParts(async ({ opts, dst, incomplete, sent }) => {
    const found = await reclassify(opts);
    assert.equal(found.repairable, 3, "the files are back: all three can be completed");
    assert.equal(dst.stored.size, 3, "reclassify alone sends nothing");
    assert.deepEqual(incomplete(), {
      "id-0": ["not sent yet: motion"],
      "id-1": ["not sent yet: adjustment"],
      "id-2": ["not sent yet: adjustment"],
    });
    const fixed = await reclassify({ ...opts, repair: true });
    assert.deepEqual([fixed.repairable, fixed.repair?.duplicates, fixed.failed], [3, 3, 0]);
    assert.equal(dst.stored.size, 6, "the motion video and both AAEs were sent");
    assert.deepEqual([sent("id-0"), sent("id-1")], [ALL_SENT["id-0"], ALL_SENT["id-1"]]);
    assert.deepEqual(incomplete(), { "id-0": [], "id-1": [], "id-2": [] });
  });
});

for (const order of [["live", "cinematic"], ["cinematic", "live"]]) {
  Deno.test(`a repair of ${order[0]} assets, then of ${order[1]} assets, finishes both kinds`, async () => {
    await withLibraryMissingParts(async ({ opts, dst, incomplete, sent }) => {
      const first = order[0] === "live" ? live : cinematic;
      const second = order[0] === "live" ? cinematic : live;
      const one = await reclassify({ ...opts, repair: true, repairFilter: first });
      assert.equal(one.repairable, order[0] === "live" ? 1 : 2);
      const other = order[0] === "live" ? "id-1" : "id-0";
      assert.deepEqual(sent(other), ["original"], `the first repair leaves ${other} alone`);
      assert.notDeepEqual(incomplete()[other], [], `and its mark stays`);
      const two = await reclassify({ ...opts, repair: true, repairFilter: second });
      assert.equal(two.repairable, order[0] === "live" ? 2 : 1, "the second repair finds the rest");
      assert.equal(dst.stored.size, 6);
      assert.deepEqual([sent("id-0"), sent("id-1")], [ALL_SENT["id-0"], ALL_SENT["id-1"]]);
      assert.deepEqual(incomplete(), { "id-0": [], "id-1": [], "id-2": [] });
    });
  });
}

Deno.test("reclassify --repair-limit keeps the marks of the assets it did not reach", async () => {
  await withLibraryMissingParts(async ({ opts, dst, incomplete }) => {
    await reclassify({ ...opts, repair: true, repairLimit: 1 });
    assert.equal(dst.stored.size, 4);
    assert.equal(Object.values(incomplete()).filter((r) => r.length > 0).length, 2);
    assert.equal((await reclassify({ ...opts, repair: true })).repair?.duplicates, 2);
    assert.equal(dst.stored.size, 6);
    assert.deepEqual(incomplete(), { "id-0": [], "id-1": [], "id-2": [] });
  });
});

Deno.test("a repair the destination does not confirm keeps the mark", async () => {
  await withLibraryMissingParts(async ({ opts, incomplete, sent }) => {
    const refusing = {
      ...opts.destination,
      put: () => Promise.reject(new PermanentError("the server refused the upload")),
    };
    const failed = await reclassify({ ...opts, destination: refusing, repair: true });
    assert.equal(failed.failed, 3);
    assert.deepEqual(sent("id-0"), ["original"]);
    assert.deepEqual(incomplete()["id-0"], ["not sent yet: motion"]);
    assert.equal((await reclassify(opts)).repairable, 3, "still completable");
  });
});
