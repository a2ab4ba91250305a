/**
 * The reader against the four real libraries in `../shared/testdata/photoslibraries`: every fact
 * their README lists (read from the README itself) must come out of the reader. The databases
 * are copied (with WAL and index) to a temp dir and opened there; media files are resolved in the
 * read-only original bundle, which is never opened for writing.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Asset, Resource } from "../../../core/model/asset.ts";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { PermanentError } from "../../../core/plugin/errors.ts";
import { createTestContext } from "./_test_context.ts";
import photoslibrary from "./mod.ts";
import { openPhotosDatabase } from "./_database.ts";
import { libraryInfo } from "./_info.ts";
import { readAssets } from "./_reader.ts";
import { type AssetRow, bytes, type LibraryFacts, readmeFacts } from "./_readme_facts.ts";

const SHARED = fileURLToPath(new URL("../../../../shared/testdata/", import.meta.url));
const LIBRARIES = join(SHARED, "photoslibraries");
const README = join(LIBRARIES, "README.md");
const ignore = !existsSync(README);
if (ignore) console.warn(`real-library tests skipped: ${README} is not there`);

interface Listing {
  bundle: string;
  assets: Asset[];
  byId: Map<string, Asset>;
  info: Record<string, unknown>;
  facts: LibraryFacts;
}

/** Reads library `name` from a copy of its database; the bundle's files stay where they are. */
async function listCopy(name: string): Promise<Listing> {
  const bundle = join(LIBRARIES, `${name}.photoslibrary`);
  const dir = await Deno.makeTempDir({ prefix: "photoslibrary-real-" });
  try {
    for (const file of ["Photos.sqlite", "Photos.sqlite-wal", "Photos.sqlite-shm"]) {
      const from = join(bundle, "database", file);
      if (!existsSync(from)) continue;
      copyFileSync(from, join(dir, file));
      chmodSync(join(dir, file), 0o644);
    }
    const database = openPhotosDatabase(bundle, { database: join(dir, "Photos.sqlite") });
    try {
      const assets = [...readAssets(database)];
      const facts = readmeFacts(await Deno.readTextFile(README), name);
      return {
        bundle,
        assets,
        byId: new Map(assets.map((a) => [a.id, a])),
        info: libraryInfo(database),
        facts,
      };
    } finally {
      database.db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const nfc = (s: string) => s.normalize("NFC");
const basename = (path: string) => path.slice(path.lastIndexOf("/") + 1);
const resources = (asset: Asset, role: Resource["role"]) => asset.resources.filter((r) => r.role === role);

/** `0:9, 1:1, 2:5` or `3 (imported):14, 10 (REFERENCED):2` -> Map. */
function counts(text: string): Map<number, number> {
  return new Map(
    text.split(", ").map((part) => {
      const [key, value] = part.split(":");
      return [Number(key.split(" ")[0]), Number(value)];
    }),
  );
}

function tally(assets: Asset[], key: (a: Asset) => number): Map<number, number> {
  const out = new Map<number, number>();
  for (const asset of assets) out.set(key(asset), (out.get(key(asset)) ?? 0) + 1);
  return out;
}

const sorted = (map: Map<number, number>) => [...map].sort((a, b) => a[0] - b[0]);

async function libraryFacts(t: Deno.TestContext, listing: Listing): Promise<void> {
  const { assets, info, facts, bundle } = listing;
  const fact = (name: string) => {
    const key = [...facts.fact.keys()].find((k) => k.startsWith(name));
    assert.ok(key, `FACT table has ${name}`);
    return facts.fact.get(key)!;
  };

  await t.step("schema: model version, tables, entity numbers and column names", () => {
    assert.equal(info.modelVersion, Number(fact("PLModelVersion")));
    assert.equal(`\`${info.assetTable}\` (entity ${info.assetEntity})`, fact("asset table"));
    const join = /`(Z_\d+ASSETS)` \(columns `(\w+)`, `(\w+)`, `(\w+)`\)/.exec(fact("album join table"))!;
    assert.equal(info.albumJoin, `${join[1]}(${join[2]}, ${join[3]}, ${join[4]})`);
    const columns = info.columns as Record<string, string | null>;
    const named = (c: string | null) => c ? `\`${c}\`` : "`(column absent)`";
    assert.equal(
      `edited=${named(columns.edited)}, HDR=${named(columns.hdr)}, portrait/depth=${named(columns.depth)}, ` +
        `spatial=${named(columns.spatial)}`,
      fact("column names used"),
    );
    const albums = info.albums as Record<string, number>;
    assert.equal(
      [albums.user, albums.folders, albums.shared, albums.importSessions, albums.rootFolders].join(" / "),
      fact("user albums (kind 2)"),
    );
    const walAbsent = facts.fact.get("database files absent")?.includes("Photos.sqlite-wal") ?? false;
    assert.equal(info.writeAheadLog, !walAbsent);
  });

  await t.step("counts: kinds, flags, subtypes, playback styles, provenance, cloud and sharing", () => {
    const [, total, photos, videos] = /^(\d+) \((\d+) photos \/ (\d+) videos\)$/.exec(fact("assets"))!;
    assert.equal(assets.length, Number(total));
    assert.equal(assets.filter((a) => a.kind === "photo").length, Number(photos));
    assert.equal(assets.filter((a) => a.kind === "video").length, Number(videos));
    assert.equal(assets.filter((a) => a.trashed).length, Number(fact("trashed")));
    assert.equal(assets.filter((a) => a.hidden).length, Number(fact("hidden")));
    assert.equal(assets.filter((a) => a.favorite).length, Number(fact("favorites")));
    assert.equal(assets.filter((a) => a.sourceData?.visibility !== 0).length, Number(fact("not visible")));
    assert.equal(assets.filter((a) => a.edited).length, Number(fact("edited")));
    assert.deepEqual(
      sorted(tally(assets, (a) => a.sourceData!.kindSubtype as number)),
      sorted(counts(fact("`ZKINDSUBTYPE` counts"))),
    );
    assert.deepEqual(
      sorted(tally(assets, (a) => a.sourceData!.playbackStyle as number)),
      sorted(counts(fact("`ZPLAYBACKSTYLE` counts"))),
    );
    assert.deepEqual(
      sorted(tally(assets, (a) => a.sourceData!.savedAssetType as number)),
      sorted(counts(fact("`ZSAVEDASSETTYPE` counts"))),
    );
    assert.equal(assets.filter((a) => a.cloud?.synced).length, Number(fact("`ZCLOUDASSETGUID` set")));
    assert.equal(
      assets.filter((a) => a.sharing?.sharedAlbum).length,
      Number(fact("`ZCLOUDBATCHPUBLISHDATE`")),
    );
    assert.equal(assets.filter((a) => a.sharing?.sharedLibrary).length, 0, "no fixture has a Shared Library");
    const absentInBundle = assets.flatMap((a) => a.resources)
      .filter((r) => !r.present && r.path!.startsWith(`${bundle}/`));
    assert.equal(
      absentInBundle.length,
      parseInt(fact("DB-referenced files inside the bundle that are ABSENT")),
    );
  });

  await t.step("every asset: name, kind, subtypes, flags, burst, edit, provenance and its files", () => {
    assert.equal(assets.length, facts.assets.length);
    const pairs = new Set(
      [...facts.text.matchAll(/`([0-9A-F-]{36})` \S+ — (?:RAW `|REFERENCED pair)/g)].map((m) => m[1]),
    );
    for (const row of facts.assets) checkRow(listing, row, pairs.has(row.uuid));
  });

  await t.step("albums: folder paths and members in their manual order", () => {
    const byPk = new Map(facts.albums.map((a) => [a.pk, a]));
    const path = (parent: number | undefined): string[] => {
      const folder = parent === undefined ? undefined : byPk.get(parent);
      return !folder || folder.kind === 3999 ? [] : [...path(folder.parent), folder.title];
    };
    const expected = facts.albums.filter((a) => (a.kind === 2 || a.kind === 1505) && a.members.length > 0)
      .map((a) =>
        `${[...path(a.parent), a.title].join("/")}${a.kind === 1505 ? " (shared)" : ""}: ${a.members}`
      );
    const ours = new Map<string, { label: string; members: [number, string][] }>();
    for (const asset of assets) {
      for (const album of asset.albums) {
        const entry = ours.get(album.id) ?? {
          label: `${[...album.folders, album.title].join("/")}${album.shared ? " (shared)" : ""}`,
          members: [],
        };
        entry.members.push([album.position ?? 0, nfc(asset.filename)]);
        ours.set(album.id, entry);
      }
    }
    const actual = [...ours.values()].map(({ label, members }) =>
      `${label}: ${members.sort((a, b) => a[0] - b[0]).map(([, name]) => name)}`
    );
    assert.deepEqual(actual.map(nfc).sort(), expected.map(nfc).sort());
  });

  await t.step("import sessions", () => {
    assert.equal((info.albums as Record<string, number>).importSessions, facts.importSessions.sessions);
    assert.equal(info.assetsInImportSessions, facts.importSessions.assets);
    assert.equal(assets.length - facts.importSessions.assets, facts.importSessions.without);
  });

  await t.step("files the database lists but the bundle lacks are reported absent, at their path", () => {
    const roles: Record<string, Resource["role"]> = {
      original: "original",
      raw_alt: "raw",
      live_video: "motion",
      shared_video: "original",
    };
    for (const missing of facts.missing) {
      const asset = listing.byId.get(missing.uuid)!;
      assert.equal(nfc(asset.filename), nfc(missing.filename));
      const resource = resources(asset, roles[missing.role]).find((r) =>
        r.path === join(bundle, missing.path)
      );
      assert.ok(resource, `${missing.uuid} ${missing.role} at ${missing.path}`);
      assert.equal(resource.present, false, `${missing.path} is absent`);
    }
  });

  await t.step("notable assets: Live Photo ids, RAW halves, referenced paths, trash dates, sizes", () => {
    checkNotes(listing);
  });
}

/** The notes of a library's "Notable assets" list and size remarks. */
function checkNotes(listing: Listing): void {
  const { byId, facts } = listing;
  const text = facts.text;
  // Each kind of note must be found as often as the asset table says, so that a README reworded out
  // of reach of these patterns fails here instead of checking nothing.
  const seen = { live: 0, raw: 0, referenced: 0, trashed: 0, sizes: 0 };
  const live = /`([0-9A-F-]{36})` \S+ — ZKINDSUBTYPE=2, ZPLAYBACKSTYLE=3, ZMEDIAGROUPUUID=`([^`]+)`/g;
  for (const m of text.matchAll(live)) {
    assert.equal(byId.get(m[1])!.liveContentId, m[2], `${m[1]} content id`);
    seen.live++;
  }
  const raw =
    /`([0-9A-F-]{36})` \S+ — RAW `([^`]+)` \((?:ZCOMPACTUTI \d+ \((\w+)\)|uti ([\w.-]+)), ([\d,]+) B\)/g;
  for (const m of text.matchAll(raw)) {
    const [resource] = resources(byId.get(m[1])!, "raw");
    assert.equal(basename(resource.path!), m[2]);
    assert.equal(resource.size, bytes(m[5]));
    assert.equal(resource.uti, m[4] ?? `com.canon.${m[3]}-raw-image`);
    assert.equal(resource.present, false, "every RAW half is absent from the fixtures");
    seen.raw++;
  }
  const referenced = /`([0-9A-F-]{36})` [^\n]* — (?:REFERENCED pair|ZDIRECTORY=[^\n]*bookmarks): ([^\n]+)/g;
  const bookmark = /(\/Volumes\/[^(]+?) \(dss (\d+), localAvailability (-?\d+)\)/g;
  const referencedIds = new Set<string>();
  for (const m of text.matchAll(referenced)) {
    const asset = byId.get(m[1])!;
    assert.equal(asset.referenced, true);
    for (const b of m[2].matchAll(bookmark)) {
      const [resource] = resources(asset, b[2] === "1" ? "original" : "raw");
      assert.equal(resource.path, b[1], `${m[1]} dss ${b[2]}`);
      assert.equal(resource.present, false, "the volume is not mounted here");
    }
    referencedIds.add(m[1]);
  }
  seen.referenced = referencedIds.size;
  for (const m of text.matchAll(/`([0-9A-F-]{36})` \S+ — ZTRASHEDDATE=[\d.]+ \(= (\S+) (\S+) UTC\)/g)) {
    assert.match(String(byId.get(m[1])!.sourceData!.trashedDate), new RegExp(`^${m[2]}T${m[3]}\\.`));
    seen.trashed++;
  }
  const sizes = /Originals whose size on disk differs[^\n]*/.exec(text)?.[0] ?? "";
  for (const m of sizes.matchAll(/`([0-9A-F-]{36})` \S+ \(DB ([\d,]+) B, disk ([\d,]+) B\)/g)) {
    const [original] = resources(byId.get(m[1])!, "original");
    assert.equal(original.size, bytes(m[2]), "size as the database records it");
    assert.equal(statSync(original.path!).size, bytes(m[3]), "the file on disk");
    seen.sizes++;
  }
  const rows = facts.assets;
  assert.deepEqual(seen, {
    live: rows.filter((r) => r.kindSubtype === 2).length,
    raw: rows.filter((r) => r.extras.some((e) => e.role === "raw_alt")).length,
    referenced: rows.filter((r) => r.savedType === 10).length,
    trashed: rows.filter((r) => r.trashed).length,
    sizes: sizes.split("(DB ").length - 1,
  });
}

/** One row of the README's "All assets" table against the asset the reader made. */
function checkRow({ byId, bundle }: Listing, row: AssetRow, rawPair: boolean): void {
  const asset = byId.get(row.uuid);
  const what = `${row.uuid} ${row.filename}`;
  assert.ok(asset, `${what} is listed`);
  assert.equal(nfc(asset.filename), nfc(row.filename), what);
  assert.equal(asset.kind, row.kind, what);
  const data = asset.sourceData!;
  assert.equal(data.kindSubtype, row.kindSubtype, `${what} ZKINDSUBTYPE`);
  assert.equal(data.playbackStyle, row.playbackStyle, `${what} ZPLAYBACKSTYLE`);
  assert.equal(data.hdrType ?? data.customRendered, row.hdr, `${what} HDR value`);
  assert.equal(data.depth, row.depth, `${what} depth`);
  assert.equal(data.spatialType, row.spatial, `${what} ZSPATIALTYPE`);
  assert.equal(data.adjustments, row.adjusted, `${what} adjustments`);
  assert.equal(data.savedAssetType, row.savedType, `${what} ZSAVEDASSETTYPE`);
  assert.equal(data.visibility, row.visibility, `${what} ZVISIBILITYSTATE`);
  assert.deepEqual(
    [asset.trashed, asset.hidden, asset.favorite],
    [row.trashed, row.hidden, row.favorite],
    what,
  );
  assert.equal(asset.edited, row.adjusted !== 0, `${what} edited`);
  assert.equal(asset.referenced, row.savedType === 10, `${what} referenced`);
  assert.equal(asset.sharing?.sharedAlbum, row.savedType === 4, `${what} shared album`);

  // Subtypes follow from the raw values (HDR: ZHDRTYPE≠0; on Photos 5–6 EXIF CustomRendered 2, 3, 7).
  const hdr = "hdrType" in data ? row.hdr !== 0 : [2, 3, 7].includes(row.hdr);
  const expected = [
    row.kindSubtype === 2 || row.playbackStyle === 3 ? "live" : "",
    row.depth !== 0 && row.kind === "photo" ? "portrait" : "",
    hdr ? "hdr" : "",
    row.kindSubtype === 1 ? "panorama" : "",
    row.kindSubtype === 10 ? "screenshot" : "",
    row.kindSubtype === 103 ? "screen_recording" : "",
    row.kindSubtype === 101 ? "slomo" : "",
    row.kindSubtype === 102 ? "timelapse" : "",
    row.depth !== 0 && row.kind === "video" ? "cinematic" : "",
    (row.spatial ?? 0) !== 0 ? "spatial" : "",
    rawPair ? "raw_jpeg" : "",
    row.filename.toLowerCase().endsWith(".dng") ? "raw" : "",
    row.burstPick !== undefined ? "burst" : "",
  ].filter(Boolean);
  assert.deepEqual(asset.subtypes, expected, `${what} subtypes`);

  if (row.burstPick === undefined) assert.equal(asset.burst, undefined, what);
  else {
    assert.equal(data.burstPick, row.burstPick, `${what} burst pick`);
    assert.equal(asset.burst?.picked, row.burstPick !== 2, `${what} picked`);
    assert.equal(asset.burst?.key, (row.burstPick & 16) !== 0, `${what} key frame`);
  }

  const [original] = resources(asset, "original");
  if (row.original === "present") assert.equal(original.present, true, `${what} original present`);
  if (row.original === "ABSENT") assert.equal(original.present, false, `${what} original absent`);
  if (row.original === "external") {
    assert.equal(original.present, false, `${what} referenced original is on an unmounted volume`);
    assert.ok(!original.path!.startsWith(bundle), `${what} original outside the bundle`);
  }
  if (row.original !== "external") {
    const folder = row.savedType === 4 ? "scopes/cloudsharing/data" : "originals";
    assert.ok(original.path!.startsWith(`${bundle}/${folder}/`), `${what} original in ${folder}/`);
  }

  const roles: Record<string, Resource["role"][]> = {
    live_video: ["motion"],
    raw_alt: ["raw"],
    camera_aae: ["adjustment"],
    renders: ["adjustment", "edited", "edited_motion"],
    shared_video: ["original"],
    shared_poster: ["sidecar"],
  };
  // The README lists the files in the bundle besides the original (and both files of a shared video).
  const extras = asset.resources.filter((r) =>
    (r.role !== "original" || row.original === "see extra") && r.path!.startsWith(`${bundle}/`)
  );
  for (const extra of row.extras) {
    const match = extras.find((r) => roles[extra.role].includes(r.role) && basename(r.path!) === extra.file);
    assert.ok(match, `${what} has ${extra.role} ${extra.file}`);
    assert.equal(match.present, extra.present, `${what} ${extra.file} presence`);
  }
  assert.equal(extras.length, row.extras.length, `${what}: no file the README does not list`);
}

for (const name of ["Test-Media-Types-15.7.2", "Test-26.1", "Test-10.15.7", "Test-Cloud-13.1"]) {
  Deno.test({
    name: `the reader agrees with every fact the README lists for ${name}`,
    ignore,
    fn: async (t) => await libraryFacts(t, await listCopy(name)),
  });
}

/** Runs `fn` on the listing of `name`, unless the shared fixtures are not there. */
function withLibrary(name: string, title: string, fn: (listing: Listing) => void | Promise<void>) {
  Deno.test({ name: title, ignore, fn: async () => await fn(await listCopy(name)) });
}

withLibrary("Test-10.15.7", "file names are kept byte for byte, NFD accents included", ({ assets }) => {
  const nfd = assets.filter((a) => a.filename === "Fri\u0301test.jpg");
  assert.equal(nfd.length, 4, "four assets carry the decomposed name");
  for (const asset of nfd) assert.equal(resources(asset, "original")[0].filename, "Fri\u0301test.jpg");
});

withLibrary("Test-10.15.7", "the asset's type and its original's are reported apart", ({ byId }) => {
  const heic = byId.get("7783E8E6-9CAC-40F3-BE22-81FB7051C266")!;
  assert.equal(heic.uti, "public.jpeg", "the asset row names the JPEG render");
  assert.equal(resources(heic, "original")[0].uti, "public.heic", "the resource row names the HEIC");
  assert.equal(resources(heic, "edited")[0].uti, "public.jpeg", "Photos 5 renders HEIC edits as JPEG");
});

for (const name of ["Test-26.1", "Test-10.15.7"]) {
  withLibrary(name, `${name}: an absurd capture date makes an undated asset, listed last`, ({ assets }) => {
    const last = assets.at(-1)!;
    assert.equal(last.id, "8846E3E6-8AC8-4857-8448-E3D025784410");
    assert.equal(last.captured, undefined);
    assert.equal(last.sourceData!.dateCreated, 123456789012345);
    assert.ok(last.added, "its other dates are kept");
    const dated = assets.slice(0, -1).map((a) => a.captured!.utc);
    assert.deepEqual(dated, dated.toSorted().reverse(), "the dated ones come newest first");
  });
}

withLibrary("Test-26.1", "titles, captions, keywords, locations and time zones", ({ byId }) => {
  const wedding = byId.get("E9BC5C36-7CD1-40A1-A72B-8B8FAC227D51")!;
  assert.equal(wedding.caption, "Bride Wedding day");
  const park = byId.get("DC99FBDD-7A52-4100-A5BB-344131646C30")!;
  assert.equal(park.title, "St. James's Park");
  assert.ok(park.keywords.includes("London 2018"));
  assert.deepEqual(park.location, { latitude: 51.50357167, longitude: -0.1318055 });
  assert.deepEqual(byId.get("3DD2C897-F19E-4CA6-8C22-B027D5A71907")!.captured, {
    utc: "2017-06-20T07:48:56.518Z",
    offsetSeconds: 34200,
    timeZone: "Australia/Adelaide",
  });
  assert.equal(
    byId.get("1EB2B765-0765-43BA-A90C-0D0580E6172C")!.location,
    undefined,
    "-180/-180 is no place",
  );
  // ZORIGINALRESOURCECHOICE 1: Photos shows the RAW of this pair as the original.
  assert.equal(byId.get("4D521201-92AC-43E5-8F7C-59BC41C37A96")!.rawPrimary, true);
  assert.equal(byId.get("A92D9C26-3A50-4197-9388-CB5F7DB9FA91")!.rawPrimary, false);
});

withLibrary("Test-Cloud-13.1", "iCloud state, shared album and missing time zones", ({ assets, byId }) => {
  assert.equal(assets.filter((a) => a.captured && !a.captured.timeZone).length, 24);
  const shared = assets.filter((a) => a.sharing!.sharedAlbum);
  assert.equal(shared.length, 9);
  for (const asset of shared) {
    assert.deepEqual(asset.albums.map((a) => [a.title, a.shared]), [["osxphotos", true]]);
  }
  // The database says the original is here, the disk disagrees: missing, not in iCloud.
  const missing = byId.get("8DEB54E9-F892-48C6-9A45-02D81CD3EC0E")!;
  assert.deepEqual(missing.cloud, { synced: true, originalLocal: true });
  assert.equal(resources(missing, "original")[0].present, false);
  const poster = resources(byId.get("1589DB35-1E27-456D-AF6A-597786EE5B9E")!, "sidecar")[0];
  assert.deepEqual([poster.filename, poster.present], [
    "30716CBB-9783-4346-9CE4-6142D05076DB.poster.jpg",
    true,
  ]);
});

withLibrary(
  "Test-Media-Types-15.7.2",
  "Live Photo pairs resolve to the very files of ../media",
  async ({ assets }) => {
    const media = join(SHARED, "media");
    const readme = await Deno.readTextFile(join(media, "README.md"));
    const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
    const row =
      /\| `(IMG_\d+)\.HEIC` \| [\d,]+ \| `([0-9A-F-]{36})` \| iOS [\d.]+, \d+×\d+, (?:taken )?(\S+) (\S+)([-+]\d\d:\d\d) \|/g;
    const pairs = [...readme.matchAll(row)];
    assert.equal(pairs.length, 3);
    for (const [, name, contentId, day, time, zone] of pairs) {
      const asset = assets.find((a) => a.liveContentId === contentId)!;
      assert.equal(asset.filename, `${name}.HEIC`);
      const [hours, minutes] = zone.split(":").map(Number);
      assert.equal(asset.captured!.offsetSeconds, hours * 3600 + Math.sign(hours) * minutes * 60);
      assert.equal(Date.parse(asset.captured!.utc), Date.parse(`${day}T${time}${zone}`), `${name} taken`);
      assert.equal(sha(resources(asset, "original")[0].path!), sha(join(media, `${name}.HEIC`)));
      assert.equal(sha(resources(asset, "motion")[0].path!), sha(join(media, `${name}.mov`)));
    }
    for (const aae of ["IMG_O3582.aae", "IMG_O3932.aae", "IMG_O5747.aae"]) {
      const asset = assets.find((a) => a.filename.startsWith(`IMG_${aae.slice(5, 9)}.`))!;
      const [sidecar] = resources(asset, "adjustment");
      assert.equal(sidecar.filename, aae.replace(".aae", ".AAE"));
      assert.equal(sha(sidecar.path!), sha(join(media, aae)));
    }
  },
);

/** Every file below `dir` with its SHA-256, by path relative to `dir`. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

for (const name of ["Test-Media-Types-15.7.2", "Test-Cloud-13.1"]) {
  Deno.test({
    name: `${name}: listing and exporting in place leave every file of the bundle as it was`,
    ignore,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "photoslibrary-inplace-" });
      try {
        const bundle = join(root, `${name}.photoslibrary`);
        cpSync(join(LIBRARIES, `${name}.photoslibrary`), bundle, { recursive: true });
        const before = snapshot(bundle);
        const ctx = await createTestContext();
        try {
          const session = await photoslibrary.open({ library: bundle }, ctx);
          try {
            let listed = 0;
            for await (const asset of session.list()) {
              listed++;
              const plan = new PlanBuilder(asset);
              asset.resources.forEach((r, i) => r.present && plan.add(`r${i}`, r));
              await session.export({ asset, plan: plan.build(), dir: ctx.tempDir, allowNetwork: false })
                .catch((e) => assert.ok(e instanceof PermanentError, String(e)));
            }
            assert.ok(listed > 0);
          } finally {
            await session.close();
          }
        } finally {
          await ctx.dispose();
        }
        assert.deepEqual(snapshot(bundle), before, "no file changed, appeared or vanished");
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}
