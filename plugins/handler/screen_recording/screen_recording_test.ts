import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { planWith } from "../_plan_test_util.ts";
import { mediaTypes, withResources } from "../_test_assets.ts";
import screenRecording from "./mod.ts";

/** No library here has a screen recording (Test-Screen-Recording-12.0.1 is not among the four). */
const recording = withResources(mediaTypes.IMG_7027, [{
  role: "original",
  filename: "ScreenRecording.MOV",
  path: "/lib/originals/R/rec.mov",
  present: true,
}], { filename: "ScreenRecording.MOV", subtypes: ["screen_recording"] });
const assets = [recording];

Deno.test("handler.screen_recording passes the handler conformance suite", (t) =>
  handlerSuite(t, screenRecording, { assets: [...assets, mediaTypes.IMG_0102] }));

Deno.test("handler.screen_recording keeps the original as it is and tags it screen_recording", () => {
  for (const asset of assets) {
    const p = planWith(screenRecording, asset);
    assert.deepEqual(p.tags, ["screen_recording"]);
    assert.deepEqual(p.resources[0].resource, asset.resources[0], "the original is planned untouched");
    assert.equal(p.primary, "original");
  }
  assert.equal(screenRecording.applies(mediaTypes.IMG_0102), false);
});
