/**
 * `source.photoslibrary`: reads a Photos library bundle (`*.photoslibrary`) directly from its
 * `database/Photos.sqlite`, strictly read-only, on any operating system, for every library format
 * from macOS 10.15 (Photos 5) to 26 (Photos 11). Table, entity and join names and the optional
 * columns are discovered from the database itself, so a newer schema degrades to missing facts,
 * not to errors.
 *
 * Export hands back the library's own files (no copy): the host only reads them.
 *
 * @example
 * ```ts
 * import photoslibrary from "./plugins/source/photoslibrary/mod.ts";
 * const session = await photoslibrary.open({ library: "/Users/me/Pictures/Photos Library.photoslibrary" }, ctx);
 * for await (const asset of session.list()) console.log(asset.id, asset.filename);
 * await session.close();
 * ```
 * @module
 */
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import {
  PLUGIN_API_VERSION,
  type PluginContext,
  type SourcePlugin,
  type SourceSession,
} from "../../../core/plugin/types.ts";
import { loadModule } from "../../../core/lazy.ts";

/** None of its own yet; the library is not one of them (see {@link PhotosLibraryOptions}). */
const OPTIONS = [] as const satisfies readonly OptionSpec[];

/** Said by the host when `--library` is missing; off a Mac there is no system library to fall back to. */
const NEEDS_LIBRARY = "the library: set --library or PHOTOS_SYNC_LIBRARY to your .photoslibrary bundle, " +
  `e.g. "~/Pictures/Photos Library.photoslibrary".` +
  (Deno.build.os === "darwin"
    ? ""
    : ` On ${Deno.build.os} there is no system Photos library to fall back to ` +
      "(PhotoKit runs only on macOS): copy the library from the Mac and name it.");

/** Its options as the host resolved and checked them, plus the `--library` it declares it needs. */
export type PhotosLibraryOptions = OptionsOf<typeof OPTIONS> & { library: string };

/** The Photos library source plugin. */
const photoslibrary = {
  kind: "source",
  id: "source.photoslibrary",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Reads a Photos library bundle (.photoslibrary) directly, read-only",
  options: OPTIONS,
  capabilities: ["listAlbums", "history"],
  // Photos keeps no star rating; the reader never writes (what Immich changed waits for PhotoKit).
  fields: {
    read: ["favorite", "hidden", "title", "caption", "keywords", "location", "captured", "albums", "people"],
  },
  needsLibrary: NEEDS_LIBRARY,
  async open(options: PhotosLibraryOptions, ctx: PluginContext): Promise<SourceSession> {
    // The reader is loaded when a run opens the library, not when the plugins are listed.
    const { openSession } = await loadModule("plugins/source/photoslibrary/_session.ts");
    return openSession(options, ctx);
  },
} satisfies SourcePlugin;

export default photoslibrary;
