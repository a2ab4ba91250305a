/**
 * `destination.folder`: copies each asset's planned files into a dated tree
 * (`<path>/<YYYY>/<MM>/<DD>/<name>`, local capture date), verifying each copy before it becomes
 * visible and never overwriting a different file.
 *
 * A file that is already there with the same content counts as a duplicate, which is what makes a
 * resumed run copy nothing twice. When a name is taken by different content, the whole group gets
 * the asset id's first 8 characters as a suffix, so a Live Photo's still and video stay paired.
 * With `--folder-layout photos-import` the files are named for Photos' own import, each with an
 * XMP sidecar (see `_photos_import.ts`).
 * @module
 */
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import {
  type DestinationPlugin,
  PLUGIN_API_VERSION,
  type PluginContext,
} from "../../../core/plugin/types.ts";
import { loadModule } from "../../../core/lazy.ts";

const OPTIONS = [
  { name: "path", type: "path", required: true, help: "root of the destination folder tree" },
  {
    name: "layout",
    type: "string",
    choices: ["dated", "photos-import"],
    default: "dated",
    help: "dated: the planned names in YYYY/MM/DD folders; photos-import: the same folders, named so that " +
      "Photos' import rebuilds each asset, with an XMP sidecar of its metadata",
  },
] as const satisfies readonly OptionSpec[];

export type FolderOptions = OptionsOf<typeof OPTIONS>;

const folderDestination = {
  kind: "destination",
  id: "destination.folder",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description:
    "Copies assets into a dated folder tree, verified, never overwriting (or laid out for Photos' import)",
  options: OPTIONS,
  assets: {
    // update, albums, people: into the XMP sidecars of the Photos import layout (the dated one keeps none).
    capabilities: ["check", "presence", "verify", "update", "albums", "people"],
    // The host refuses to open it without a path (the option is required), so none is checked here.
    // The layout may be left out by a caller that is not the host (tests, benchmarks): dated.
    async open(options: Omit<FolderOptions, "layout"> & Partial<FolderOptions>, ctx: PluginContext) {
      // The copying code is loaded when a run opens the folder, not when the plugins are listed.
      const { openFolderSession } = await loadModule("plugins/destination/folder/_session.ts");
      return openFolderSession(options.path, ctx.state, options.layout ?? "dated");
    },
  },
} satisfies DestinationPlugin;

export default folderDestination;
