import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { planWith } from "../_plan_test_util.ts";
import { mediaTypes } from "../_test_assets.ts";
import panorama from "./mod.ts";

const assets = [mediaTypes.IMG_2226];

Deno.test("handler.panorama passes the handler conformance suite", (t) =>
  handlerSuite(t, panorama, { assets: [...assets, mediaTypes.IMG_0102] }));

Deno.test("handler.panorama keeps the original as it is and tags it panorama", () => {
  for (const asset of assets) {
    const p = planWith(panorama, asset);
    assert.deepEqual(p.tags, ["panorama"]);
    assert.deepEqual(p.resources[0].resource, asset.resources[0], "the original is planned untouched");
    assert.equal(p.primary, "original");
  }
  assert.equal(panorama.applies(mediaTypes.IMG_0102), false);
});
