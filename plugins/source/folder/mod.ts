/**
 * `source.folder`: any folder of photos and videos (a camera card, an Android or iPhone export, a
 * takeout), read folder by folder so that memory stays flat. Capture dates come from the files'
 * own metadata (EXIF, QuickTime), Live Photo halves are paired by content identifier or by name,
 * RAW+JPEG pairs and iPhone-exported edits are joined to their original, and `.xmp` / `.aae`
 * sidecars are attached to their asset. See `_group.ts` for the rules.
 *
 * An asset's id is the first 32 hex digits of the SHA-1 of its original's path relative to the
 * folder (forward slashes, Unicode NFC): stable across runs and machines, and unchanged when the
 * whole folder moves. The session key is `folder:<absolute path>`.
 *
 * Export hands back the files where they are (no copy): the host only reads them.
 *
 * @example
 * ```ts
 * import folder from "./plugins/source/folder/mod.ts";
 * const session = await folder.open({ library: "/Volumes/CARD/DCIM" }, ctx);
 * for await (const asset of session.list()) console.log(asset.filename, asset.captured?.utc);
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

/** None of its own yet; the folder is not one of them (see {@link FolderOptions}). */
const OPTIONS = [] as const satisfies readonly OptionSpec[];

/** Its options as the host resolved and checked them, plus the `--library` it declares it needs. */
export type FolderOptions = OptionsOf<typeof OPTIONS> & { library: string };

/** The folder source plugin. */
const folder = {
  kind: "source",
  id: "source.folder",
  apiVersion: PLUGIN_API_VERSION,
  version: "0.1.0",
  description: "Any folder of photos and videos (camera cards, exports, takeouts)",
  options: OPTIONS,
  capabilities: [],
  // A folder has capture dates in its files, and nothing else a sync could compare.
  fields: { read: ["captured"] },
  needsLibrary:
    "the folder to read: set --library PATH or PHOTOS_SYNC_LIBRARY to a folder of photos and videos.",
  async open(options: FolderOptions, ctx: PluginContext): Promise<SourceSession> {
    // The reader is loaded when a run opens the folder, not when the plugins are listed.
    const { openFolder } = await loadModule("plugins/source/folder/_session.ts");
    return await openFolder(options, ctx);
  },
} satisfies SourcePlugin;

export default folder;
