/**
 * `destination.photokit`: Apple Photos as a destination. Each asset becomes one asset of the
 * system Photos library, created through PhotoKit by the same Swift helper `source.photokit` uses
 * (libPhotosBridge): a Live Photo's still and video as one Live Photo, a RAW+JPEG pair as one
 * asset, an edit as its render over the original where the adjustment data comes with it, with
 * the capture date, location, favorite, hidden, title, caption, keywords and albums. This is how
 * `unarchive` and `pull` bring assets back into Photos through the engine's lanes, retries, dry
 * run and tracker. What Photos accepts and what it does not: `docs/photos-destination.md`.
 *
 * @example
 * ```ts
 * import photokit from "./plugins/destination/photokit/mod.ts";
 * const session = await photokit.assets.open({ lib: "/opt/photos-sync/libPhotosBridge.dylib" }, ctx);
 * const { resources } = await session.put(group); // every file: the new asset's UUID
 * await session.close();
 * ```
 * @module
 */
import { ConfigError } from "../../../core/plugin/errors.ts";
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import {
  type AssetDestinationSession,
  type DestinationPlugin,
  PLUGIN_API_VERSION,
  type PluginContext,
} from "../../../core/plugin/types.ts";
import { loadModule } from "../../../core/lazy.ts";

const OPTIONS = [
  {
    name: "lib",
    // `--photokit-lib` is the source's; both read PHOTOS_SYNC_PHOTOKIT_LIB, since it is one helper.
    flag: "photokit-dest-lib",
    type: "path",
    help: "the PhotoKit helper libPhotosBridge.dylib (default: next to the photos-sync binary)",
  },
] as const satisfies readonly OptionSpec[];

const photokitDestination = {
  kind: "destination",
  id: "destination.photokit",
  apiVersion: PLUGIN_API_VERSION,
  version: "0.1.0",
  description:
    "The system Photos library through PhotoKit (macOS): assets created whole, with their metadata",
  platforms: ["darwin"],
  options: OPTIONS,
  assets: {
    capabilities: ["check", "presence", "remove"],
    async open(options: OptionsOf<typeof OPTIONS>, ctx: PluginContext): Promise<AssetDestinationSession> {
      // The bridge (FFI) is loaded when a run opens it, not when the plugins are listed.
      const [{ PhotosBridge }, { ACCESS_ADVICE, PhotoKitSession }] = await Promise.all([
        loadModule("plugins/source/photokit/bridge.ts"),
        loadModule("plugins/destination/photokit/_session.ts"),
      ]);
      const bridge = PhotosBridge.open({ path: options.lib });
      try {
        const status = await bridge.authorize(true);
        if (status !== "authorized") throw new ConfigError(`destination.photokit: ${ACCESS_ADVICE[status]}.`);
        ctx.log.debug("PhotoKit helper loaded", { path: bridge.path });
        return new PhotoKitSession(bridge, ctx);
      } catch (error) {
        await bridge.close();
        throw error;
      }
    },
  },
} satisfies DestinationPlugin;

export default photokitDestination;
