import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { planWith } from "../_plan_test_util.ts";
import { mediaTypes } from "../_test_assets.ts";
import burst from "./mod.ts";

const frames = [mediaTypes.IMG_0658, mediaTypes.IMG_0667, mediaTypes.IMG_0664, mediaTypes.IMG_0675];
const GROUP = "burst:D4E4B3D1-0E45-4987-BE12-76D604E25D2C";

Deno.test("handler.burst passes the handler conformance suite", (t) =>
  handlerSuite(t, burst, { assets: [...frames, mediaTypes.IMG_0102] }));

Deno.test("by default the key and user-picked frames travel, the others are skipped with a reason", () => {
  const plans = frames.map((f) => planWith(burst, f));
  assert.deepEqual(plans.map((p) => [p.skip !== undefined, p.stackGroup]), [
    [false, { id: GROUP, primary: true }],
    [false, { id: GROUP, primary: false }],
    [true, { id: GROUP, primary: false }],
    [true, { id: GROUP, primary: false }],
  ]);
  assert.match(plans[2].skip!, /unpicked burst frame.*--bursts all/);
  assert.ok(plans.every((p) => p.tags.includes("burst")));
  assert.equal(burst.applies(mediaTypes.IMG_0102), false);
});

Deno.test("with --bursts all every frame travels, stacked on the key frame", () => {
  const plans = frames.map((f) => planWith(burst, f, { bursts: "all" }));
  assert.ok(plans.every((p) => p.skip === undefined));
  assert.deepEqual(plans.filter((p) => p.stackGroup?.primary).map((p) => p.assetId), [
    mediaTypes.IMG_0658.id,
  ]);
});
