/**
 * Test helpers of this folder (and of `destination.photokit`, which loads the same helper): compiles `testdata/fixture_bridge.c` (the C test double of
 * libPhotosBridge) with the system's `cc`, and makes independent "Photos libraries" from it: each
 * is a copy of the compiled library in its own folder next to its `fixture.json`, so two of them
 * loaded at once do not share state.
 *
 * @example
 * ```ts
 * await using lib = await fixtureLibrary({ assets: [nativeAsset] });
 * const bridge = PhotosBridge.open({ path: lib.path });
 * ```
 * @module
 */
import { HAS_SHARED, MEDIA } from "../../../tests/shared_data.ts";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { NativeAsset, NativeResource } from "./bridge.ts";

const SOURCE = fileURLToPath(new URL("./testdata/fixture_bridge.c", import.meta.url));
/** The ABI header both implementations follow. */
export const HEADER_DIR = fileURLToPath(
  new URL("../../../swift/Sources/CPhotosBridge/include", import.meta.url),
);

/** A resource of the fixture: what psb_list shows, plus where its bytes are and how it behaves. */
export interface FixtureResource extends NativeResource {
  _file?: string;
  _cloudOnly?: boolean;
  _stall?: boolean;
  _fail?: "network";
}

export interface FixtureAsset extends Omit<NativeAsset, "resources"> {
  resources: FixtureResource[];
}

/** An album psb_write may name; `kind` other than `regular` is refused, as PhotoKit refuses it. */
export interface FixtureAlbum {
  localIdentifier: string;
  title: string;
  folders: string[];
  kind: "regular" | "smart" | "shared";
}

/** One entry of Photos' persistent change history, as the fixture replays it. */
export interface FixtureChange {
  object: "asset" | "album";
  change: "inserted" | "updated" | "deleted";
  id: string;
}

export interface Fixture {
  authorization?: string;
  promptResult?: string;
  declineChanges?: boolean;
  /** Every change is written back to fixture.json, so the next process loading it sees it. */
  persist?: boolean;
  /** The process kills itself right after the n-th such call made (and persisted) its change. */
  dieAfter?: { delete?: number; create?: number };
  /** "denied": the user refused Automation, so title, caption and keywords cannot be written. */
  automation?: "denied";
  albums?: FixtureAlbum[];
  /** The history the library starts with; tokens older than the `expiredBefore`-th change are expired. */
  history?: { changes: FixtureChange[]; expiredBefore?: number };
  assets: FixtureAsset[];
}

export interface FixtureLibrary extends AsyncDisposable {
  /** The library file to load. */
  path: string;
  dir: string;
}

const builds = new Map<number | undefined, Promise<string>>();
let buildRoot: string | undefined;

globalThis.addEventListener("unload", () => {
  if (buildRoot) Deno.removeSync(buildRoot, { recursive: true });
});

/** Compiles the fixture once per process (per ABI version); returns the shared object's path. */
function build(abiVersion?: number): Promise<string> {
  let built = builds.get(abiVersion);
  if (!built) {
    built = (async () => {
      buildRoot ??= await Deno.makeTempDir({ prefix: "photokit-fixture-build-" });
      const out = join(buildRoot, `fixture-${abiVersion ?? "current"}.so`);
      const args = ["-shared", "-fPIC", "-O1", "-Wall", "-Wextra", "-Werror", "-pthread", `-I${HEADER_DIR}`];
      if (abiVersion !== undefined) args.push(`-DFIXTURE_ABI_VERSION=${abiVersion}`);
      args.push("-o", out, SOURCE, "-ldl", "-lm");
      const result = await new Deno.Command("cc", { args, stdout: "piped", stderr: "piped" }).output();
      if (!result.success) {
        throw new Error(
          `cc failed to build the fixture library:\n${new TextDecoder().decode(result.stderr)}`,
        );
      }
      return out;
    })();
    builds.set(abiVersion, built);
  }
  return built;
}

/** A fresh fixture library over `fixture`, removed with its folder when disposed. */
export async function fixtureLibrary(
  fixture: Fixture,
  options: { abiVersion?: number } = {},
): Promise<FixtureLibrary> {
  const built = await build(options.abiVersion);
  const dir = await Deno.makeTempDir({ prefix: "photokit-fixture-" });
  const path = join(dir, "libPhotosBridge.so");
  await Deno.copyFile(built, path);
  await Deno.writeTextFile(join(dir, "fixture.json"), JSON.stringify(fixture));
  return {
    path,
    dir,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** One asset psb_create made, as the fixture's library.json records it (see fixture_bridge.c). */
export interface CreatedAsset {
  /** Every file that crossed the boundary, in request order, with the copy the library keeps. */
  resources: { type: string; filename: string; source: string; copy: string; size: number }[];
  /** The fields exactly as the request gave them. */
  fields: Record<string, unknown>;
  /** Moved to Recently Deleted since. */
  deleted: boolean;
  /** The asset as psb_list shows it now. */
  asset: NativeAsset;
}

/** What psb_create made in this fixture library so far, by local identifier. */
export async function createdAssets(lib: FixtureLibrary): Promise<Record<string, CreatedAsset>> {
  try {
    return JSON.parse(await Deno.readTextFile(join(lib.dir, "library.json")));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    throw e;
  }
}

/** The real iPhone Live Photo pairs of shared/testdata/media, if this checkout has them beside it. */
export function sharedMedia(): string | undefined {
  return HAS_SHARED ? MEDIA : undefined;
}

/** A PhotoKit-shaped asset with sensible defaults; `resources` and the id are what matter most. */
export function nativeAsset(uuid: string, fields: Partial<FixtureAsset> = {}): FixtureAsset {
  return {
    localIdentifier: `${uuid}/L0/001`,
    mediaType: "image",
    mediaSubtypes: [],
    sourceTypes: ["userLibrary"],
    creationDate: "2025-05-26T14:27:06.603Z",
    modificationDate: "2025-06-01T08:00:00.000Z",
    pixelWidth: 4032,
    pixelHeight: 3024,
    duration: 0,
    favorite: false,
    hidden: false,
    burstIdentifier: null,
    burstSelectionTypes: [],
    representsBurst: false,
    location: null,
    albums: [],
    resources: [],
    ...fields,
  };
}
