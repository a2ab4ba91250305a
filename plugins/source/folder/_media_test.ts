import { HAS_SHARED, MEDIA as SHARED_MEDIA } from "../../../tests/shared_data.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { exifCapture, parseIsoWithOffset, readMediaFacts } from "./_media.ts";
import { jpeg, movie, tiff } from "./_samples.ts";
import { parseTiff } from "./_tiff.ts";

const MEDIA = HAS_SHARED ? SHARED_MEDIA : undefined;

async function withFile(bytes: Uint8Array, body: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "file");
    await Deno.writeFile(path, bytes);
    await body(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("EXIF dates: sub-seconds, half-hour offsets, and the digitized time when the original is blank", () => {
  assert.deepEqual(
    exifCapture({
      dateTimeOriginal: "2024:03:10 18:30:00",
      subSecTimeOriginal: "5",
      offsetTimeOriginal: "+05:30",
    }),
    { utc: "2024-03-10T13:00:00.500Z", offsetSeconds: 19800 },
  );
  assert.deepEqual(
    exifCapture({
      dateTimeOriginal: "0000:00:00 00:00:00",
      dateTimeDigitized: "2020:02:29 23:59:59",
      offsetTimeDigitized: "Z",
    }),
    { utc: "2020-02-29T23:59:59.000Z", offsetSeconds: 0 },
  );
  assert.deepEqual(exifCapture({ dateTime: "2001:01:01 00:00:00" }), { utc: "2001-01-01T00:00:00.000Z" });
  assert.equal(exifCapture({ dateTimeOriginal: "garbage" }), undefined);
});

Deno.test("QuickTime creation dates with and without a colon in the offset", () => {
  assert.deepEqual(parseIsoWithOffset("2025-05-26T09:27:06-0500"), {
    utc: "2025-05-26T14:27:06.000Z",
    offsetSeconds: -18000,
  });
  assert.deepEqual(parseIsoWithOffset("2025-05-26T09:27:06.25+02:00"), {
    utc: "2025-05-26T07:27:06.250Z",
    offsetSeconds: 7200,
  });
  assert.equal(parseIsoWithOffset("2025-05-26 09:27"), undefined);
});

Deno.test("TIFF in either byte order gives the same facts", () => {
  const sample = { dateTimeOriginal: "2022:12:31 23:00:00", offset: "-08:00", contentId: "ABC-123" };
  const big = parseTiff(tiff(sample));
  const little = parseTiff(tiff({ ...sample, littleEndian: true }));
  assert.deepEqual(big, {
    dateTimeOriginal: "2022:12:31 23:00:00",
    offsetTimeOriginal: "-08:00",
    mediaGroupUUID: "ABC-123",
  });
  assert.deepEqual(little, big);
});

Deno.test("a movie header read from the start or the end of the file", async () => {
  for (const moovLast of [true, false]) {
    await withFile(
      movie({ durationSeconds: 3, created: new Date("2021-06-01T12:00:00Z"), moovLast }),
      async (path) => {
        assert.deepEqual(await readMediaFacts(path, "quicktime"), {
          captured: { utc: "2021-06-01T12:00:00.000Z" },
          durationSeconds: 3,
        });
      },
    );
  }
});

Deno.test("damaged or foreign files give no facts and no error", async () => {
  const cases: [Uint8Array, Parameters<typeof readMediaFacts>[1]][] = [
    [new Uint8Array(0), "jpeg"],
    [crypto.getRandomValues(new Uint8Array(4096)), "heif"],
    [crypto.getRandomValues(new Uint8Array(4096)), "quicktime"],
    [jpeg({ dateTimeOriginal: "2024:01:01 00:00:00" }).subarray(0, 30), "jpeg"],
    [new TextEncoder().encode("II*\0 not really a tiff"), "tiff"],
  ];
  if (MEDIA) {
    // A real HEIC cut inside its meta box, and one cut before its EXIF item's data.
    const heic = await Deno.readFile(join(MEDIA, "IMG_3582.HEIC"));
    cases.push([heic.subarray(0, 5000), "heif"], [heic.subarray(0, 31_700), "heif"]);
  }
  for (const [bytes, container] of cases) {
    await withFile(bytes, async (path) => assert.deepEqual(await readMediaFacts(path, container), {}));
  }
});
