/**
 * All built-in handlers together, on every asset of Test-Media-Types-15.7.2 and the notable ones of
 * the other libraries: which handlers apply, which files travel under which names, how they
 * relate, what is incomplete and what the policy leaves out.
 * Beside `mod.ts`, whose list it tests: inside `plugins/handler/` it made that folder import its parent.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { Asset } from "../core/model/asset.ts";
import type { Plan } from "../core/model/plan.ts";
import { planAsset } from "../core/engine/import_run.ts";
import { Registry } from "../core/plugin/registry.ts";
import { BUILTIN_PLUGINS } from "./mod.ts";
import { HAVE_LIBRARIES, mediaTypes, others } from "./handler/_test_assets.ts";

const handlers = new Registry(BUILTIN_PLUGINS).handlers().map((plugin) => ({ plugin, options: {} }));

interface Expected {
  handlers: string[];
  files: string[];
  relations?: string[];
  primary?: string;
  tags?: string[];
  incomplete?: string[];
  skip?: RegExp;
}

function check(asset: Asset, want: Expected, plan: Plan = planAsset(asset, handlers)) {
  const what = `${asset.filename} (${asset.id})`;
  assert.deepEqual(plan.handlers, want.handlers.map((h) => `handler.${h}`), `${what}: handlers`);
  assert.deepEqual(
    plan.resources.map((r) => `${r.key}:${r.name}${r.hidden ? " (hidden)" : ""}`),
    want.files,
    what,
  );
  assert.deepEqual(plan.relations.map((r) => `${r.from} ${r.type} ${r.to}`), want.relations ?? [], what);
  assert.equal(plan.primary, want.primary ?? "original", `${what}: primary`);
  assert.deepEqual(
    plan.tags,
    want.tags ?? want.handlers.filter((h) => h !== "sidecars").map((h) => h === "live_photo" ? "live" : h),
    `${what}: tags`,
  );
  assert.deepEqual(plan.incomplete, want.incomplete ?? [], `${what}: incomplete`);
  if (want.skip) assert.match(plan.skip ?? "", want.skip, `${what}: skip`);
  else assert.equal(plan.skip, undefined, `${what}: skip`);
}

const burstGroup = "burst:D4E4B3D1-0E45-4987-BE12-76D604E25D2C";

Deno.test("every asset of the Media-Types library gets the plan its media types call for", () => {
  const m = mediaTypes;
  check(m.IMG_3582, {
    handlers: ["live_photo", "portrait", "hdr", "sidecars"],
    files: ["original:IMG_3582.HEIC", "motion:IMG_3582.MOV (hidden)", "adjustment:IMG_3582.AAE (hidden)"],
    relations: ["motion motion_of original", "adjustment sidecar_of original"],
  });
  check(m.IMG_4580, {
    handlers: ["live_photo", "hdr"],
    files: ["original:IMG_4580.HEIC", "motion:IMG_4580.MOV (hidden)"],
    relations: ["motion motion_of original"],
  });
  // Live + Portrait + Spatial + HDR at once, one original, no duplicates; its video is absent.
  check(m.IMG_4076, {
    handlers: ["live_photo", "portrait", "spatial", "hdr"],
    files: ["original:IMG_4076.HEIC"],
    incomplete: ["motion video missing"],
  });
  check(m.IMG_4394, {
    handlers: ["live_photo", "edited", "hdr", "sidecars"],
    tags: ["live", "edited", "hdr"],
    files: [
      "original:IMG_4394.HEIC",
      "motion:IMG_4394.MOV (hidden)",
      "edited:IMG_4394_edited.HEIC",
      "edited_motion:IMG_4394_edited.MOV (hidden)",
      "adjustment:IMG_4394.AAE (hidden)",
    ],
    relations: [
      "motion motion_of original",
      "edited render_of original",
      "edited_motion motion_of edited",
      "adjustment sidecar_of original",
      "original stack edited",
    ],
    primary: "edited",
  });
  check(m.IMG_4347, {
    handlers: ["live_photo"],
    files: ["original:IMG_4347.HEIC"],
    incomplete: ["motion video missing"],
  });
  check(m.IMG_5747, {
    handlers: ["portrait", "hdr", "sidecars"],
    files: ["original:IMG_5747.HEIC", "adjustment:IMG_5747.AAE (hidden)"],
    relations: ["adjustment sidecar_of original"],
  });
  check(m.IMG_3932, {
    handlers: ["cinematic", "hdr", "sidecars"],
    files: ["original:IMG_3932.MOV", "adjustment:IMG_3932.AAE (hidden)"],
    relations: ["adjustment sidecar_of original"],
  });
  check(m.IMG_2226, { handlers: ["panorama"], files: ["original:IMG_2226.HEIC"] });
  check(m.IMG_0905, {
    handlers: ["edited", "slomo", "sidecars"],
    files: ["original:IMG_0905.MOV", "adjustment:IMG_0905.AAE (hidden)"],
    relations: ["adjustment sidecar_of original"],
  });
  check(m.IMG_3539, { handlers: ["timelapse"], files: ["original:IMG_3539.MOV"] });
  check(m.IMG_2908, { handlers: ["screenshot"], files: ["original:IMG_2908.PNG"] });
  for (const frame of [m.IMG_0658, m.IMG_0667, m.IMG_0664, m.IMG_0675]) {
    const plan = planAsset(frame, handlers);
    check(frame, {
      handlers: ["burst"],
      files: [`original:${frame.filename}`],
      skip: frame.burst!.picked ? undefined : /unpicked burst frame/,
    }, plan);
    assert.deepEqual(plan.stackGroup, { id: burstGroup, primary: frame.burst!.key });
  }
  check(m.IMG_1994, {
    handlers: ["raw"],
    tags: ["raw_jpeg"],
    files: ["original:IMG_1994.JPG"],
    incomplete: ["RAW file missing"],
  });
  check(m.IMG_0102, { handlers: [], files: ["original:IMG_0102.HEIC"] });
  check(m.IMG_7027, { handlers: [], files: ["original:IMG_7027.MOV"] });
});

Deno.test("notable assets of the other libraries get their plans too", () => {
  check(others.IMG_0728, {
    handlers: ["live_photo", "edited", "sidecars"],
    tags: ["live", "edited"],
    files: [
      "original:IMG_0728.JPG",
      "motion:IMG_0728.MOV (hidden)",
      "edited:IMG_0728_edited.JPG",
      "edited_motion:IMG_0728_edited.MOV (hidden)",
      "adjustment:IMG_0728.AAE (hidden)",
    ],
    relations: [
      "motion motion_of original",
      "edited render_of original",
      "edited_motion motion_of edited",
      "adjustment sidecar_of original",
      "original stack edited",
    ],
    primary: "edited",
  });
  check(others.IMG_0029, { handlers: ["timelapse"], files: ["original:IMG_0029.MOV"] });
  check(others.IMG_0003, { handlers: ["hdr"], files: ["original:IMG_0003.JPG"] });
  check(others.wedding, {
    handlers: ["edited", "sidecars"],
    tags: ["edited"],
    files: ["original:wedding.jpg", "edited:wedding_edited.jpg", "adjustment:wedding.aae (hidden)"],
    relations: ["edited render_of original", "adjustment sidecar_of original", "original stack edited"],
    primary: "edited",
  });
  check(others.IMG_1997, {
    handlers: ["raw"],
    tags: ["raw_jpeg"],
    files: ["original:IMG_1997.JPG"],
    incomplete: ["RAW file missing"],
  });
  check(others.DSC03584, { handlers: ["raw"], files: ["original:DSC03584.dng"] });
  const hidden = planAsset(others.Pumpkins4, handlers);
  check(others.Pumpkins4, { handlers: [], files: ["original:Pumpkins4.jpg"] }, hidden);
  assert.equal(hidden.visibility, "archive");
  assert.equal(
    planAsset(others.Pumpkins4, handlers, { policy: { hidden: "locked" } }).visibility,
    "locked",
  );
});

Deno.test("the plan does not depend on the order the handlers run in", () => {
  const reversed = [...handlers].reverse();
  for (const asset of [...Object.values(mediaTypes), ...Object.values(others)]) {
    const a = planAsset(asset, handlers);
    const b = planAsset(asset, reversed);
    const norm = (p: Plan) => ({
      files: p.resources.map((r) => `${r.key}:${r.name}:${r.hidden}`).sort(),
      relations: p.relations.map((r) => `${r.from} ${r.type} ${r.to}`).sort(),
      primary: p.primary,
      tags: [...p.tags].sort(),
      incomplete: [...p.incomplete].sort(),
      skip: p.skip,
    });
    assert.deepEqual(norm(b), norm(a), asset.filename);
  }
});

Deno.test("the hand-built assets match the libraries on disk: what they call present is there", {
  ignore: !HAVE_LIBRARIES,
}, () => {
  for (const asset of [...Object.values(mediaTypes), ...Object.values(others)]) {
    for (const r of asset.resources) {
      assert.equal(existsSync(r.path!), r.present, `${asset.filename} ${r.role} ${r.path}`);
    }
  }
});
