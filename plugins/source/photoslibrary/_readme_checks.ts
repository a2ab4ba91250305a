/**
 * Test helper: checks a listing of a real library against the facts its README section lists
 * (parsed by `_readme_facts.ts`), as test steps. Used on the reader's own listing and on
 * `photos-sync scan --json`.
 *
 * @example
 * ```ts
 * const facts = readmeFacts(await Deno.readTextFile(readme), "Test-26.1");
 * await checkLibraryFacts(t, { bundle, assets, byId, info, facts });
 * ```
 * @module
 */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Asset, Resource } from "../../../core/model/asset.ts";
import { type AssetRow, bytes, type LibraryFacts, type Listing } from "./_readme_facts.ts";

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

/**
 * Asserts every fact of the README section about `listing.facts.name` against a listing, as test
 * steps of `t`.
 */
export async function checkLibraryFacts(t: Deno.TestContext, listing: Listing): Promise<void> {
  await t.step("schema: model version, tables, entity numbers and column names", () => checkSchema(listing));
  await t.step(
    "counts: kinds, flags, subtypes, playback styles, provenance, cloud and sharing",
    () => checkCounts(listing),
  );
  await t.step("every asset: name, kind, subtypes, flags, burst, edit, provenance and its files", () => {
    const { facts } = listing;
    assert.equal(listing.assets.length, facts.assets.length);
    const pairs = new Set(
      [...facts.text.matchAll(/`([0-9A-F-]{36})` \S+ — (?:RAW `|REFERENCED pair)/g)].map((m) => m[1]),
    );
    for (const row of facts.assets) checkRow(listing, row, pairs.has(row.uuid));
  });
  await t.step("albums: folder paths and members in their manual order", () => checkAlbums(listing));
  await t.step("import sessions", () => {
    const { assets, info, facts } = listing;
    assert.equal((info.albums as Record<string, number>).importSessions, facts.importSessions.sessions);
    assert.equal(info.assetsInImportSessions, facts.importSessions.assets);
    assert.equal(assets.length - facts.importSessions.assets, facts.importSessions.without);
  });
  await t.step(
    "files the database lists but the bundle lacks are reported absent, at their path",
    () => checkMissing(listing),
  );
  await t.step("notable assets: Live Photo ids, RAW halves, referenced paths, trash dates, sizes", () => {
    checkNotes(listing);
  });
}

/** The value of the FACT table row whose name starts with `name`. */
function factOf(facts: LibraryFacts, name: string): string {
  const key = [...facts.fact.keys()].find((k) => k.startsWith(name));
  assert.ok(key, `FACT table has ${name}`);
  return facts.fact.get(key)!;
}

function checkSchema({ info, facts }: Listing): void {
  const fact = (name: string) => factOf(facts, name);
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
}

function checkCounts({ assets, facts, bundle }: Listing): void {
  const fact = (name: string) => factOf(facts, name);
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
}

/** User and shared albums with members: their folder path, title and members in manual order. */
function checkAlbums({ assets, facts }: Listing): void {
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
}

function checkMissing(listing: Listing): void {
  const { facts, bundle } = listing;
  const roles: Record<string, Resource["role"]> = {
    original: "original",
    raw_alt: "raw",
    live_video: "motion",
    shared_video: "original",
  };
  for (const missing of facts.missing) {
    const asset = listing.byId.get(missing.uuid)!;
    assert.equal(nfc(asset.filename), nfc(missing.filename));
    const resource = resources(asset, roles[missing.role]).find((r) => r.path === join(bundle, missing.path));
    assert.ok(resource, `${missing.uuid} ${missing.role} at ${missing.path}`);
    assert.equal(resource.present, false, `${missing.path} is absent`);
  }
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
function checkRow(listing: Listing, row: AssetRow, rawPair: boolean): void {
  const asset = listing.byId.get(row.uuid);
  const what = `${row.uuid} ${row.filename}`;
  assert.ok(asset, `${what} is listed`);
  checkValues(asset, row, what);
  assert.deepEqual(
    asset.subtypes,
    expectedSubtypes(row, "hdrType" in asset.sourceData!, rawPair),
    `${what} subtypes`,
  );
  if (row.burstPick === undefined) assert.equal(asset.burst, undefined, what);
  else {
    assert.equal(asset.sourceData!.burstPick, row.burstPick, `${what} burst pick`);
    assert.equal(asset.burst?.picked, row.burstPick !== 2, `${what} picked`);
    assert.equal(asset.burst?.key, (row.burstPick & 16) !== 0, `${what} key frame`);
  }
  checkOriginal(listing, asset, row, what);
  checkExtras(listing, asset, row, what);
}

/** Name, kind, Photos' own values and the flags derived from them. */
function checkValues(asset: Asset, row: AssetRow, what: string): void {
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
}

/** Subtypes follow from the raw values (HDR: ZHDRTYPE≠0; on Photos 5–6 EXIF CustomRendered 2, 3, 7). */
function expectedSubtypes(row: AssetRow, hdrType: boolean, rawPair: boolean): string[] {
  const hdr = hdrType ? row.hdr !== 0 : [2, 3, 7].includes(row.hdr);
  return [
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
}

function checkOriginal({ bundle }: Listing, asset: Asset, row: AssetRow, what: string): void {
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
}

/** The README's roles of the files besides the original, and the resource roles each may be. */
const EXTRA_ROLES: Record<string, Resource["role"][]> = {
  live_video: ["motion"],
  raw_alt: ["raw"],
  camera_aae: ["adjustment"],
  renders: ["adjustment", "edited", "edited_motion"],
  shared_video: ["original"],
  shared_poster: ["sidecar"],
};

function checkExtras({ bundle }: Listing, asset: Asset, row: AssetRow, what: string): void {
  // The README lists the files in the bundle besides the original (and both files of a shared video).
  const extras = asset.resources.filter((r) =>
    (r.role !== "original" || row.original === "see extra") && r.path!.startsWith(`${bundle}/`)
  );
  for (const extra of row.extras) {
    const match = extras.find((r) =>
      EXTRA_ROLES[extra.role].includes(r.role) && basename(r.path!) === extra.file
    );
    assert.ok(match, `${what} has ${extra.role} ${extra.file}`);
    assert.equal(match.present, extra.present, `${what} ${extra.file} presence`);
  }
  assert.equal(extras.length, row.extras.length, `${what}: no file the README does not list`);
}
