import assert from "node:assert/strict";
import { handlerSuite } from "../../../core/plugin/testing/mod.ts";
import { files, links, planWith } from "../_plan_test_util.ts";
import { mediaTypes, others, withResources } from "../_test_assets.ts";
import raw from "./mod.ts";

const [jpeg, cr2] = mediaTypes.IMG_1994.resources;
/** The IMG_1994 pair with its CR2 on disk (the library's copy lacks it). */
const pair = withResources(mediaTypes.IMG_1994, [jpeg, { ...cr2, present: true }]);
const rawFirst = { ...pair, rawPrimary: true };
const proraw = withResources(others.DSC03584, [{
  ...others.DSC03584.resources[0],
  filename: "IMG_0001.DNG",
  present: true,
}], {
  filename: "IMG_0001.DNG",
  subtypes: ["proraw"],
});

Deno.test("handler.raw passes the handler conformance suite", (t) =>
  handlerSuite(t, raw, {
    assets: [
      mediaTypes.IMG_1994,
      others.IMG_1997,
      others.DSC03584,
      pair,
      rawFirst,
      proraw,
      mediaTypes.IMG_0102,
    ],
  }));

Deno.test("a RAW+JPEG pair travels as two files stacked, the JPEG on top unless Photos shows the RAW", () => {
  const p = planWith(raw, pair);
  assert.deepEqual(files(p), [["original", "IMG_1994.JPG", false], ["raw", "IMG_1994.CR2", false]]);
  assert.deepEqual([links(p), p.primary, p.tags], [["raw stack original"], "original", ["raw_jpeg"]]);
  const r = planWith(raw, rawFirst);
  assert.deepEqual([links(r), r.primary], [["original stack raw"], "raw"]);
});

Deno.test("a pair whose RAW is missing travels as its JPEG, marked incomplete", () => {
  for (const asset of [mediaTypes.IMG_1994, others.IMG_1997]) {
    const p = planWith(raw, asset);
    assert.deepEqual([files(p).map(([k]) => k), p.incomplete], [["original"], ["RAW file missing"]]);
  }
});

Deno.test("ProRAW and standalone RAW travel as the original DNG, tagged", () => {
  const p = planWith(raw, proraw);
  assert.deepEqual([files(p), p.tags, p.incomplete], [[["original", "IMG_0001.DNG", false]], ["proraw"], []]);
  assert.deepEqual(planWith(raw, others.DSC03584).tags, ["raw"]);
  assert.equal(raw.applies(mediaTypes.IMG_0102), false);
});
