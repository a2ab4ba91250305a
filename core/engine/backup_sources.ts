/**
 * What a backup covers: Immich's folders worth keeping and this tool's data directory, in the
 * order they are backed up, and what of the data directory is left out.
 *
 * @example
 * ```ts
 * const sources = await backupSources({ immichPath: "/srv/immich", dataDir: home });
 * ```
 * @module
 */
import { join } from "node:path";
import { ConfigError } from "../plugin/errors.ts";

/** The Immich folders worth keeping, in the order they are backed up. */
export const IMMICH_FOLDERS = ["library", "upload", "profile", "backups"] as const;

/** The tool's own data directory is backed up as the source named this. */
export const DATA_SOURCE = "data";

/** Where the data job finds a consistent copy of the tracker (the live database is left out). */
export const TRACKER_SNAPSHOT = "backup-snapshot/tracker.db";

/**
 * Left out of the data directory: the live tracker (its snapshot goes instead: copying a database
 * that is being written gives a torn copy) with its seal (which describes that one file), and the
 * `.env` file, which holds credentials.
 */
export const DATA_EXCLUDES = [
  "/tracker.db",
  "/tracker.db-wal",
  "/tracker.db-shm",
  "/tracker.db-journal",
  "/tracker.db.checked",
  "/.env",
] as const;

export interface BackupSourceSpec {
  name: string;
  path: string;
  exclude?: readonly string[];
}

/** Whether `path` is a directory (false when it is not there). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * The sources of a backup, in priority order: Immich's `library/`, `upload/`, `profile/` and
 * `backups/` (those that exist; `thumbs/` and `encoded-video/` can be regenerated and are left
 * out), then the data directory. Refuses an Immich path that has none of them: an unmounted disk
 * must not look like an empty library.
 */
export async function backupSources(
  options: { immichPath?: string; dataDir: string },
): Promise<BackupSourceSpec[]> {
  const sources: BackupSourceSpec[] = [];
  if (options.immichPath) {
    if (!(await isDirectory(options.immichPath))) {
      throw new ConfigError(
        `BACKUP_IMMICH_PATH ${options.immichPath} is not a directory; set it to Immich's upload location`,
      );
    }
    for (const name of IMMICH_FOLDERS) {
      const path = join(options.immichPath, name);
      if (await isDirectory(path)) sources.push({ name, path });
    }
    if (sources.length === 0) {
      throw new ConfigError(
        `${options.immichPath} has none of ${IMMICH_FOLDERS.join(", ")}: is it Immich's upload location, ` +
          `and is its disk mounted? Nothing was backed up`,
      );
    }
  }
  sources.push({ name: DATA_SOURCE, path: options.dataDir, exclude: DATA_EXCLUDES });
  return sources;
}

/** Whether the directory has no entries at all. */
export async function isEmptyDirectory(path: string): Promise<boolean> {
  for await (const _ of Deno.readDir(path)) return false;
  return true;
}
