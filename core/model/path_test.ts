import assert from "node:assert/strict";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { baseName, dirName, extName, joinPath, relativePath, resolvePath, stemName } from "./path.ts";

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

const ODD_PATHS = [
  "",
  "/",
  "//",
  "///",
  "a",
  "a/",
  "a//",
  "/a",
  "//a",
  "///a",
  "/a/b",
  "/a/b/",
  "/a//b",
  "a//b",
  "a/b//c//",
  ".",
  "..",
  "./",
  "../",
  "/..",
  "a/..",
  ".bashrc",
  "/x/.bashrc",
  "..a",
  "a..",
  "a.",
  "a.b.c",
  "/p/IMG_1.HEIC",
  "/p/IMG 01é.jpeg/",
  "/p.q/r",
  "/p/.hidden.ext",
  "/p/...",
  "/p/..b",
  "a.b/",
  "a.b//",
];

Deno.test("dirName(), baseName(), extName() and stemName() split a path as node:path does", () => {
  for (const path of ODD_PATHS) {
    assert.equal(dirName(path), dirname(path), `dirname ${JSON.stringify(path)}`);
    assert.equal(baseName(path), basename(path), `basename ${JSON.stringify(path)}`);
    assert.equal(extName(path), extname(path), `extname ${JSON.stringify(path)}`);
    assert.equal(stemName(path), basename(path, extname(path)), `stem ${JSON.stringify(path)}`);
  }
});

Deno.test("relativePath() finds the way between two paths like node:path's relative", () => {
  const cases = [
    ["/lib/out", "/lib/out/2024/01/IMG_1.HEIC"],
    ["/lib/out/", "/lib/out"],
    ["/a/b/c", "/a/x/y"],
    ["/a", "/"],
    ["/", "/a/b"],
    ["rel/x", "rel/y/z"],
    ["/a/b", "/a/bc"],
  ];
  for (const [from, to] of cases) {
    assert.equal(relativePath(from, to), relative(from, to), `${from} -> ${to}`);
  }
});
