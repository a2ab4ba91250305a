import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { planWith } from "../_plan_test_util.ts";
import { mediaTypes, others } from "../_test_assets.ts";
import hdr from "./mod.ts";

const assets = [mediaTypes.IMG_5747, mediaTypes.IMG_3932, others.IMG_0003];

Deno.test("handler.hdr passes the handler conformance suite", (t) =>
  handlerSuite(t, hdr, { assets: [...assets, mediaTypes.IMG_0102] }));

Deno.test("handler.hdr keeps the original as it is and tags it hdr", () => {
  for (const asset of assets) {
    const p = planWith(hdr, asset);
    assert.deepEqual(p.tags, ["hdr"]);
    assert.deepEqual(p.resources[0].resource, asset.resources[0], "the original is planned untouched");
    assert.equal(p.primary, "original");
  }
  assert.equal(hdr.applies(mediaTypes.IMG_0102), false);
});
