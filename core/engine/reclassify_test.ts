import assert from "node:assert/strict";
import { PlanBuilder } from "../model/plan.ts";
import { PLUGIN_API_VERSION } from "../plugin/types.ts";
import type { HandlerPlugin } from "../plugin/types.ts";
import { importAssets } from "./import_run.ts";
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
