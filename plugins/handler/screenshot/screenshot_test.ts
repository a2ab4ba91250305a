import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { planWith } from "../_plan_test_util.ts";
import { mediaTypes } from "../_test_assets.ts";
import screenshot from "./mod.ts";

const assets = [mediaTypes.IMG_2908];

Deno.test("handler.screenshot passes the handler conformance suite", (t) =>
  handlerSuite(t, screenshot, { assets: [...assets, mediaTypes.IMG_0102] }));

Deno.test("handler.screenshot keeps the original as it is and tags it screenshot", () => {
  for (const asset of assets) {
    const p = planWith(screenshot, asset);
    assert.deepEqual(p.tags, ["screenshot"]);
    assert.deepEqual(p.resources[0].resource, asset.resources[0], "the original is planned untouched");
    assert.equal(p.primary, "original");
  }
  assert.equal(screenshot.applies(mediaTypes.IMG_0102), false);
});
