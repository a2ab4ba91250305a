/**
 * `source.photoslibrary`: reads a Photos library bundle (`*.photoslibrary`) directly from its
 * `database/Photos.sqlite`, strictly read-only, on any operating system. This is the minimal
 * reader of the current (macOS 26) schema; table names and optional columns are discovered from
 * the database, so older schemas can be added without restructuring.
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
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { Asset } from "../../../core/model/asset.ts";
import type { PlannedResource } from "../../../core/model/plan.ts";
import { ConfigError, PermanentError } from "../../../core/plugin/errors.ts";
import {
  type ExportRequest,
  PLUGIN_API_VERSION,
  type PluginContext,
  type SourceFile,
  type SourcePlugin,
  type SourceSession,
} from "../../../core/plugin/types.ts";
import type { OptionValues } from "../../../core/plugin/options.ts";
import { openPhotosDatabase } from "./_database.ts";
import { readAssets } from "./_reader.ts";

/** The Photos library source plugin. */
const photoslibrary = {
  kind: "source",
  id: "source.photoslibrary",
  apiVersion: PLUGIN_API_VERSION,
  version: "0.1.0",
  description: "Reads a Photos library bundle (.photoslibrary) directly, read-only",
  // The library path is the host's `--library` / PHOTOS_SYNC_LIBRARY, handed over as `library`.
  options: [],
  capabilities: [],
  open(options: OptionValues, ctx: PluginContext): Promise<SourceSession> {
    try {
      return Promise.resolve(openSession(options, ctx));
    } catch (error) {
      return Promise.reject(error);
    }
  },
} satisfies SourcePlugin;

export default photoslibrary;

function openSession(options: OptionValues, ctx: PluginContext): SourceSession {
  const value = options.library;
  if (typeof value !== "string" || value.trim() === "") {
    throw new ConfigError(
      "source.photoslibrary needs the library: set --library or PHOTOS_SYNC_LIBRARY to your " +
        ".photoslibrary bundle.",
    );
  }
  const database = openPhotosDatabase(resolve(value));
  const { db, schema, library } = database;
  ctx.log.debug("opened Photos library", { library, assetTable: schema.assetTable });
  let closed = false;

  return {
    // Same ids (Photos UUIDs) as the PhotoKit source, so switching sources imports nothing twice.
    key: "photos",

    async *list(): AsyncGenerator<Asset> {
      // Stop with an error, never quietly: a short listing must not look like deleted assets.
      ctx.signal.throwIfAborted();
      for (const asset of readAssets(database)) {
        ctx.signal.throwIfAborted();
        yield asset;
      }
    },

    async export({ asset, plan }: ExportRequest): Promise<SourceFile[]> {
      const files: SourceFile[] = [];
      for (const planned of plan.resources) {
        files.push({ key: planned.key, path: await existingPath(asset, planned) });
      }
      return files;
    },

    close(): Promise<void> {
      if (!closed) {
        closed = true;
        db.close();
      }
      return Promise.resolve();
    },
  };
}

/** The library's own file for a planned resource; the host reads it in place. */
async function existingPath(asset: Asset, planned: PlannedResource): Promise<string> {
  const { path, present } = planned.resource;
  const what = `${planned.role} of ${asset.filename} (${asset.id})`;
  if (!path) {
    throw new PermanentError(`the ${what} has no file in the library; nothing to export.`);
  }
  const isFile = await stat(path).then((s) => s.isFile(), () => false);
  if (!isFile) {
    const why = present
      ? "is missing from the library"
      : "is not on this disk (Photos keeps it only in iCloud or it is missing)";
    throw new PermanentError(
      `the ${what}: ${path} ${why}. Open the library in Photos to download or repair it, then retry the asset.`,
    );
  }
  return path;
}
