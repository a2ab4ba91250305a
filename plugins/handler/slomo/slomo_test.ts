import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { files, links, planWith } from "../_plan_test_util.ts";
import { mediaTypes } from "../_test_assets.ts";
import slomo from "./mod.ts";

const assets = [mediaTypes.IMG_0905];

Deno.test("handler.slomo passes the handler conformance suite", (t) =>
  handlerSuite(t, slomo, { assets: [...assets, mediaTypes.IMG_0102] }));

Deno.test("handler.slomo keeps the original as it is and tags it slomo", () => {
  for (const asset of assets) {
    const p = planWith(slomo, asset);
    assert.deepEqual(p.tags, ["slomo"]);
    assert.deepEqual(p.resources[0].resource, asset.resources[0], "the original is planned untouched");
    assert.equal(p.primary, "original");
  }
  assert.equal(slomo.applies(mediaTypes.IMG_0102), false);
});

Deno.test("a slo-mo's speed ramp, kept by Photos as an adjustment, travels as a sidecar", () => {
  // IMG_0905: the slow section exists only as an adjustment plist (no rendered video).
  const p = planWith(slomo, mediaTypes.IMG_0905);
  assert.deepEqual(files(p), [["original", "IMG_0905.MOV", false], ["adjustment", "IMG_0905.AAE", true]]);
  assert.deepEqual(links(p), ["adjustment sidecar_of original"]);
});
