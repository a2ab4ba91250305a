import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { files, links, planWith } from "../_plan_test_util.ts";
import { mediaTypes, others, withResources } from "../_test_assets.ts";
import timelapse from "./mod.ts";

const assets = [mediaTypes.IMG_3539, others.IMG_0029];

Deno.test("handler.timelapse passes the handler conformance suite", (t) =>
  handlerSuite(t, timelapse, { assets: [...assets, mediaTypes.IMG_0102] }));

Deno.test("handler.timelapse keeps the original as it is and tags it timelapse", () => {
  for (const asset of assets) {
    const p = planWith(timelapse, asset);
    assert.deepEqual(p.tags, ["timelapse"]);
    assert.deepEqual(p.resources[0].resource, asset.resources[0], "the original is planned untouched");
    assert.equal(p.primary, "original");
  }
  assert.equal(timelapse.applies(mediaTypes.IMG_0102), false);
});

Deno.test("a time-lapse's adjustments travel as sidecars of the original", () => {
  const adjusted = withResources(mediaTypes.IMG_3539, [
    ...mediaTypes.IMG_3539.resources,
    { role: "adjustment", filename: "Adjustments.plist", path: "/lib/x.plist", present: true },
  ]);
  const p = planWith(timelapse, adjusted);
  assert.deepEqual(files(p)[1], ["adjustment", "IMG_3539.AAE", true]);
  assert.deepEqual(links(p), ["adjustment sidecar_of original"]);
});
