import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { joinPath, resolvePath } from "./path.ts";

Deno.test("joinPath() joins and folds like node:path's join", () => {
  const cases = [
    ["/home/u", ".env"],
    ["/home/u/", ".env"],
    ["/home//u/", "./.local", "share"],
    ["rel", "../x"],
    ["rel", "../../x/"],
    ["/", "..", "a"],
    ["", ""],
    ["a", ""],
    ["", "/b"],
    ["./", "."],
    ["a/..", "/"],
    ["~/Photos Sync", "Library", "Application Support", "photos-sync"],
  ];
  for (const parts of cases) assert.equal(joinPath(...parts), join(...parts), JSON.stringify(parts));
});

Deno.test("resolvePath() makes a path absolute like node:path's resolve", () => {
  const cases = [
    "Pictures/Photos Library.photoslibrary",
    "/Volumes/Disk/Photos Library.photoslibrary/",
    "./lib",
    ".",
    "",
    "..",
    "../../../../../../../..",
    "a/../../b/./c//",
    "/",
    "//x/../",
    "/a/b/..",
    "~/Pictures",
  ];
  for (const path of cases) assert.equal(resolvePath(path), resolve(path), JSON.stringify(path));
  // Nothing is read from the disk: a path that does not exist resolves all the same.
  assert.equal(resolvePath("/nowhere/at/all/.."), "/nowhere/at");
});
