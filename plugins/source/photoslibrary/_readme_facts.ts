/**
 * Test helper: reads the facts that `../shared/testdata/photoslibraries/README.md` lists for each
 * real library (computed there with the `sqlite3` tool, independently of this reader) and checks a
 * listing against them, so the tests compare the reader with that document itself rather than with
 * a copy of its numbers. Used on the reader's own listing and on `photos-sync scan --json`.
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

/** A listing of one fixture and the README's facts about it. */
export interface Listing {
  /** The bundle the listing's paths point into. */
  bundle: string;
  assets: Asset[];
  byId: Map<string, Asset>;
  /** The source's library info (`SourceSession.info`). */
  info: Record<string, unknown>;
  facts: LibraryFacts;
}

/** One row of a library's "All assets" table. */
export interface AssetRow {
  pk: number;
  uuid: string;
  filename: string;
  kind: "photo" | "video";
  kindSubtype: number;
  playbackStyle: number;
  hdr: number;
  depth: number;
  /** Undefined where the library has no `ZSPATIALTYPE` column. */
  spatial?: number;
  burstPick?: number;
  adjusted: number;
  savedType: number;
  trashed: boolean;
  hidden: boolean;
  favorite: boolean;
  visibility: number;
  original: "present" | "ABSENT" | "external" | "see extra";
  /** `role: file present|ABSENT` entries and render file names. */
  extras: { role: string; file: string; present: boolean }[];
}

/** One row of the "Albums and folders" table. */
export interface AlbumRow {
  pk: number;
  kind: number;
  title: string;
  parent?: number;
  members: string[];
}

/** One row of the "Originals referenced by the DB but ABSENT on disk" table. */
export interface MissingRow {
  uuid: string;
  filename: string;
  role: string;
  path: string;
}

export interface LibraryFacts {
  name: string;
  /** The FACT table: fact name to value text. */
  fact: Map<string, string>;
  assets: AssetRow[];
  albums: AlbumRow[];
  missing: MissingRow[];
  /** Import sessions line: session count, assets in sessions, assets outside any. */
  importSessions: { sessions: number; assets: number; without: number };
  /** The whole section's text, for notes that are easier to match than to parse. */
  text: string;
}

/** The section of the README about library `name` (e.g. `Test-26.1`), parsed. */
export function readmeFacts(readme: string, name: string): LibraryFacts {
  const text = readme.split(/\n### /).find((s) => s.split("\n")[0].endsWith(` ${name}`));
  if (!text) throw new Error(`README has no section for ${name}`);

  const tableAfter = (heading: RegExp) => {
    const lines = text.split("\n");
    const at = lines.findIndex((l) => heading.test(l));
    if (at < 0) throw new Error(`${name}: no table after ${heading}`);
    const rows: string[][] = [];
    let seen = false;
    for (const line of lines.slice(at)) {
      if (!line.startsWith("|")) {
        if (seen) break;
        continue;
      }
      seen = true;
      rows.push(line.slice(1, -1).split(" | ").map((c) => c.trim()));
    }
    // Header and separator rows.
    return rows.slice(2);
  };
  const unquote = (s: string) => s.replace(/^`|`$/g, "");

  const fact = new Map(tableAfter(/^\*\*FACT table\*\*/).map(([k, v]) => [k, v.replaceAll("**", "")]));
  const assets = tableAfter(/^All assets \(`pk`=Z_PK/).map((c): AssetRow => {
    const [t, h, f] = c[12].split("/").map((x) => x === "1");
    return {
      pk: Number(c[0]),
      uuid: unquote(c[1]),
      filename: c[2],
      kind: c[3] as "photo" | "video",
      kindSubtype: Number(c[4]),
      playbackStyle: Number(c[5]),
      hdr: Number(c[6]),
      depth: Number(c[7]),
      spatial: c[8] === "" ? undefined : Number(c[8]),
      burstPick: c[9] === "" ? undefined : Number(c[9]),
      adjusted: Number(c[10]),
      savedType: Number(c[11]),
      trashed: t,
      hidden: h,
      favorite: f,
      visibility: Number(c[13]),
      original: c[14].replaceAll("**", "") as AssetRow["original"],
      extras: extrasOf(c[15]),
    };
  });
  const albums = tableAfter(/^\| Z_PK \| kind \| title/).map((c): AlbumRow => ({
    pk: Number(c[0]),
    kind: Number(c[1].split(" ")[0]),
    title: c[2],
    parent: c[3] === "" ? undefined : Number(c[3].split(" ")[0]),
    members: c[5] === "" ? [] : c[5].split(", "),
  }));
  const missing = tableAfter(/^\*\*Originals referenced by the DB but ABSENT/)
    .filter((c) => c[0] !== "—")
    .map(([uuid, filename, role, path]) => ({ uuid: unquote(uuid), filename, role, path: unquote(path) }));
  const sessions = /(\d+) session\(s\) holding (\d+) assets.*assets with no import session: (\d+)/.exec(text);
  if (!sessions) throw new Error(`${name}: no import sessions line`);
  return {
    name,
    fact,
    assets,
    albums,
    missing,
    importSessions: {
      sessions: Number(sessions[1]),
      assets: Number(sessions[2]),
      without: Number(sessions[3]),
    },
    text,
  };
}

/** `renders: \`a\`, \`b\`; live_video: \`c\` **ABSENT**` -> entries. */
function extrasOf(cell: string): AssetRow["extras"] {
  const out: AssetRow["extras"] = [];
  for (const part of cell.split("; ").filter(Boolean)) {
    const colon = part.indexOf(": ");
    const role = part.slice(0, colon);
    const rest = part.slice(colon + 2);
    if (role === "renders") {
      for (const file of rest.split(", ")) out.push({ role, file: file.replace(/`/g, ""), present: true });
    } else {
      const file = /`([^`]+)`/.exec(rest)![1];
      out.push({ role, file, present: !rest.includes("ABSENT") });
    }
  }
  return out;
}

/** `16,128,420` -> 16128420. */
export function bytes(text: string): number {
  return Number(text.replaceAll(",", ""));
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

/**
 * Asserts every fact of the README section about `listing.facts.name` against a listing, as test
 * steps of `t`.
 */
export async function checkLibraryFacts(t: Deno.TestContext, listing: Listing): Promise<void> {
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
