import assert from "node:assert/strict";
import { creationOf } from "./_creation.ts";
import { groupOf, LIVE, type Part } from "./_test_groups.ts";

const types = (c: ReturnType<typeof creationOf>) => c.call.resources.map((r) => [r.type, r.filename]);

async function inTemp<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const EDITED_LIVE: Part[] = [
  ...LIVE,
  { key: "edited", role: "edited", name: "IMG_0001_edited.HEIC", relation: "render_of" },
  { key: "adjustment", role: "adjustment", name: "IMG_0001.AAE", relation: "sidecar_of" },
  { key: "adjustment_base", role: "adjustment_base", name: "IMG_0001_base.MOV", relation: "sidecar_of" },
  { key: "sidecar", role: "sidecar", name: "IMG_0001.XMP", relation: "sidecar_of" },
];

Deno.test("an edited Live Photo goes in whole: its edited video paired, its video base, no sidecar", async () => {
  await inTemp(async (dir) => {
    const parts: Part[] = [
      ...EDITED_LIVE,
      {
        key: "edited_motion",
        role: "edited_motion",
        name: "IMG_0001_edited.MOV",
        relation: "motion_of",
        to: "edited",
      },
    ];
    const creation = creationOf(await groupOf(dir, { edited: true }, parts), []);
    assert.deepEqual(types(creation), [
      ["photo", "IMG_0001.HEIC"],
      ["pairedVideo", "IMG_0001.MOV"],
      ["fullSizePhoto", "IMG_0001_edited.HEIC"],
      ["adjustmentData", "IMG_0001.AAE"],
      ["adjustmentBasePairedVideo", "IMG_0001_base.MOV"],
      ["fullSizePairedVideo", "IMG_0001_edited.MOV"],
    ]);
    assert.deepEqual(creation.leftOut, [{ key: "sidecar", why: "Photos keeps no such file with an asset" }]);
  });
});

Deno.test("with the edit policy `edited` the render is the photo, its motion the paired video", async () => {
  await inTemp(async (dir) => {
    const parts: Part[] = [
      ...EDITED_LIVE,
      {
        key: "edited_motion",
        role: "edited_motion",
        name: "IMG_0001_edited.MOV",
        relation: "motion_of",
        to: "edited",
      },
    ];
    const group = await groupOf(dir, { edited: true }, parts, { policy: { edited: "edited" } });
    const creation = creationOf(group, []);
    assert.deepEqual(types(creation), [
      ["photo", "IMG_0001_edited.HEIC"],
      ["pairedVideo", "IMG_0001_edited.MOV"],
    ]);
    assert.deepEqual(creation.leftOut, []);
  });
});

Deno.test("an edited video takes its render as fullSizeVideo; a second adjustment file stays out", async () => {
  await inTemp(async (dir) => {
    const parts: Part[] = [
      { key: "original", role: "original", name: "MOV_0001.MOV" },
      { key: "edited", role: "edited", name: "MOV_0001_edited.MOV", relation: "render_of" },
      { key: "adjustment", role: "adjustment", name: "MOV_0001.AAE", relation: "sidecar_of" },
      { key: "adjustment_2", role: "adjustment", name: "MOV_0001.plist", relation: "sidecar_of" },
    ];
    const creation = creationOf(await groupOf(dir, { kind: "video", edited: true }, parts), []);
    assert.deepEqual(types(creation), [
      ["video", "MOV_0001.MOV"],
      ["fullSizeVideo", "MOV_0001_edited.MOV"],
      ["adjustmentData", "MOV_0001.AAE"],
    ]);
    assert.deepEqual(creation.leftOut, [{
      key: "adjustment_2",
      why: "Photos takes one adjustmentData per asset",
    }]);
  });
});

Deno.test("adjustment data without its render stays out, and so does the base that needs it", async () => {
  await inTemp(async (dir) => {
    const parts: Part[] = [
      { key: "original", role: "original", name: "IMG_0004.HEIC" },
      { key: "adjustment", role: "adjustment", name: "IMG_0004.AAE", relation: "sidecar_of" },
      { key: "adjustment_base", role: "adjustment_base", name: "IMG_0004_base.HEIC", relation: "sidecar_of" },
    ];
    const creation = creationOf(await groupOf(dir, {}, parts), []);
    assert.deepEqual(types(creation), [["photo", "IMG_0004.HEIC"]]);
    assert.deepEqual(creation.leftOut.map((l) => l.key).sort(), ["adjustment", "adjustment_base"]);
  });
});

Deno.test("the fields carry what Photos keeps and nothing it cannot take", async () => {
  await inTemp(async (dir) => {
    const group = await groupOf(dir, {
      captured: { utc: "2024-05-01T12:00:00+02:00", offsetSeconds: 7200 },
      rating: 4,
      people: [{ name: "Ann" }],
    }, LIVE);
    assert.deepEqual(creationOf(group, ["A/L0/040"]).call.fields, {
      favorite: false,
      hidden: false,
      creationDate: "2024-05-01T10:00:00.000Z",
      albums: ["A/L0/040"],
    });
  });
});
