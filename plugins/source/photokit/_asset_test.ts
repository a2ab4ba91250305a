import assert from "node:assert/strict";
import { nativeAsset } from "./_fixture_library.ts";
import { bareId, toAsset, typesForRole } from "./_asset.ts";
import type { NativeResource } from "./bridge.ts";

const res = (type: string, filename: string, fields: Partial<NativeResource> = {}): NativeResource => ({
  type,
  filename,
  uti: "public.jpeg",
  raw: false,
  ...fields,
});

Deno.test("a RAW+JPEG pair whose RAW Photos shows as the original keeps the JPEG as original", () => {
  const asset = toAsset(nativeAsset("A", {
    resources: [
      res("photo", "DSC_1.NEF", { uti: "com.nikon.raw-image", raw: true }),
      res("alternatePhoto", "DSC_1.JPG"),
    ],
  }))!;
  assert.deepEqual(asset.resources.map((r) => [r.role, r.filename]), [["original", "DSC_1.JPG"], [
    "raw",
    "DSC_1.NEF",
  ]]);
  assert.equal(asset.rawPrimary, true);
  assert.deepEqual(asset.subtypes, ["raw_jpeg"]);
  // Exports find each file again under its role: the JPEG is now an alternatePhoto, the RAW a photo.
  assert.ok(typesForRole("original").includes("alternatePhoto") && typesForRole("raw").includes("photo"));
});

Deno.test("edits, bursts, shared albums and subtypes map to the model's words", () => {
  const asset = toAsset(nativeAsset("B/L0/001", {
    mediaSubtypes: ["photoLive", "photoDepthEffect", "spatialMedia", "photoAnimation"],
    sourceTypes: ["cloudShared"],
    burstIdentifier: "BURST-1",
    burstSelectionTypes: ["userPick"],
    representsBurst: false,
    resources: [
      res("photo", "IMG_1.HEIC"),
      res("pairedVideo", "IMG_1.MOV"),
      res("fullSizePhoto", "FullSizeRender.heic"),
      res("fullSizePairedVideo", "FullSizeRender.mov"),
      res("adjustmentData", "Adjustments.plist"),
      res("adjustmentBasePhoto", "IMG_1.HEIC"),
      res("unknown:42", "mystery.bin"),
    ],
  }))!;
  assert.equal(asset.id, "B");
  assert.equal(asset.edited, true);
  assert.deepEqual(asset.subtypes.sort(), ["burst", "live", "portrait", "spatial"]);
  assert.deepEqual(asset.burst, { id: "BURST-1", picked: true, key: false });
  assert.deepEqual(asset.sharing, { sharedAlbum: true, sharedLibrary: false });
  assert.deepEqual(asset.resources.map((r) => r.role), [
    "original",
    "motion",
    "edited",
    "edited_motion",
    "adjustment",
    "adjustment_base",
  ]);
});

Deno.test("audio-only assets have no place in the model; an asset without resources gets a fallback name", () => {
  assert.equal(
    toAsset(nativeAsset("C", { mediaType: "audio", resources: [res("audio", "memo.m4a")] })),
    undefined,
  );
  const video = toAsset(nativeAsset("D", { mediaType: "video", duration: 12.5, resources: [] }))!;
  assert.deepEqual([video.kind, video.filename, video.durationSeconds, video.resources], [
    "video",
    "D.mov",
    12.5,
    [],
  ]);
});

Deno.test("local identifiers become bare UUIDs", () => {
  assert.equal(bareId("EC19EA1A-FC91-449C-8925-B13D863E2EDB/L0/001"), "EC19EA1A-FC91-449C-8925-B13D863E2EDB");
  assert.equal(bareId("EC19EA1A-FC91-449C-8925-B13D863E2EDB"), "EC19EA1A-FC91-449C-8925-B13D863E2EDB");
});
