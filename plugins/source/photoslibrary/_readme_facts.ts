/**
 * Test helper: reads the facts that `../shared/testdata/photoslibraries/README.md` lists for each
 * real library (computed there with the `sqlite3` tool, independently of this reader), so the tests
 * compare the reader with that document itself rather than with a copy of its numbers. The checks
 * of a listing against them are in `_readme_checks.ts`.
 *
 * @example
 * ```ts
 * const facts = readmeFacts(await Deno.readTextFile(readme), "Test-26.1");
 * await checkLibraryFacts(t, { bundle, assets, byId, info, facts });
 * ```
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";

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
