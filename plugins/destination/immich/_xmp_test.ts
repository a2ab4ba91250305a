import assert from "node:assert/strict";
import type { Asset } from "../../../core/model/asset.ts";
import { readXmp } from "../../../tests/immich_emulator/_xmp.ts";
import { localIso, xmpSidecar } from "./_xmp.ts";

const base: Asset = {
  id: "A",
  kind: "photo",
  filename: "a.heic",
  favorite: false,
  hidden: false,
  trashed: false,
  keywords: [],
  albums: [],
  edited: false,
  referenced: false,
  subtypes: [],
  resources: [],
};

Deno.test("capture dates are written as local wall time with their offset, or as UTC when it is unknown", () => {
  assert.equal(
    localIso({ utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 }),
    "2024-05-01T12:00:00.000+02:00",
  );
  assert.equal(
    localIso({ utc: "2024-01-01T02:30:00.000Z", offsetSeconds: -18000 }),
    "2023-12-31T21:30:00.000-05:00",
  );
  assert.equal(
    localIso({ utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 34200 }),
    "2024-05-01T19:30:00.000+09:30",
  );
  assert.equal(localIso({ utc: "2024-05-01T10:00:00Z" }), "2024-05-01T10:00:00.000Z");
});

Deno.test("the XMP sidecar reads back as the facts it was made from, escaped and to the micro-degree", () => {
  const xml = xmpSidecar({
    ...base,
    captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: -10800 },
    caption: 'Fish & <chips> "here"',
    title: "Lunch",
    location: { latitude: -33.865143, longitude: 151.2099 },
  }, ["food", "Trips/Sydney"])!;
  const facts = readXmp(xml);
  assert.equal(facts.dateTimeOriginal, "2024-05-01T07:00:00.000-03:00");
  assert.equal(facts.description, 'Fish & <chips> "here"');
  assert.equal(facts.imageDescription, 'Fish & <chips> "here"', "a blank IFD0 ImageDescription must not win");
  assert.ok(Math.abs(facts.latitude! + 33.865143) < 1e-6);
  assert.ok(Math.abs(facts.longitude! - 151.2099) < 1e-6);
  assert.deepEqual(facts.tags, ["food", "Trips/Sydney"]);
  assert.match(xml, /<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Lunch</);
});

Deno.test("no sidecar is made when there is nothing the file might lack; a date without an offset goes as UTC", () => {
  assert.equal(xmpSidecar(base, []), undefined);
  // Immich would read the file's offset-less EXIF date as UTC and move the instant.
  const xml = xmpSidecar({ ...base, captured: { utc: "2024-05-01T10:00:00.000Z" } }, []);
  assert.equal(readXmp(xml ?? "").dateTimeOriginal, "2024-05-01T10:00:00.000Z");
});
