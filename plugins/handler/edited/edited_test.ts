import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { files, links, planWith } from "../_plan_test_util.ts";
import { mediaTypes, others, withResources } from "../_test_assets.ts";
import edited from "./mod.ts";

Deno.test("handler.edited passes the handler conformance suite", (t) =>
  handlerSuite(t, edited, {
    assets: [others.wedding, mediaTypes.IMG_4394, mediaTypes.IMG_0905, others.IMG_0728, mediaTypes.IMG_0102],
  }));

Deno.test("an edited photo travels as original and render, stacked with the render on top, and its AAE", () => {
  const p = planWith(edited, others.wedding);
  assert.deepEqual(files(p), [
    ["original", "wedding.jpg", false],
    ["edited", "wedding_edited.jpg", false],
    ["adjustment", "wedding.aae", true],
  ]);
  assert.deepEqual(links(p), [
    "edited render_of original",
    "adjustment sidecar_of original",
    "original stack edited",
  ]);
  assert.deepEqual([p.primary, p.tags], ["edited", ["edited"]]);
});

Deno.test("the edit policy decides which version of an edited photo travels", () => {
  assert.deepEqual(files(planWith(edited, others.wedding, { edited: "originals" })).map(([k]) => k), [
    "original",
    "adjustment",
  ]);
  const only = planWith(edited, others.wedding, { edited: "edited" });
  assert.deepEqual([files(only).map(([k]) => k), only.primary, only.relations], [["edited"], "edited", []]);
});

Deno.test("an edit with no render in the library (slo-mo) travels as original plus edit data", () => {
  const p = planWith(edited, mediaTypes.IMG_0905, { edited: "edited" });
  assert.deepEqual(files(p), [["original", "IMG_0905.MOV", false], ["adjustment", "IMG_0905.AAE", true]]);
  assert.deepEqual([p.primary, p.incomplete], ["original", []]);
});

Deno.test("a render the library lists but lacks marks the plan incomplete and the original stays primary", () => {
  const [original, render, plist] = others.wedding.resources;
  const p = planWith(edited, withResources(others.wedding, [original, { ...render, present: false }, plist]));
  assert.deepEqual(files(p).map(([k]) => k), ["original", "adjustment"]);
  assert.deepEqual([p.primary, p.incomplete], ["original", ["edited version missing"]]);
});
