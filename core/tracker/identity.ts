/**
 * What the tracker knows about identity: which library a source's assets came from (by the
 * library's own id, never its path), and what the last import ran against, so later commands need
 * no flags repeated.
 * @module
 */
import { ConfigError } from "../plugin/errors.ts";
import type { Tracker } from "./mod.ts";
import { int, now, sqlOf, text, textOrNull } from "./sql.ts";

export interface LibraryBinding {
  source: string;
  /** The library's own id (a `.photoslibrary`: the store UUID in `Z_METADATA`). */
  libraryId: string;
  /** Where the library was found, for messages only. */
  location: string;
}

/**
 * Binds this run's assets of `source` to one library. Refuses (ConfigError) when the tracker
 * already holds assets of `source` from another library: a sync would otherwise mark them all
 * gone. Rows recorded before libraries had ids adopt the first library seen.
 */
export function bindLibrary(tracker: Tracker, binding: LibraryBinding, options: { dryRun: boolean }): void {
  const sql = sqlOf(tracker);
  const { source, libraryId, location } = binding;
  // One pass over the assets finds both another library's and those recorded before ids (null).
  const groups = sql.all(
    `SELECT library_id, COUNT(*) AS n FROM assets
     WHERE source = $source AND (library_id IS NULL OR library_id != $library_id)
     GROUP BY library_id`,
    { source, library_id: libraryId },
    (r) => ({ libraryId: textOrNull(r, "library_id"), n: int(r, "n") }),
  );
  const other = groups.filter((g) => g.libraryId !== null).sort((a, b) => b.n - a.n)[0];
  if (other) {
    const known = sql.get(
      `SELECT location FROM libraries WHERE source = $source AND library_id = $library_id`,
      { source, library_id: other.libraryId },
      (r) => text(r, "location"),
    );
    throw new ConfigError(
      `${location} is not the library this data folder tracks (${known ?? "another library"}, ` +
        `id ${other.libraryId}, ${other.n} assets); nothing was changed. Give each library its own ` +
        `data folder: --home DIR or PHOTOS_SYNC_HOME (or point --library back at the first one)`,
    );
  }
  tracker.libraryIds.set(source, libraryId);
  if (options.dryRun) return;
  const unbound = groups.some((g) => g.libraryId === null);
  sql.transaction(() => {
    if (unbound) {
      sql.run(`UPDATE assets SET library_id = $library_id WHERE source = $source AND library_id IS NULL`, {
        library_id: libraryId,
        source,
      });
    }
    sql.run(
      `INSERT INTO libraries (source, library_id, location, first_seen_at) VALUES ($source, $library_id, $location, $at)
       ON CONFLICT (source, library_id) DO UPDATE SET location = excluded.location`,
      { source, library_id: libraryId, location, at: now() },
    );
  });
}

/** Values the last import ran with, by name (environment-variable names, and `destination-key`). */
export function remembered(tracker: Tracker): Record<string, string> {
  return Object.fromEntries(
    sqlOf(tracker).all(`SELECT name, value FROM remembered`, {}, (r) => [text(r, "name"), text(r, "value")]),
  );
}

/** Replaces what is remembered with `values` (never secrets: the caller leaves them out). */
export function remember(tracker: Tracker, values: Record<string, string>): void {
  const sql = sqlOf(tracker);
  const at = now();
  sql.transaction(() => {
    sql.run(`DELETE FROM remembered`);
    for (const [name, value] of Object.entries(values)) {
      sql.run(`INSERT INTO remembered (name, value, recorded_at) VALUES ($name, $value, $at)`, {
        name,
        value,
        at,
      });
    }
  });
}
