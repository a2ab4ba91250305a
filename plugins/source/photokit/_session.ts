/**
 * The session of `source.photokit` (see `mod.ts`): the PhotoKit bridge opened and authorized, the
 * library listed and exported through it. Loaded when a run opens the source.
 * @module
 */
import { join } from "node:path";
import type { AlbumRef, Asset } from "../../../core/model/asset.ts";
import type { SideFields } from "../../../core/model/synced.ts";
import { ConfigError, PermanentError } from "../../../core/plugin/errors.ts";
import type { ExportRequest, PluginContext, SourceFile, SourceSession } from "../../../core/plugin/types.ts";
import { bareId, toAsset, typesForRole } from "./_asset.ts";
import { changedIds, nativeFields } from "./_sync.ts";
import { type AuthorizationStatus, PhotosBridge, type ResourceSelector } from "./bridge.ts";
import type { PhotoKitOptions } from "./_options.ts";

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

/** Opens the bridge and asks for access; a session on the system library once it is granted. */
export async function openPhotoKit(options: PhotoKitOptions, ctx: PluginContext): Promise<SourceSession> {
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
}

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
