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
import { join } from "node:path";
import type { AlbumRef, Asset } from "../../../core/model/asset.ts";
import type { SideFields } from "../../../core/model/synced.ts";
import { ConfigError, PermanentError } from "../../../core/plugin/errors.ts";
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import {
  type ExportRequest,
  PLUGIN_API_VERSION,
  type PluginContext,
  type SourceFile,
  type SourcePlugin,
  type SourceSession,
} from "../../../core/plugin/types.ts";
import { bareId, toAsset, typesForRole } from "./_asset.ts";
import { changedIds, nativeFields } from "./_sync.ts";
import { type AuthorizationStatus, PhotosBridge, type ResourceSelector } from "./bridge.ts";

const OPTIONS = [
  {
    name: "lib",
    type: "path",
    help: "the PhotoKit helper libPhotosBridge.dylib (default: next to the photos-sync binary)",
  },
  {
    name: "exclude-hidden",
    type: "boolean",
    default: false,
    help: "leave hidden assets out (by default they are listed and keep their hidden flag)",
  },
  {
    name: "picked-bursts-only",
    type: "boolean",
    default: false,
    help: "list only the picked frames of a burst (by default every frame is listed)",
  },
  {
    name: "include-shared-albums",
    type: "boolean",
    default: false,
    help: "also list the assets of iCloud Shared Albums",
  },
  {
    name: "timeout",
    type: "number",
    default: 300,
    range: [1, 86400],
    help: "seconds one file may go without data or progress before its export is abandoned and retried",
  },
] as const satisfies readonly OptionSpec[];

/** Its options as the host resolved and checked them, plus the core `library` the host gives every source. */
type PhotoKitOptions = OptionsOf<typeof OPTIONS> & { library?: string };

/** What to tell the user for each status that is not full access. */
const ACCESS_ADVICE: Record<Exclude<AuthorizationStatus, "authorized">, string> = {
  limited: "photos-sync has access to selected photos only, and would take the others for deleted. " +
    "Choose Full Access for the app that runs photos-sync (e.g. Terminal) in System Settings > " +
    "Privacy & Security > Photos",
  denied: "access to Photos was denied. Allow it for the app that runs photos-sync (e.g. Terminal) " +
    "in System Settings > Privacy & Security > Photos, then run again",
  restricted: "access to Photos is restricted on this Mac (parental controls or a device profile); " +
    "an administrator must lift the restriction",
  not_determined: "macOS did not ask for access to Photos (no prompt could be shown). Run photos-sync " +
    "once from Terminal to answer the prompt, or allow it in System Settings > Privacy & Security > Photos",
};

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
    const bridge = PhotosBridge.open({ path: options.lib });
    try {
      const status = await bridge.authorize(true);
      if (status !== "authorized") throw new ConfigError(`source.photokit: ${ACCESS_ADVICE[status]}.`);
      ctx.log.debug("PhotoKit helper loaded", { path: bridge.path });
      return openSession(ctx, { bridge, options });
    } catch (error) {
      await bridge.close();
      throw error;
    }
  },
} satisfies SourcePlugin;

export default photokit;

function openSession(
  ctx: PluginContext,
  { bridge, options }: { bridge: PhotosBridge; options: PhotoKitOptions },
): SourceSession {
  const timeoutSeconds = options.timeout;

  return {
    key: "photos",

    list: () => listAssets(ctx, bridge, options),

    async export({ asset, plan, dir, allowNetwork }: ExportRequest): Promise<SourceFile[]> {
      // One file per planned resource, named by its position so two resources never collide.
      const resources = plan.resources.map((planned, i) => ({
        types: typesForRole(planned.role),
        filename: planned.resource.filename,
        path: join(dir, `${i}_${safeName(planned.name)}`),
      }));
      try {
        const files = await bridge.export(
          { id: asset.id, resources, allowNetwork, timeoutSeconds },
          { signal: ctx.signal, onProgress: progressLogger(ctx, plan.resources.map((r) => r.name)) },
        );
        return plan.resources.map((planned, i) => ({ key: planned.key, path: files[i].path }));
      } catch (error) {
        throw withAsset(error, asset);
      }
    },

    async download(assets: Asset[]): Promise<void> {
      const request = missingHere(assets);
      if (request.length === 0) return;
      const names = request.flatMap((a) => a.resources.map((r) => r.filename));
      const result = await bridge.download(request, {
        signal: ctx.signal,
        timeoutSeconds,
        onProgress: progressLogger(ctx, names),
      });
      if (result.notFound.length > 0) {
        throw new PermanentError(`not in Photos any more: ${result.notFound.join(", ")}`);
      }
    },

    async delete(ids: string[]): Promise<{ deleted: string[]; notFound: string[] }> {
      if (ids.length === 0) return { deleted: [], notFound: [] };
      return await bridge.delete(ids);
    },

    async write(id: string, fields: Omit<SideFields, "people">): Promise<void> {
      const native = nativeFields(fields);
      if (Object.keys(native).length > 0) await bridge.write(id, native);
    },

    async history(token: string | undefined): Promise<{ changed: string[] | "all"; token: string }> {
      const history = await bridge.history(token ?? null);
      return { changed: changedIds(history), token: history.next };
    },

    async listAlbums(): Promise<AlbumRef[]> {
      const albums = await bridge.albums();
      return albums.map((a) => ({ id: bareId(a.localIdentifier), title: a.title, folders: [...a.folders] }));
    },

    close: () => bridge.close(),
  };
}

/** The library's assets, page by page; audio is left out and counted. */
async function* listAssets(
  ctx: PluginContext,
  bridge: PhotosBridge,
  options: PhotoKitOptions,
): AsyncGenerator<Asset> {
  let skipped = 0;
  const pages = bridge.list({
    includeHidden: !options["exclude-hidden"],
    includeAllBursts: !options["picked-bursts-only"],
    includeSharedAlbums: options["include-shared-albums"],
  });
  for await (const page of pages) {
    // Stop with an error, never quietly: a short listing must not look like deleted assets.
    ctx.signal.throwIfAborted();
    for (const native of page) {
      const asset = toAsset(native);
      if (asset) yield asset;
      else skipped++;
    }
  }
  if (skipped > 0) ctx.log.info(`left out ${skipped} assets that are neither photo nor video (audio)`);
}

/**
 * Logs download progress at quarter steps: enough to see that a large file is moving. A file that
 * reports only its completion was read from this Mac and is not logged.
 */
function progressLogger(ctx: PluginContext, names: string[]): (index: number, fraction: number) => void {
  const logged = new Map<number, number>();
  return (index, fraction) => {
    const step = Math.floor(fraction * 4);
    const last = logged.get(index);
    if ((last ?? -1) >= step || (last === undefined && step === 4)) return;
    logged.set(index, step);
    ctx.log.debug(`downloading ${names[index] ?? "a file"} from iCloud: ${Math.round(fraction * 100)}%`);
  };
}

/** The resources of these assets that are known to be missing here: reading local files would only cost time. */
function missingHere(assets: Asset[]): { id: string; resources: ResourceSelector[] }[] {
  return assets.map((asset) => ({
    id: asset.id,
    resources: asset.resources.filter((r) => !r.present).map((r) => ({
      types: typesForRole(r.role),
      filename: r.filename,
    })),
  })).filter((a) => a.resources.length > 0);
}

/** Keeps a file name recognisable but free of path separators and control characters. */
function safeName(name: string): string {
  const safe = Array.from(name, (c) => c === "/" || c === "\\" || c.charCodeAt(0) < 32 ? "_" : c).join("");
  return safe.slice(0, 200) || "file";
}

/** Names the asset in an error from the bridge, keeping its class. */
function withAsset(error: unknown, asset: Asset): unknown {
  if (error instanceof Error) error.message = `${asset.filename} (${asset.id}): ${error.message}`;
  return error;
}
