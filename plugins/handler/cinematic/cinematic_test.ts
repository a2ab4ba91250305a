import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { files, links, planWith } from "../_plan_test_util.ts";
import { mediaTypes, withResources } from "../_test_assets.ts";
import cinematic from "./mod.ts";

/** An edited Cinematic clip as PhotoKit describes one: original, AAE, base video and render. */
const editedClip = withResources(mediaTypes.IMG_3932, [
  { ...mediaTypes.IMG_3932.resources[0], present: true },
  mediaTypes.IMG_3932.resources[1],
  { role: "adjustment_base", filename: "IMG_3932_base.MOV", path: "/lib/base.mov", present: true },
  { role: "edited", filename: "FullSizeRender.mov", path: "/lib/render.mov", present: true },
], { edited: true });

Deno.test("handler.cinematic passes the handler conformance suite", (t) =>
  handlerSuite(t, cinematic, { assets: [mediaTypes.IMG_3932, editedClip, mediaTypes.IMG_3539] }));

Deno.test("a Cinematic clip travels as its original with its AAE kept as a sidecar", () => {
  // IMG_3932 in the Media-Types library: the MOV itself is absent, its camera AAE present.
  const p = planWith(cinematic, mediaTypes.IMG_3932);
  assert.deepEqual(files(p), [["original", "IMG_3932.MOV", false], ["adjustment", "IMG_3932.AAE", true]]);
  assert.deepEqual([links(p), p.tags], [["adjustment sidecar_of original"], ["cinematic"]]);
  assert.equal(cinematic.applies(mediaTypes.IMG_3539), false);
});

Deno.test("an edited Cinematic clip adds the base video as a sidecar and the render stacked on top", () => {
  const p = planWith(cinematic, editedClip);
  assert.deepEqual(files(p), [
    ["original", "IMG_3932.MOV", false],
    ["adjustment", "IMG_3932.AAE", true],
    ["adjustment_base", "IMG_3932_base.MOV", true],
    ["edited", "IMG_3932_edited.MOV", false],
  ]);
  assert.deepEqual(links(p), [
    "adjustment sidecar_of original",
    "adjustment_base sidecar_of original",
    "edited render_of original",
    "original stack edited",
  ]);
  assert.equal(p.primary, "edited");
});
