import assert from "node:assert/strict";
import { reasonOf } from "./problems.ts";

const gone = (dir: string, file: string) =>
  `original of ${file}: ${dir}/${file} is gone from ${dir}; it was moved or deleted since the folder was listed.`;

Deno.test("one reason is one group, whatever spaces and dashes the paths and names hold", () => {
  const cases = [
    { id: "a1", filename: "IMG_0001.JPG", dir: "/Users/me/Pictures/2024" },
    { id: "b2", filename: "IMG 0002 copy.JPG", dir: "/Users/me/My Photos/Trip - Rome" },
    { id: "c3", filename: "holiday-pic.jpeg", dir: "/Volumes/Card A/DCIM/100-APPLE" },
  ];
  const reasons = new Set(cases.map((c) => reasonOf(gone(c.dir, c.filename), c)));
  assert.deepEqual([...reasons], [
    "original of <file>: <path> is gone from <path>; it was moved or deleted since the folder was listed.",
  ]);
});

Deno.test("paths are masked without swallowing the words between them; numbers and URLs stay", () => {
  const asset = { id: "x", filename: "none" };
  assert.equal(
    reasonOf("copy of /tmp/a b/IMG 1.MOV to /dest/2024/05/01/IMG 1.MOV does not match", asset),
    "copy of <path> to <path> does not match",
  );
  assert.equal(
    reasonOf("uploading (413: too large) to http://nas:2283/api/assets", asset),
    "uploading (413: too large) to http://nas:2283/api/assets",
  );
  assert.equal(
    reasonOf("the original of 8F3C1D2E-1111-2222-3333-444455556666/L0/001 is", asset),
    "the original of <id> is",
  );
});
