/**
 * Before a run sends anything: does the destination still hold what the tracker says was imported
 * there? A sample of the recorded remote ids is asked through the destination's `presence`
 * capability (any destination). When none of them is there (an Immich account emptied, a disk
 * swapped), the run is refused instead of reporting that everything is "already there".
 * @module
 */
import { FatalError } from "../plugin/errors.ts";
import type { AssetDestinationSession } from "../plugin/types.ts";
import type { Tracker } from "../tracker/mod.ts";

/** How many recorded assets are asked about; enough that a partly emptied destination passes. */
export const PRESENCE_SAMPLE = 20;

/** Remote ids (primary resource) of up to `limit` assets recorded as imported at `destination`. */
export function sampleRemoteIds(tracker: Tracker, destination: string, limit = PRESENCE_SAMPLE): string[] {
  return tracker.query<{ remote_id: string }>(
    `SELECT r.remote_id FROM transfers t JOIN resources r ON r.source = t.source AND r.asset_id = t.asset_id
       AND r.destination = t.destination AND r.key = COALESCE(t.primary_key, 'original')
     WHERE t.destination = ? AND t.status = 'imported' AND t.remote_gone_at IS NULL
     ORDER BY random() LIMIT ?`,
    destination,
    limit,
  ).map((r) => r.remote_id);
}

/** Refuses (FatalError) when the destination holds none of a sample of what was imported there. */
export async function checkDestinationHolds(
  tracker: Tracker,
  destination: AssetDestinationSession,
): Promise<void> {
  if (!destination.presence) return;
  const sample = sampleRemoteIds(tracker, destination.key);
  if (sample.length === 0) return;
  const presence = await destination.presence(sample);
  if (sample.some((id) => presence[id] !== "gone")) return;
  const [{ n }] = tracker.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM transfers WHERE destination = ? AND status = 'imported' AND remote_gone_at IS NULL`,
    destination.key,
  );
  throw new FatalError(
    `${destination.key} holds none of ${sample.length} sampled assets of the ${n} the tracker recorded as ` +
      "imported there; nothing was sent. Check that the destination options point at the right place; " +
      "if it was emptied on purpose, run `photos-sync forget-destination` and import again to upload everything",
  );
}

/**
 * Forgets everything the tracker recorded about one destination (transfers, files, album members
 * and the destination's `held:<key>` note), so the next import sends every asset again. The
 * assets themselves and other destinations are untouched. Returns how many transfers were dropped.
 */
export function forgetDestination(tracker: Tracker, destination: string): number {
  return tracker.transaction(() => {
    const { changes } = tracker.execute(`DELETE FROM transfers WHERE destination = ?`, destination);
    tracker.execute(`DELETE FROM resources WHERE destination = ?`, destination);
    tracker.execute(`DELETE FROM album_members WHERE destination = ?`, destination);
    tracker.execute(`DELETE FROM plugin_state WHERE key = ?`, `held:${destination}`);
    return changes;
  });
}
