/**
 * What the tracker knows about identity: which library a source's assets came from (by the
 * library's own id, never its path), and what the last import ran against, so later commands need
 * no flags repeated.
 * @module
 */
import { ConfigError } from "../plugin/errors.ts";
import type { Tracker } from "./mod.ts";
import { execute, query } from "./sql.ts";

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
  const { source, libraryId, location } = binding;
  const other = query<{ library_id: string; n: number }>(
    tracker,
    `SELECT library_id, COUNT(*) AS n FROM assets WHERE source = ? AND library_id IS NOT NULL AND library_id != ?
     GROUP BY library_id ORDER BY n DESC LIMIT 1`,
    source,
    libraryId,
  )[0];
  if (other) {
    const known = query<{ location: string }>(
      tracker,
      `SELECT location FROM libraries WHERE source = ? AND library_id = ?`,
      source,
      other.library_id,
    )[0];
    throw new ConfigError(
      `${location} is not the library this data folder tracks (${known?.location ?? "another library"}, ` +
        `id ${other.library_id}, ${other.n} assets); nothing was changed. Give each library its own ` +
        `data folder: --home DIR or PHOTOS_SYNC_HOME (or point --library back at the first one)`,
    );
  }
  tracker.libraryIds.set(source, libraryId);
  if (options.dryRun) return;
  tracker.transaction(() => {
    execute(
      tracker,
      `UPDATE assets SET library_id = ? WHERE source = ? AND library_id IS NULL`,
      libraryId,
      source,
    );
    execute(
      tracker,
      `INSERT INTO libraries (source, library_id, location, first_seen_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (source, library_id) DO UPDATE SET location = excluded.location`,
      source,
      libraryId,
      location,
      new Date().toISOString(),
    );
  });
}

/** Values the last import ran with, by name (environment-variable names, and `destination-key`). */
export function remembered(tracker: Tracker): Record<string, string> {
  const rows = query<{ name: string; value: string }>(tracker, `SELECT name, value FROM remembered`);
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

/** Replaces what is remembered with `values` (never secrets: the caller leaves them out). */
export function remember(tracker: Tracker, values: Record<string, string>): void {
  const at = new Date().toISOString();
  tracker.transaction(() => {
    execute(tracker, `DELETE FROM remembered`);
    for (const [name, value] of Object.entries(values)) {
      execute(tracker, `INSERT INTO remembered (name, value, recorded_at) VALUES (?, ?, ?)`, name, value, at);
    }
  });
}
