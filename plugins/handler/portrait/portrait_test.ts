import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { files, links, planWith } from "../_plan_test_util.ts";
import { mediaTypes, withResources } from "../_test_assets.ts";
import portrait from "./mod.ts";

Deno.test("handler.portrait passes the handler conformance suite", (t) =>
  handlerSuite(t, portrait, {
    assets: [mediaTypes.IMG_5747, mediaTypes.IMG_3582, mediaTypes.IMG_4076, mediaTypes.IMG_4580],
  }));

Deno.test("a portrait travels as its original (depth inside) with the camera's AAE, tagged portrait", () => {
  const p = planWith(portrait, mediaTypes.IMG_5747);
  assert.deepEqual(files(p), [["original", "IMG_5747.HEIC", false], ["adjustment", "IMG_5747.AAE", true]]);
  assert.deepEqual([p.primary, p.tags], ["original", ["portrait"]]);
  assert.equal(portrait.applies(mediaTypes.IMG_4580), false);
});

Deno.test("a portrait whose effect was rendered differently carries the render, stacked on top", () => {
  const render = {
    role: "edited" as const,
    filename: "IMG_5747_edited.HEIC",
    path: "/lib/resources/renders/E/EA3D27D0_1_201_a.heic",
    present: true,
  };
  const asset = withResources(mediaTypes.IMG_5747, [...mediaTypes.IMG_5747.resources, render], {
    edited: true,
  });
  const p = planWith(portrait, asset);
  assert.deepEqual(files(p).map(([k, n]) => `${k}:${n}`), [
    "original:IMG_5747.HEIC",
    "edited:IMG_5747_edited.HEIC",
    "adjustment:IMG_5747.AAE",
  ]);
  assert.ok(links(p).includes("original stack edited"));
  assert.equal(p.primary, "edited");
});
