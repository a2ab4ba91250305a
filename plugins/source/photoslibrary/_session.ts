/**
 * The session of `source.photoslibrary` (see `mod.ts`), loaded when a run opens the source.
 * @module
 */
import type { AlbumRef, Asset } from "../../../core/model/asset.ts";
import type { PlannedResource } from "../../../core/model/plan.ts";
import { resolvePath } from "../../../core/model/path.ts";
import { FatalError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import type { ExportRequest, PluginContext, SourceFile, SourceSession } from "../../../core/plugin/types.ts";
import {
  NEWEST_KNOWN_MODEL,
  openPhotosDatabase,
  type PhotosDatabase,
  SQLITE,
  sqliteCode,
  sqliteError,
} from "./_database.ts";
import { exists } from "./_disk.ts";
import { libraryInfo } from "./_info.ts";
import { readHistory } from "./_history.ts";
import { readAlbums, readAssets } from "./_reader.ts";

/**
 * A session on the library `options.library` (the plugin's options: `PhotosLibraryOptions` in
 * `mod.ts`, which loads this file); throws (a config or fatal error) if it cannot be read.
 */
export function openSession(options: { library: string }, ctx: PluginContext): SourceSession {
  const database = openPhotosDatabase(resolvePath(options.library));
  const { db, schema, library } = database;
  const info = libraryInfo(database);
  ctx.log.debug("opened Photos library", { library, release: info.release, assetTable: schema.assetTable });
  if (schema.modelVersion !== undefined && schema.modelVersion > NEWEST_KNOWN_MODEL) {
    ctx.log.warn(
      `${library} was made by a Photos newer than any photos-sync was checked against (model ` +
        `${schema.modelVersion}, newest known ${NEWEST_KNOWN_MODEL}); its schema is read as discovered. ` +
        "Check the output of `photos-sync scan` and report anything that looks wrong.",
    );
  }
  let closed = false;

  return {
    // Same ids (Photos UUIDs) as the PhotoKit source, so switching sources imports nothing twice.
    key: "photos",
    libraryId: storeUuid(db),
    info,

    async *list(): AsyncGenerator<Asset> {
      // Stop with an error, never quietly: a short listing must not look like deleted assets.
      ctx.signal.throwIfAborted();
      const assets = readAssets(database);
      try {
        while (true) {
          let next: IteratorResult<Asset>;
          try {
            next = assets.next();
          } catch (error) {
            throw listingError(error, database);
          }
          if (next.done) break;
          ctx.signal.throwIfAborted();
          yield next.value;
        }
      } finally {
        // A consumer that stops early ends the read transaction too, so Photos can checkpoint.
        assets.return(undefined);
      }
      if (database.immutable && exists(`${database.database}-wal`)) {
        ctx.log.warn(
          "Photos opened the library while it was being read: changes made since then are not in this " +
            "listing; the next run picks them up.",
        );
      }
    },

    listAlbums: (): Promise<AlbumRef[]> => answer(database, () => readAlbums(database)),

    // Photos' own change history (Core Data's): whether a listing could show anything new since a token.
    history: (token: string | undefined) => answer(database, () => readHistory(database, token)),

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

/** A read of the library as a promise, its failure worded as the listing's. */
function answer<T>(database: PhotosDatabase, read: () => T): Promise<T> {
  try {
    return Promise.resolve(read());
  } catch (error) {
    return Promise.reject(listingError(error, database));
  }
}

/** A failure while listing: busy is worth another try, damage is not. */
function listingError(error: unknown, { database, immutable }: PhotosDatabase): Error {
  const code = sqliteCode(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === SQLITE.busy || code === SQLITE.locked) {
    return new RetryableError(
      `${database} was locked by another program while it was being read (${detail}); try again when Photos ` +
        "is idle.",
      { cause: error },
    );
  }
  if (
    (code === SQLITE.corrupt || code === SQLITE.notADatabase) && immutable && exists(`${database}-wal`)
  ) {
    return new RetryableError(
      `Photos started writing ${database} while it was being read (${detail}); run again.`,
      { cause: error },
    );
  }
  if (code === undefined) return error instanceof Error ? error : new Error(detail);
  return new FatalError(sqliteError(error, database, "list").message, { cause: error });
}

/** The library's own file for a planned resource; the host reads it in place. */
async function existingPath(asset: Asset, planned: PlannedResource): Promise<string> {
  const { path, present } = planned.resource;
  const what = `${planned.role} of ${asset.filename} (${asset.id})`;
  if (!path) {
    throw new PermanentError(`the ${what} has no file in the library; nothing to export.`);
  }
  const isFile = await Deno.stat(path).then((s) => s.isFile, () => false);
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

/**
 * The library's own id: the Core Data store UUID in `Z_METADATA` (newest model row), which moves
 * with the bundle. `photos:` keeps it apart from ids other sources define.
 */
function storeUuid(db: { prepare(sql: string): { get(): unknown } }): string | undefined {
  try {
    const row = db.prepare("SELECT Z_UUID FROM Z_METADATA ORDER BY Z_VERSION DESC LIMIT 1").get() as
      | { Z_UUID: string | null }
      | undefined;
    return row?.Z_UUID ? `photos:${row.Z_UUID}` : undefined;
  } catch {
    // A library without the table still reads; it just cannot be told apart from another one.
    return undefined;
  }
}
