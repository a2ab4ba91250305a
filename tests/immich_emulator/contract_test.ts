/**
 * Keeps the emulator faithful: the real Immich 1.135.3 server's recorded transcripts are replayed
 * against it, and every answer must match the recording in status, key sets, JSON types and the
 * values that carry meaning. The few places where a difference is expected are listed below, each
 * with its reason; everything else is compared.
 */
import assert from "node:assert/strict";
import { Emulator } from "./app.ts";
import { type OpenApi, OpenApiChecker } from "./_openapi.ts";
import { type Allowance, loadTranscripts, Replayer, TRANSCRIPTS } from "./_replay.ts";

// The replay also checks every answer against the OpenAPI document of the same version.
const NO_SESSIONS =
  "login sessions (bearer tokens) are not emulated: photos-sync and @immich/cli use API keys";
const NOT_CALLED = "an endpoint neither photos-sync nor @immich/cli calls";
const REAL_MEDIA =
  "the real server read EXIF/QuickTime metadata from the real files; synthetic bytes have none";
const EXTRACTION_LATER =
  "recorded before the real server's background metadata extraction ran; the emulator " +
  "extracts at once so tests need not poll";

const FRESH_ADMIN = "files 14 to 17 were recorded on a fresh server whose admin is admin@immich.local";

const AUTO_LINK =
  "the real server auto-linked IMG_4580's HEIC and MOV by the ContentIdentifier in the real " +
  "files (hiding the MOV, taking it out of albums, deleting it with its still); synthetic bytes have none";

const ALLOWANCES: Allowance[] = [
  { file: "00", index: 0, why: "admin sign-up: the emulator starts with its admin" },
  { file: "00", index: 1, why: "admin sign-up: the emulator starts with its admin" },
  { file: "00", index: 2, why: NO_SESSIONS },
  { file: "00", index: 3, why: NO_SESSIONS },
  {
    file: "00",
    index: 4,
    why: NO_SESSIONS,
    instead: (e) => void e.state.createApiKey(e.state.admin.id, ["all"], "shape-demo"),
  },
  { file: "01", index: 6, why: NOT_CALLED },
  { file: "01", index: 7, why: NOT_CALLED },
  { file: "01", index: 8, why: NOT_CALLED },
  { file: "01", index: 9, why: NOT_CALLED },
  { file: "02", index: 3, why: NO_SESSIONS },
  { file: "03", index: 6, path: "exifInfo", why: EXTRACTION_LATER },
  { file: "04", index: 1, path: "exifInfo", why: EXTRACTION_LATER },
  { file: "05", index: 16, path: "livePhotoVideoId", why: AUTO_LINK },
  { file: "05", index: 17, path: "visibility", why: AUTO_LINK },
  { file: "05", index: 40, path: "livePhotoVideoId", why: AUTO_LINK },
  { file: "05", index: 41, path: "visibility", why: AUTO_LINK },
  { file: "05b", index: 1, path: "visibility", why: AUTO_LINK },
  { file: "05b", index: 5, why: AUTO_LINK },
  { file: "05b", index: 6, why: AUTO_LINK },
  { file: "05b", index: 7, why: AUTO_LINK },
  { file: "05b", index: 8, why: AUTO_LINK },
  { file: "05b", index: 10, why: AUTO_LINK },
  { file: "05b", index: 11, path: "livePhotoVideoId", why: AUTO_LINK },
  { file: "05b", index: 12, why: AUTO_LINK },
  { file: "05b", index: 13, why: AUTO_LINK },
  { file: "05b", index: 14, why: AUTO_LINK },
  { file: "05", index: 30, path: "exifInfo", why: EXTRACTION_LATER },
  { file: "05", index: 33, path: "exifInfo", why: EXTRACTION_LATER },
  { file: "06", index: 10, path: "exifInfo.timeZone", why: EXTRACTION_LATER },
  { file: "06", index: 11, path: "exifInfo.timeZone", why: EXTRACTION_LATER },
  { file: "06", index: 12, path: "exifInfo.timeZone", why: EXTRACTION_LATER },
  { file: "06", index: 13, path: "exifInfo.timeZone", why: EXTRACTION_LATER },
  { file: "08", index: 3, path: "assets[*].exifInfo", why: EXTRACTION_LATER },
  { file: "09", index: 0, why: AUTO_LINK },
  { file: "09", index: 1, why: AUTO_LINK },
  { file: "09", index: 2, why: AUTO_LINK },
  { file: "09", index: 4, why: AUTO_LINK },
  { file: "09", index: 6, why: AUTO_LINK },
  { file: "09", index: 14, why: "updatedAfter compares with the recording's clock" },
  { file: "09", index: 15, why: AUTO_LINK },
  { file: "09", index: 18, why: AUTO_LINK },
  { file: "09", index: 19, why: REAL_MEDIA + " (exif1.jpg's 2019 EXIF date)" },
  {
    file: "09",
    index: 20,
    path: "assets.items",
    why: "assets with equal capture times come in no defined order from Postgres",
  },
  {
    file: "10",
    index: 5,
    path: "sha1",
    why: "a byte range of synthetic bytes has another SHA-1 than the real one",
  },
  { file: "10", index: 8, why: "thumbnails are not rendered by the emulator" },
  { file: "10", index: 9, why: "thumbnails are not rendered by the emulator" },
  {
    file: "11",
    index: 9,
    why: "permanent deletion is immediate in the emulator (a background job in Immich)",
  },
  { file: "11", index: 16, path: "exifInfo", why: EXTRACTION_LATER },
  { file: "12", why: NO_SESSIONS + "; full-sync and delta-sync are legacy routes nobody here calls" },
  { file: "13", index: 12, path: "assets.items", why: AUTO_LINK },
  ...["14", "15", "16", "17"].flatMap((file) => [
    { file, path: "owner.email", why: FRESH_ADMIN },
    { file, path: "[*].owner.email", why: FRESH_ADMIN },
  ]),
  { file: "14", index: 7, path: "exifInfo", why: EXTRACTION_LATER },
  { file: "14", index: 7, path: "fileCreatedAt", why: EXTRACTION_LATER },
  { file: "14", index: 7, path: "localDateTime", why: EXTRACTION_LATER },
];

Deno.test("the emulator answers the recorded Immich 1.135.3 requests as the real server did", async () => {
  const store = await Deno.makeTempDir({ prefix: "immich-emulator-store-" });
  try {
    const emulator = new Emulator({ version: "1.135.3", storeDir: store });
    const spec = JSON.parse(
      await Deno.readTextFile(new URL("../openapi-v1.135.3.json", TRANSCRIPTS)),
    ) as OpenApi;
    const replayer = new Replayer(emulator, await loadTranscripts(), ALLOWANCES, new OpenApiChecker(spec));
    await replayer.run();
    const report = replayer.differences.map((d) =>
      `${d.file}#${d.index} ${d.request}${d.note ? ` (${d.note.slice(0, 60)})` : ""}: ${d.problem}`
    );
    assert.deepEqual(report, [], `${report.length} differences from the recording:\n${report.join("\n")}`);
    assert.ok(replayer.compared >= 200, `only ${replayer.compared} requests were compared`);
    assert.ok(
      replayer.specChecked >= 200,
      `only ${replayer.specChecked} answers were checked against the spec`,
    );
  } finally {
    await Deno.remove(store, { recursive: true });
  }
});
