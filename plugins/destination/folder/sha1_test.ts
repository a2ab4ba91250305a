import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { sha1Hex } from "./_sha1.ts";

Deno.test("sha1Hex() is node:crypto's SHA-1 of the UTF-8 text, across block boundaries and characters", () => {
  const texts = ["", "abc", "IMG_0001.HEIC", "é", "写真", "👨‍👩‍👧", "x".repeat(10_000)];
  // 55 and 56 bytes are where the length stops fitting in the last block; 64 is one whole block.
  for (const n of [1, 54, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200]) {
    texts.push("a".repeat(n), `${"ü".repeat(n >> 1)}${n % 2 ? "a" : ""}`);
  }
  for (const text of texts) {
    assert.equal(
      sha1Hex(text),
      createHash("sha1").update(text).digest("hex"),
      JSON.stringify(text.slice(0, 20)),
    );
  }
  assert.equal(sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
});
