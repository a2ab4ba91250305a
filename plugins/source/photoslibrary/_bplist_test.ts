import assert from "node:assert/strict";
import { decodeBinaryPlist, encodeBinaryPlist, PlistUid } from "./_bplist.ts";

Deno.test("a binary plist decodes back to what was encoded", () => {
  const value = {
    PLModelVersion: 19320,
    big: 2 ** 40,
    negative: -5,
    real: 0.25,
    yes: true,
    no: false,
    ascii: "SQLite",
    unicode: "Frühstück, Römermuseum ✓",
    long: "x".repeat(300),
    data: new Uint8Array([0, 1, 2, 255]),
    list: [1, "two", [3], { four: 4 }],
  };
  assert.deepEqual(decodeBinaryPlist(encodeBinaryPlist(value)), value);
});

Deno.test("an 8-bit string reads each byte as its Latin-1 character, long or short", () => {
  // The encoder writes ASCII only; Apple's writes bytes up to 0xff in that form too.
  for (const text of ["SQLitf", "S".repeat(20_000) + "f"]) {
    const bytes = encodeBinaryPlist({ text });
    const at = bytes.lastIndexOf(0x66); // the last "f"
    bytes[at] = 0xe9;
    assert.deepEqual(decodeBinaryPlist(bytes), { text: text.slice(0, -1) + "\u00e9" });
  }
});

Deno.test("UIDs (keyed archives' references) decode as { UID: n }", () => {
  const decoded = decodeBinaryPlist(
    encodeBinaryPlist({ small: new PlistUid(3), large: new PlistUid(70_000) }),
  );
  assert.deepEqual(decoded, { small: { UID: 3 }, large: { UID: 70_000 } });
});

Deno.test("a damaged plist is a SyntaxError, never a hang or a crash", () => {
  const good = encodeBinaryPlist({ PLModelVersion: 19320, list: [1, 2, 3] });
  assert.throws(
    () => decodeBinaryPlist(new TextEncoder().encode("not a plist at all, just some text")),
    SyntaxError,
  );
  assert.throws(() => decodeBinaryPlist(good.subarray(0, good.length - 8)), SyntaxError);
  // Point the top object at itself: an array whose only member is the array.
  const cycle = new Uint8Array([
    ...new TextEncoder().encode("bplist00"),
    0xa1,
    0, // array of one ref: object 0
    8, // offset table: object 0 at byte 8
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    1, // offset size 1, ref size 1
    ...[0, 0, 0, 0, 0, 0, 0, 1], // one object
    ...[0, 0, 0, 0, 0, 0, 0, 0], // top object 0
    ...[0, 0, 0, 0, 0, 0, 0, 10], // offset table at byte 10
  ]);
  assert.throws(() => decodeBinaryPlist(cycle), /reference cycle/);
});
