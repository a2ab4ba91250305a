/** Immich's asset JSON as an Asset: the recorded answers of a real 1.135.3 server, and edge cases. */
import assert from "node:assert/strict";
import { HAS_SHARED, IMMICH } from "../../../tests/shared_data.ts";
import { assetOf, type ListedAsset, motionOf } from "./_asset.ts";

/** The `GET /api/assets/{id}` answers of transcript 10, by id. */
async function recorded(): Promise<Map<string, ListedAsset>> {
  const path = `${IMMICH}transcripts-v1.135.3/10-download-and-asset-json.json`;
  const entries = JSON.parse(await Deno.readTextFile(path)) as {
    request?: { method: string; path: string };
    response?: { body: ListedAsset };
  }[];
  const answers = entries.filter((e) =>
    e.request?.method === "GET" && /^\/api\/assets\/[^/]+$/.test(e.request.path)
  );
  return new Map(answers.map((e) => [e.response!.body.id, e.response!.body]));
}

const STILL = "50b4f2c6-b8c5-470b-863d-49d7c89b52df";
const VIDEO = "ad5a6c2b-2d6b-4915-a10a-4bfac8101d1e";
const EXIF1 = "00083a8b-8090-4637-ae29-581513d71d6c";

Deno.test({
  name: "a recorded Live Photo still: its facts, and its motion video as a resource with size and checksum",
  ignore: !HAS_SHARED,
  fn: async () => {
    const answers = await recorded();
    const still = answers.get(STILL)!;
    const motion = motionOf(answers.get(VIDEO)!);
    const asset = assetOf(still, { albums: [], keywords: [], motion });
    assert.equal(asset.id, STILL);
    assert.equal(asset.kind, "photo");
    assert.equal(asset.filename, "IMG_3582.HEIC");
    // UTC-5 as Immich wrote the zone; the instant is the EXIF one.
    assert.deepEqual(asset.captured, { utc: "2025-05-26T14:27:06.603Z", offsetSeconds: -5 * 3600 });
    assert.deepEqual(asset.location, { latitude: 34.6647722222222, longitude: -86.4703833333333 });
    // Orientation 6 is a quarter turn: shown as portrait.
    assert.deepEqual([asset.width, asset.height], [4284, 5712]);
    assert.equal(asset.caption, undefined, "a blank description is no caption");
    assert.deepEqual([asset.favorite, asset.hidden, asset.trashed], [false, false, false]);
    assert.deepEqual(asset.subtypes, ["live"]);
    assert.deepEqual(asset.resources, [
      { role: "original", filename: "IMG_3582.HEIC", size: 2020333, present: true },
      { role: "motion", filename: "IMG_3582.mov", size: 2978475, present: true },
    ]);
    assert.deepEqual(asset.sourceData, {
      visibility: "timeline",
      checksum: "ApixBpMOmnM1w0ICLq+jtEFdyBY=",
      motionId: VIDEO,
      motionChecksum: "ap4M6ZvGJRRbm3uHi3tEprcBkj4=",
    });
  },
});

Deno.test({
  name: "a recorded hidden video is a hidden video with its duration; a fixed zone gives its offset",
  ignore: !HAS_SHARED,
  fn: async () => {
    const answers = await recorded();
    const video = assetOf(answers.get(VIDEO)!, { albums: [], keywords: [] });
    assert.equal(video.kind, "video");
    assert.equal(video.hidden, true);
    assert.equal(video.durationSeconds, 1.91);
    assert.deepEqual(video.subtypes, []);
    // America/Chicago: the shown local time less the instant.
    assert.equal(video.captured?.offsetSeconds, -5 * 3600);
    const exif1 = assetOf(answers.get(EXIF1)!, { albums: [], keywords: [] });
    assert.deepEqual(exif1.captured, { utc: "2019-07-04T10:34:56.000Z", offsetSeconds: 7200 });
  },
});

const minimal: ListedAsset = {
  id: "11111111-2222-3333-4444-555555555555",
  ownerId: "u",
  type: "IMAGE",
  originalFileName: "IMG_0001.JPG",
  checksum: "I0mJDuywaCzowcrMU3vun1MSCXM=",
  fileCreatedAt: "2024-01-02T03:04:05.000Z",
  localDateTime: "2024-01-02T03:04:05.000Z",
  updatedAt: "2024-02-01T00:00:00.000Z",
  isFavorite: true,
  isTrashed: false,
  visibility: "archive",
  duration: 2500,
  exifInfo: { description: "On the bridge", rating: 4, fileSizeInByte: null },
  people: [
    {
      id: "p1",
      name: "Maria",
      faces: [{
        id: "f",
        imageWidth: 1000,
        imageHeight: 2000,
        boundingBoxX1: 100,
        boundingBoxY1: 500,
        boundingBoxX2: 300,
        boundingBoxY2: 900,
      }],
    },
    { id: "p2", name: "", faces: [] },
  ],
};

Deno.test("an asset without an EXIF date is dated by the file; caption, rating, people, albums and keywords carry over", () => {
  const album = { id: "a1", title: "Trips / Paris", folders: [] };
  const asset = assetOf(minimal, { albums: [album], keywords: ["Paris"] });
  assert.deepEqual(asset.captured, { utc: "2024-01-02T03:04:05.000Z" });
  assert.equal(asset.caption, "On the bridge");
  assert.equal(asset.rating, 4);
  assert.deepEqual([asset.favorite, asset.hidden], [true, true], "archived counts as hidden");
  assert.deepEqual(asset.people, [{ name: "Maria", face: { x: 0.1, y: 0.25, width: 0.2, height: 0.2 } }]);
  assert.deepEqual(asset.albums, [album]);
  assert.deepEqual(asset.keywords, ["Paris"]);
  assert.equal(asset.durationSeconds, undefined, "a photo has no duration");
  assert.deepEqual(asset.resources, [{
    role: "original",
    filename: "IMG_0001.JPG",
    size: undefined,
    present: true,
  }]);
  assert.equal(assetOf({ ...minimal, type: "VIDEO" }, { albums: [], keywords: [] }).durationSeconds, 2.5);
  const blank = assetOf({ ...minimal, exifInfo: { description: "   " } }, { albums: [], keywords: [] });
  assert.equal(blank.caption, undefined, "a blank description is no caption");
});
