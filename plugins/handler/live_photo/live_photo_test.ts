import assert from "node:assert/strict";
import type { Asset } from "../../../core/model/asset.ts";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import livePhoto from "./mod.ts";

function live(motionPresent: boolean): Asset {
  return {
    id: "L1",
    kind: "photo",
    filename: "IMG_4580.HEIC",
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: ["live"],
    liveContentId: "4E1A1B89",
    resources: [
      { role: "original", filename: "IMG_4580.HEIC", path: "/lib/L1.heic", present: true },
      { role: "motion", filename: "L1_3.mov", path: "/lib/L1_3.mov", present: motionPresent },
    ],
  };
}

const still: Asset = { ...live(true), id: "S1", subtypes: [], resources: [live(true).resources[0]] };

Deno.test("handler.live_photo passes the handler conformance suite", (t) =>
  handlerSuite(t, livePhoto, { assets: [live(true), live(false), still] }));

Deno.test("a Live Photo plans its motion video hidden, named after the still, linked to it", () => {
  const plan = new PlanBuilder(live(true));
  livePhoto.plan(live(true), plan);
  const p = plan.build();
  assert.deepEqual(p.resources.map((r) => [r.key, r.name, r.hidden]), [
    ["original", "IMG_4580.HEIC", false],
    ["motion", "IMG_4580.MOV", true],
  ]);
  assert.deepEqual(p.relations, [{ type: "motion_of", from: "motion", to: "original" }]);
  assert.deepEqual(p.incomplete, []);
});

Deno.test("a Live Photo whose motion video is missing imports as a still, marked incomplete", () => {
  const plan = new PlanBuilder(live(false));
  livePhoto.plan(live(false), plan);
  const p = plan.build();
  assert.deepEqual(p.resources.map((r) => r.key), ["original"]);
  assert.deepEqual(p.incomplete, ["motion video missing"]);
  assert.equal(livePhoto.applies(still), false);
});
