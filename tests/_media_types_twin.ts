/**
 * The Media-Types library as the C twin of the PhotoKit helper shows it: every asset the library
 * reader yields becomes a PhotoKit asset of the twin's fixture, its files the library's own (read
 * only), so that the CLI can run `--source photokit` over it and delete from it, as on a Mac. The
 * twin persists (`"persist": true`), so what one CLI process deleted or created the next one sees.
 *
 * The library's RAW+JPEG pair lacks its CR2 (the shared data never had it): a stand-in file of the
 * recorded size takes its place, so that the pair still travels as two files.
 * @module
 */
import { join } from "node:path";
import type { Asset, Resource } from "../core/model/asset.ts";
import { testContext } from "../core/plugin/testing/context.ts";
import {
  type FixtureAsset,
  type FixtureLibrary,
  fixtureLibrary,
} from "../plugins/source/photokit/_fixture_library.ts";
import photoslibrary from "../plugins/source/photoslibrary/mod.ts";
import { MEDIA_TYPES } from "../plugins/handler/_test_assets.ts";
import { cliEnv, type CliResult } from "./_cli.ts";

/** The assets the round trip takes out of Photos and back, by what they are. */
export const PICKS = {
  live: "EC19EA1A-FC91-449C-8925-B13D863E2EDB",
  edited: "B60C31AC-BE86-42C5-A383-A0A5710B18AE",
  rawJpeg: "1AA0EB69-C3B3-44E7-9AA3-275F0347ABD8",
  burst: [
    "79D1A1A5-B1EA-41D1-83B1-C71F001E6D49",
    "D87BFE7E-A479-4ECD-98E8-1A8D06EF607E",
    "BB0F9F05-D186-4D43-9903-A4AD7A1BC8B0",
    "7B85B835-AB73-46B1-8840-6BA63FB2D9DD",
  ],
};

/** Facts the library lacks (nothing in it is a favourite, hidden or has a place) that the round trip must keep. */
export const GIVEN = {
  favorite: PICKS.live,
  hidden: PICKS.burst[2],
  location: { id: PICKS.edited, latitude: 48.8584, longitude: 2.2945 },
};

const TYPE_OF_ROLE: Record<string, (a: Asset) => string> = {
  original: (a) => a.kind === "video" ? "video" : "photo",
  motion: () => "pairedVideo",
  raw: () => "alternatePhoto",
  edited: (a) => a.kind === "video" ? "fullSizeVideo" : "fullSizePhoto",
  edited_motion: () => "fullSizePairedVideo",
  adjustment: () => "adjustmentData",
};

const SUBTYPE: Record<string, string> = {
  live: "photoLive",
  hdr: "photoHDR",
  panorama: "photoPanorama",
  screenshot: "photoScreenshot",
  portrait: "photoDepthEffect",
  slomo: "videoHighFrameRate",
  timelapse: "videoTimelapse",
};

export interface MediaTypesTwin {
  lib: FixtureLibrary;
  /** The library's assets as its reader yields them, by id. */
  assets: Map<string, Asset>;
  /** The bytes each file of an asset started from, by asset id and PhotoKit resource type. */
  files: Map<string, Map<string, string>>;
}

/** A copy of the library in `dir`: its database copied (never opened in place), the rest linked. */
function libraryCopy(dir: string): string {
  const library = join(dir, "Test-Media-Types.photoslibrary");
  Deno.mkdirSync(join(library, "database"), { recursive: true });
  for (const entry of Deno.readDirSync(join(MEDIA_TYPES, "database"))) {
    if (entry.isFile && entry.name.startsWith("Photos.sqlite")) {
      Deno.copyFileSync(join(MEDIA_TYPES, "database", entry.name), join(library, "database", entry.name));
    }
  }
  for (const entry of Deno.readDirSync(MEDIA_TYPES)) {
    if (entry.name !== "database") Deno.symlinkSync(join(MEDIA_TYPES, entry.name), join(library, entry.name));
  }
  return library;
}

/** The twin over a copy of the Media-Types library, made in `dir` (with the RAW stand-in). */
export async function mediaTypesTwin(dir: string): Promise<MediaTypesTwin> {
  await using ctx = await testContext();
  const session = await photoslibrary.open({ library: libraryCopy(dir) }, ctx);
  const assets = new Map<string, Asset>();
  try {
    for await (const a of session.list()) assets.set(a.id, a);
  } finally {
    await session.close();
  }
  const files = new Map<string, Map<string, string>>();
  const fixtureAssets: FixtureAsset[] = [];
  for (const asset of assets.values()) {
    const byType = new Map<string, string>();
    const resources = [];
    for (const r of asset.resources) {
      const type = TYPE_OF_ROLE[r.role]?.(asset);
      const path = r.present
        ? r.path
        : asset.id === PICKS.rawJpeg && r.role === "raw"
        ? await standIn(dir, r)
        : undefined;
      if (!type || !path || byType.has(type)) continue;
      byType.set(type, path);
      resources.push({
        type,
        filename: r.filename,
        uti: r.uti ?? "public.data",
        raw: r.role === "raw",
        _file: path,
      });
    }
    if (!byType.has("photo") && !byType.has("video")) continue;
    files.set(asset.id, byType);
    fixtureAssets.push(nativeOf(asset, resources));
  }
  const albums = [...new Map(
    [...assets.values()].flatMap((a) => a.albums).map((al) => [al.id, al]),
  ).values()].map((al) => ({
    localIdentifier: `${al.id}/L0/040`,
    title: al.title,
    folders: al.folders,
    kind: "regular" as const,
  }));
  const lib = await fixtureLibrary({ persist: true, albums, assets: fixtureAssets });
  return { lib, assets, files };
}

function nativeOf(asset: Asset, resources: FixtureAsset["resources"]): FixtureAsset {
  const location = asset.id === GIVEN.location.id
    ? { latitude: GIVEN.location.latitude, longitude: GIVEN.location.longitude }
    : asset.location ?? null;
  return {
    localIdentifier: `${asset.id}/L0/001`,
    mediaType: asset.kind === "video" ? "video" : "image",
    mediaSubtypes: asset.subtypes.map((s) => SUBTYPE[s]).filter(Boolean),
    sourceTypes: ["userLibrary"],
    creationDate: asset.captured?.utc ?? null,
    modificationDate: asset.modified ?? null,
    pixelWidth: asset.width ?? 0,
    pixelHeight: asset.height ?? 0,
    duration: asset.durationSeconds ?? 0,
    favorite: asset.id === GIVEN.favorite || asset.favorite,
    hidden: asset.id === GIVEN.hidden || asset.hidden,
    burstIdentifier: asset.burst?.id ?? null,
    burstSelectionTypes: asset.burst?.picked ? ["userPick"] : [],
    representsBurst: asset.burst?.key ?? false,
    location,
    albums: asset.albums.map((al) => ({
      localIdentifier: `${al.id}/L0/040`,
      title: al.title,
      folders: al.folders,
    })),
    resources,
  };
}

/** A CR2 stand-in of the size the library records for the absent RAW. */
async function standIn(dir: string, r: Resource): Promise<string> {
  const path = join(dir, r.filename);
  const bytes = new Uint8Array(r.size ?? 1_000_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
  // A CR2's own header (TIFF, little-endian, "CR" version 2), so it passes as the RAW it stands for.
  bytes.set([0x49, 0x49, 0x2a, 0x00, 0x10, 0x00, 0x00, 0x00, 0x43, 0x52, 0x02, 0x00]);
  await Deno.writeFile(path, bytes);
  return path;
}

const TWIN_MAIN = new URL("./_twin_main.ts", import.meta.url).pathname;

function twinCommand(args: string[], env: Record<string, string>, stdout: "piped" | "null"): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", TWIN_MAIN, ...args],
    env: cliEnv(env),
    clearEnv: true,
    stdout,
    stderr: "piped",
  });
}

/** Runs the CLI over the twin (see _twin_main.ts), as `cli` runs main.ts. */
export async function twinCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const out = await twinCommand(args, env, "piped").output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/** Starts the CLI over the twin without waiting, its output piped (for the kill tests). */
export function spawnTwinCli(args: string[], env: Record<string, string> = {}): Deno.ChildProcess {
  return twinCommand(args, env, "piped").spawn();
}
