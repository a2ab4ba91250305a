import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { files, links, planWith } from "../_plan_test_util.ts";
import { mediaTypes, withResources } from "../_test_assets.ts";
import sidecars from "./mod.ts";

Deno.test("handler.sidecars passes the handler conformance suite", (t) =>
  handlerSuite(t, sidecars, {
    assets: [mediaTypes.IMG_5747, mediaTypes.IMG_3932, mediaTypes.IMG_3582, mediaTypes.IMG_0102],
  }));

Deno.test("the camera's capture adjustments travel as a hidden AAE named after the original", () => {
  const p = planWith(sidecars, mediaTypes.IMG_5747);
  assert.deepEqual(files(p), [["original", "IMG_5747.HEIC", false], ["adjustment", "IMG_5747.AAE", true]]);
  assert.deepEqual(links(p), ["adjustment sidecar_of original"]);
  assert.equal(sidecars.applies(mediaTypes.IMG_0102), false);
});

Deno.test("several adjustments, a base and other sidecars each travel under their own name", () => {
  const [original, aae] = mediaTypes.IMG_3582.resources.filter((r) => r.role !== "motion");
  const asset = withResources(mediaTypes.IMG_3582, [
    original,
    aae,
    { role: "adjustment", filename: "Adjustments.plist", path: "/x/Adjustments.plist", present: true },
    { role: "adjustment_base", filename: "base.mov", path: "/x/base.mov", present: true },
    { role: "sidecar", filename: "IMG_3582.xmp", path: "/x/IMG_3582.xmp", present: true },
    { role: "sidecar", filename: "depth.bin", path: "/x/depth.bin", present: false },
  ]);
  const p = planWith(sidecars, asset);
  assert.deepEqual(files(p), [
    ["original", "IMG_3582.HEIC", false],
    ["adjustment", "IMG_3582.AAE", true],
    ["adjustment_2", "IMG_3582_2.AAE", true],
    ["adjustment_base", "IMG_3582_base.MOV", true],
    ["sidecar", "IMG_3582.XMP", true],
  ]);
  assert.ok(links(p).every((l) => l.endsWith("sidecar_of original")));
  assert.deepEqual(p.incomplete, ["sidecar missing"]);
});
