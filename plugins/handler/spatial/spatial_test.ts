import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { files, planWith } from "../_plan_test_util.ts";
import { mediaTypes, withResources } from "../_test_assets.ts";
import spatial from "./mod.ts";

/** A spatial (MV-HEVC) video; no library has one, so it is described by hand. */
const spatialVideo = withResources(mediaTypes.IMG_7027, [{
  role: "original",
  filename: "IMG_9001.MOV",
  path: "/lib/originals/9/spatial.mov",
  present: true,
}], { id: "SPATIAL-VIDEO", filename: "IMG_9001.MOV", subtypes: ["spatial"] });

Deno.test("handler.spatial passes the handler conformance suite", (t) =>
  handlerSuite(t, spatial, { assets: [mediaTypes.IMG_4076, spatialVideo, mediaTypes.IMG_4580] }));

Deno.test("spatial photos and videos travel as their original, untouched, tagged spatial", () => {
  for (const asset of [mediaTypes.IMG_4076, spatialVideo]) {
    const p = planWith(spatial, asset);
    assert.deepEqual(files(p), [["original", asset.filename, false]]);
    assert.equal(
      p.resources[0].resource.path,
      asset.resources[0].path,
      "the source's own file, not a conversion",
    );
    assert.deepEqual(p.tags, ["spatial"]);
  }
  assert.equal(spatial.applies(mediaTypes.IMG_4580), false);
});
