import assert from "node:assert/strict";
import { join } from "node:path";
import { importAssets } from "./import_run.ts";
import { checkContents, contentProblem } from "./content_check.ts";
import { fakeDestination, fakeSource, harness } from "./_testing.ts";

const bytes = (...b: number[]) => new Uint8Array(b);
const text = (s: string) => new TextEncoder().encode(s);

Deno.test("contents match their names: magic numbers of the common types pass, unknown types pass", () => {
  const good: [string, Uint8Array][] = [
    ["a.JPG", bytes(0xff, 0xd8, 0xff, 0xe0)],
    ["a.png", bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
    ["a.gif", text("GIF89a")],
    ["a.HEIC", text("\0\0\0\x18ftypheic")],
    ["a.mov", text("\0\0\0\x14ftypqt  ")],
    ["a.mp4", text("\0\0\0\x20ftypisom")],
    ["a.dng", text("II*\0")],
    ["a.tif", text("MM\0*")],
    ["a.webp", text("RIFF\x10\0\0\0WEBPVP8 ")],
    ["a.AAE", text('<?xml version="1.0"?><plist/>')],
    ["a.xmp", text("\uFEFF<x:xmpmeta>")],
    ["a.txt", text("anything")],
    ["no-extension", text("anything")],
  ];
  for (const [name, head] of good) assert.equal(contentProblem(name, head, head.length), undefined, name);
});

Deno.test("an empty file and a text file named .jpg are problems, named, with what the content is", () => {
  assert.equal(contentProblem("IMG_1.JPG", new Uint8Array(), 0), "IMG_1.JPG is empty (0 bytes)");
  assert.equal(contentProblem("x.txt", new Uint8Array(), 0), "x.txt is empty (0 bytes)");
  assert.match(
    contentProblem("IMG_2.jpg", text("hello, I am text"), 16)!,
    /^IMG_2\.jpg does not hold JPEG data, although its name says so \(it starts with "hello, I am "\)/,
  );
  assert.match(contentProblem("clip.MOV", bytes(1, 2, 3, 4, 5, 6, 7, 8, 9), 9)!, /starts with 01 02 03/);
  assert.match(contentProblem("a.AAE", text("binary?"), 7)!, /does not hold XML data/);
});

Deno.test("checkContents rejects with a permanent error that says what to do", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "f");
    await Deno.writeFile(path, new Uint8Array());
    await assert.rejects(
      checkContents("IMG_9.JPG", [{ key: "original", name: "IMG_9.JPG", path, size: 0, sha1: "x" }]),
      (e: Error) => {
        assert.equal((e as { kind?: string }).kind, "permanent");
        assert.match(e.message, /IMG_9\.JPG is empty \(0 bytes\); nothing of IMG_9\.JPG was sent/);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an import records a zero-byte and a text-as-JPEG original as failures; the destination never sees them", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 3);
    await Deno.writeFile(src.assets[0].resources[0].path!, new Uint8Array());
    await Deno.writeTextFile(src.assets[1].resources[0].path!, "just text");
    const dest = fakeDestination();
    const s = await importAssets(base({ source: src.session, destination: dest.session, concurrency: 1 }));
    assert.deepEqual([s.imported, s.failed], [1, 2]);
    assert.equal(dest.stored.size, 1);
  });
});
