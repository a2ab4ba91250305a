import assert from "node:assert/strict";
import type { Asset, Resource } from "./asset.ts";
import { type Plan, PlanBuilder } from "./plan.ts";
import type { PlanPolicy } from "./policy.ts";

const res = (role: Resource["role"], filename: string, present = true): Resource => ({
  role,
  filename,
  path: `/lib/${filename}`,
  present,
});

function asset(resources: Resource[], extra: Partial<Asset> = {}): Asset {
  return {
    id: "A1",
    kind: "photo",
    filename: "IMG_1.HEIC",
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: true,
    referenced: false,
    subtypes: [],
    resources,
    ...extra,
  };
}

/** An edited Live Photo planned the way the handlers plan it. */
function editedLive(policy: Partial<PlanPolicy> = {}): Plan {
  const a = asset([
    res("original", "IMG_1.HEIC"),
    res("motion", "IMG_1.MOV"),
    res("edited", "IMG_1_edited.HEIC"),
    res("edited_motion", "IMG_1_edited.MOV"),
    res("adjustment", "IMG_1.AAE"),
  ]);
  const b = new PlanBuilder(a, { policy });
  b.add("motion", a.resources[1], { hidden: true }).relate("motion_of", "motion", "original");
  b.add("edited", a.resources[2]).relate("render_of", "edited", "original");
  b.add("edited_motion", a.resources[3], { hidden: true }).relate("motion_of", "edited_motion", "edited");
  b.add("adjustment", a.resources[4], { hidden: true }).relate("sidecar_of", "adjustment", "original");
  return b.build();
}

const shape = (p: Plan) => ({
  keys: p.resources.map((r) => r.key),
  relations: p.relations.map((r) => `${r.from} ${r.type} ${r.to}`),
  primary: p.primary,
});

Deno.test("edit policy both (the default): both versions travel, the original stacked under the edit", () => {
  assert.deepEqual(shape(editedLive()), {
    keys: ["original", "motion", "edited", "edited_motion", "adjustment"],
    relations: [
      "motion motion_of original",
      "edited render_of original",
      "edited_motion motion_of edited",
      "adjustment sidecar_of original",
      "original stack edited",
    ],
    primary: "edited",
  });
});

Deno.test("edit policy originals: the edited pair stays behind, the edit data travels with the original", () => {
  assert.deepEqual(shape(editedLive({ edited: "originals" })), {
    keys: ["original", "motion", "adjustment"],
    relations: ["motion motion_of original", "adjustment sidecar_of original"],
    primary: "original",
  });
});

Deno.test("edit policy edited: only the edited pair travels, with the render as the asset", () => {
  assert.deepEqual(shape(editedLive({ edited: "edited" })), {
    keys: ["edited", "edited_motion"],
    relations: ["edited_motion motion_of edited"],
    primary: "edited",
  });
});

Deno.test("edit policy edited keeps the original when there is no render to send instead", () => {
  const a = asset([res("original", "IMG_1.MOV"), res("adjustment", "IMG_1.AAE")]);
  const b = new PlanBuilder(a, { policy: { edited: "edited" } });
  b.add("adjustment", a.resources[1]).relate("sidecar_of", "adjustment", "original");
  assert.deepEqual(shape(b.build()).keys, ["original", "adjustment"]);
});

Deno.test("every stack points at the final primary, whichever handler stacked first", () => {
  const a = asset([res("original", "IMG_1.JPG"), res("raw", "IMG_1.CR2"), res("edited", "IMG_1_edited.JPG")]);
  const b = new PlanBuilder(a);
  b.add("raw", a.resources[1]).relate("stack", "original", "raw").setPrimary("raw");
  b.add("edited", a.resources[2]).relate("render_of", "edited", "original");
  assert.deepEqual(shape(b.build()), {
    keys: ["original", "raw", "edited"],
    relations: ["edited render_of original", "original stack edited", "raw stack edited"],
    primary: "edited",
  });
  const originals = new PlanBuilder(a, { policy: { edited: "originals" } });
  originals.add("raw", a.resources[1]).relate("stack", "original", "raw").setPrimary("raw");
  originals.add("edited", a.resources[2]).relate("render_of", "edited", "original");
  assert.deepEqual(shape(originals.build()).relations, ["original stack raw"]);
  assert.equal(originals.build().primary, "raw");
});

Deno.test("names stay unique in a plan, ignoring case, so no file overwrites another", () => {
  const a = asset([res("original", "IMG_1.HEIC"), res("adjustment", "a.aae"), res("sidecar", "b.aae")]);
  const b = new PlanBuilder(a);
  b.add("adjustment", a.resources[1], { name: "IMG_1.AAE" });
  b.add("sidecar", a.resources[2], { name: "img_1.aae" });
  b.add("again", a.resources[2], { name: "IMG_1.aae" });
  b.add("adjustment", a.resources[2], { name: "ignored.AAE" });
  assert.deepEqual(b.build().resources.map((r) => r.name), [
    "IMG_1.HEIC",
    "IMG_1.AAE",
    "img_1_2.aae",
    "IMG_1_3.aae",
  ]);
});

Deno.test("a hidden asset carries the run's hidden visibility; a shown one carries none", () => {
  const hidden = asset([res("original", "x.jpg")], { hidden: true });
  assert.equal(new PlanBuilder(hidden).build().visibility, "archive");
  assert.equal(new PlanBuilder(hidden, { policy: { hidden: "locked" } }).build().visibility, "locked");
  assert.equal(new PlanBuilder(asset([res("original", "x.jpg")])).build().visibility, undefined);
});

Deno.test("the policy is readable by handlers and unset fields keep their defaults", () => {
  const b = new PlanBuilder(asset([res("original", "x.jpg")]), {
    policy: { bursts: "all", edited: undefined },
  });
  assert.deepEqual({ ...b.policy }, {
    edited: "both",
    bursts: "all",
    hidden: "archive",
    sharedLibrary: "tag",
  });
  assert.throws(() => (b.policy as PlanPolicy).bursts = "picked");
});

Deno.test("skip and stack group keep the first decision; build leaves the builder as it was", () => {
  const a = asset([res("original", "x.jpg"), res("edited", "x_edited.jpg")]);
  const b = new PlanBuilder(a, { policy: { edited: "edited" } });
  b.skip("first").skip("second").stackGroup("burst:1", { primary: true }).stackGroup("burst:2", {
    primary: false,
  });
  b.add("edited", a.resources[1]).relate("render_of", "edited", "original");
  const once = b.build();
  assert.deepEqual([once.skip, once.stackGroup], ["first", { id: "burst:1", primary: true }]);
  assert.deepEqual(once.resources.map((r) => r.key), ["edited"]);
  assert.ok(b.has("original"), "the policy applies to the snapshot, not to the builder");
  assert.deepEqual(b.build(), once, "build is repeatable");
});
