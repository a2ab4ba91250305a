import assert from "node:assert/strict";
import { extname as nodeExtname } from "node:path";
import { extname } from "./_resources.ts";

Deno.test("extname() finds a file's extension as node:path's does", () => {
  const cases = [
    "IMG_3582.HEIC",
    "IMG_3582.heic.mov",
    "/Users/u/Pictures/Photos Library.photoslibrary/originals/A/IMG_1.JPG",
    "/Users/u/Pictures/no extension",
    "dir.d/file",
    ".hidden",
    "..",
    ".",
    "",
    "name.",
    "..double",
    "archive.tar.gz/",
    "/",
  ];
  for (const path of cases) assert.equal(extname(path), nodeExtname(path), JSON.stringify(path));
});
