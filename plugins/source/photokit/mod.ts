/**
 * `source.photokit`: the system Photos library through Apple's PhotoKit, by way of the Swift helper
 * libPhotosBridge (`swift/`) loaded with Deno FFI (`ffi.ts`, `bridge.ts`). It sees what Photos
 * sees, including originals that are only in iCloud (downloaded on request); it can move assets
 * to Recently Deleted, write metadata changed at a destination back into Photos (`write`), and say
 * which assets changed since a token from Photos' persistent change history (`history`).
 *
 * Its asset ids are bare Photos UUIDs under the session key `photos`, exactly like
 * `source.photoslibrary`, so switching between the two imports nothing twice.
 *
 * @example
 * ```ts
 * import photokit from "./plugins/source/photokit/mod.ts";
 * const options = optionValues(photokit.id, photokit.options, { lib: "/opt/photos-sync/libPhotosBridge.dylib" });
 * const session = await photokit.open(options, ctx);
 * for await (const asset of session.list()) console.log(asset.id, asset.filename);
 * await session.close();
 * ```
 * @module
 */
import { ConfigError } from "../../../core/plugin/errors.ts";
import {
  PLUGIN_API_VERSION,
  type PluginContext,
  type SourcePlugin,
  type SourceSession,
} from "../../../core/plugin/types.ts";
import { OPTIONS, type PhotoKitOptions } from "./_options.ts";
import { loadModule } from "../../../core/lazy.ts";

export type { PhotoKitOptions };

/** The PhotoKit source plugin. */
const photokit = {
  kind: "source",
  id: "source.photokit",
  apiVersion: PLUGIN_API_VERSION,
  version: "0.1.0",
  description: "The system Photos library through PhotoKit (macOS), iCloud downloads included",
  platforms: ["darwin"],
  options: OPTIONS,
  capabilities: ["download", "delete", "write", "history", "listAlbums"],
  // PhotoKit lists no title, caption or keywords (they are written through Photos' scripting).
  fields: {
    read: ["favorite", "hidden", "location", "captured", "albums"],
    write: ["favorite", "hidden", "location", "captured", "albums", "title", "caption", "keywords"],
  },
  async open(options: PhotoKitOptions, ctx: PluginContext): Promise<SourceSession> {
    if (options.library !== undefined && options.library.trim() !== "") {
      throw new ConfigError(
        `source.photokit reads the system Photos library only, not ${options.library}. ` +
          `To read that library, use --source photoslibrary --library "${options.library}"; ` +
          `to use PhotoKit, unset --library / PHOTOS_SYNC_LIBRARY.`,
      );
    }
    // The bridge (FFI) and the session are loaded when a run opens the source, not when plugins are listed.
    const { openPhotoKit } = await loadModule("plugins/source/photokit/_session.ts");
    return await openPhotoKit(options, ctx);
  },
} satisfies SourcePlugin;

export default photokit;
