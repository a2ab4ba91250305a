import assert from "node:assert/strict";
import type { Asset } from "../model/asset.ts";
import { assetFixture } from "../plugin/testing/fixtures.ts";
import { listingStamp } from "./sync_detect.ts";

const base = (): Asset =>
  assetFixture({
    modified: "2024-01-01T00:00:00.000Z",
    keywords: ["beach"],
    albums: [{ id: "AL1", title: "Trips", folders: [] }],
    resources: [{ role: "original", filename: "IMG_1.JPG", size: 1000, present: true }],
  });

Deno.test("the listing stamp moves with every value the synced fields and files come from, and only with them", () => {
  const stamp = listingStamp(base(), 7)!;
  assert.equal(listingStamp(base(), 7), stamp, "the same listing, the same stamp");
  assert.notEqual(listingStamp(base(), 8), stamp, "another set of fields read");
  const edits: [string, (a: Asset) => void][] = [
    ["modified", (a) => a.modified = "2024-01-02T00:00:00.000Z"],
    ["favorite", (a) => a.favorite = !a.favorite],
    ["hidden", (a) => a.hidden = !a.hidden],
    ["title", (a) => a.title = "a title"],
    ["caption", (a) => a.caption = "a caption"],
    ["location", (a) => a.location = { latitude: 1, longitude: 2 }],
    ["captured", (a) => a.captured = { utc: "2020-01-01T00:00:00.000Z", offsetSeconds: 7200 }],
    ["offset", (a) => a.captured = { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 3600 }],
    ["rating", (a) => a.rating = 3],
    ["keyword renamed", (a) => a.keywords = ["seaside"]],
    ["keywords split otherwise", (a) => a.keywords = ["bea", "ch"]],
    ["an empty caption, not none", (a) => a.caption = ""],
    ["album shared", (a) => a.albums[0].shared = true],
    ["person", (a) => a.people = [{ name: "Katie" }]],
    ["album joined", (a) => a.albums.push({ id: "AL2", title: "More", folders: [] })],
    ["file resized", (a) => a.resources[0].size = 1001],
    ["file gone", (a) => a.resources[0].present = !a.resources[0].present],
    ["new render", (a) => a.resources.push({ role: "edited", filename: "x.jpg", present: true })],
  ];
  const seen = new Set([stamp]);
  for (const [what, edit] of edits) {
    const asset = base();
    edit(asset);
    const moved = listingStamp(asset, 7)!;
    assert.ok(!seen.has(moved), `${what} moves the stamp`);
    seen.add(moved);
  }
  const renamedAlbum = base();
  renamedAlbum.albums[0].title = "Trips 2024"; // renames travel by album, not by asset
  assert.equal(listingStamp(renamedAlbum, 7), stamp);
  assert.equal(listingStamp({ ...base(), modified: undefined }, 7), undefined, "no date: always compared");
});
