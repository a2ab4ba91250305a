import assert from "node:assert/strict";
import { type Asset, needsDownload } from "../../../core/model/asset.ts";
import { type Plan, PlanBuilder } from "../../../core/model/plan.ts";
import type { PlanPolicy } from "../../../core/model/policy.ts";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { mediaTypes, others, withResources } from "../_test_assets.ts";
import livePhoto from "./mod.ts";

function plan(asset: Asset, policy: Partial<PlanPolicy> = {}): Plan {
  const b = new PlanBuilder(asset, { policy });
  livePhoto.plan(asset, b);
  return b.build();
}

const files = (p: Plan) => p.resources.map((r) => [r.key, r.name, r.hidden]);
const links = (p: Plan) => p.relations.map((r) => `${r.from} ${r.type} ${r.to}`);

Deno.test("handler.live_photo passes the handler conformance suite", (t) =>
  handlerSuite(t, livePhoto, {
    assets: [
      mediaTypes.IMG_4580,
      mediaTypes.IMG_3582,
      mediaTypes.IMG_4394,
      mediaTypes.IMG_4076,
      mediaTypes.IMG_4347,
      others.IMG_0728,
      mediaTypes.IMG_0102,
    ],
  }));

Deno.test("a Live Photo plans its motion video hidden, named after the still, linked to it", () => {
  const p = plan(mediaTypes.IMG_4580);
  assert.deepEqual(files(p), [
    ["original", "IMG_4580.HEIC", false],
    ["motion", "IMG_4580.MOV", true],
  ]);
  assert.deepEqual(links(p), ["motion motion_of original"]);
  assert.deepEqual([p.tags, p.incomplete], [["live"], []]);
  assert.equal(livePhoto.applies(mediaTypes.IMG_0102), false);
});

Deno.test("a Live Photo whose motion video is missing imports as a still, marked incomplete", () => {
  // IMG_4076 (the spatial photo): its _3.mov is absent from the library.
  const p = plan(mediaTypes.IMG_4076);
  assert.deepEqual(files(p), [["original", "IMG_4076.HEIC", false]]);
  assert.deepEqual(p.incomplete, ["motion video missing"]);
  const noRow = withResources(mediaTypes.IMG_4076, [mediaTypes.IMG_4076.resources[0]]);
  assert.deepEqual(plan(noRow).incomplete, ["motion video missing"], "no motion resource at all");
});

Deno.test("an edited Live Photo carries the original pair and the edited pair, each linked", () => {
  const p = plan(mediaTypes.IMG_4394);
  assert.deepEqual(files(p), [
    ["original", "IMG_4394.HEIC", false],
    ["motion", "IMG_4394.MOV", true],
    ["edited", "IMG_4394_edited.HEIC", false],
    ["edited_motion", "IMG_4394_edited.MOV", true],
    ["adjustment", "IMG_4394.AAE", true],
  ]);
  assert.deepEqual(links(p), [
    "motion motion_of original",
    "edited render_of original",
    "edited_motion motion_of edited",
    "adjustment sidecar_of original",
    "original stack edited",
  ]);
  assert.equal(p.primary, "edited");
  // A JPEG Live Photo from an iCloud library names its pair in the still's letter case.
  assert.deepEqual(plan(others.IMG_0728).resources.map((r) => r.name), [
    "IMG_0728.JPG",
    "IMG_0728.MOV",
    "IMG_0728_edited.JPG",
    "IMG_0728_edited.MOV",
    "IMG_0728.AAE",
  ]);
});

Deno.test("the edit policy picks the pair: originals sends the original pair, edited the edited pair", () => {
  const originals = plan(mediaTypes.IMG_4394, { edited: "originals" });
  assert.deepEqual(files(originals).map(([k]) => k), ["original", "motion", "adjustment"]);
  assert.deepEqual(links(originals), ["motion motion_of original", "adjustment sidecar_of original"]);
  const edited = plan(mediaTypes.IMG_4394, { edited: "edited" });
  assert.deepEqual(files(edited).map(([k]) => k), ["edited", "edited_motion"]);
  assert.deepEqual(links(edited), ["edited_motion motion_of edited"]);
  assert.equal(edited.primary, "edited");
});

Deno.test("an edited pair whose render is missing leaves the edited motion video out too", () => {
  const [original, motion, render, editedMotion] = mediaTypes.IMG_4394.resources;
  const p = plan(
    withResources(mediaTypes.IMG_4394, [original, motion, { ...render, present: false }, editedMotion]),
  );
  assert.deepEqual(files(p).map(([k]) => k), ["original", "motion"]);
  assert.deepEqual(p.incomplete, ["edited version missing"]);
  assert.equal(p.primary, "original");
});

Deno.test("a motion video kept only in iCloud is planned, for the engine to download with --include-cloud", () => {
  const [still, motion] = mediaTypes.IMG_4580.resources;
  const inCloud = withResources(mediaTypes.IMG_4580, [still, { ...motion, present: false }], {
    cloud: { synced: true, originalLocal: true },
  });
  const p = plan(inCloud);
  assert.deepEqual(files(p).map(([k]) => k), ["original", "motion"]);
  assert.deepEqual(p.incomplete, []);
  assert.equal(needsDownload(inCloud), true, "so the engine routes it through the iCloud lane");
});
