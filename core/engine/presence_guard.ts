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

/** Refuses (FatalError) when the destination holds none of a sample of what was imported there. */
export async function checkDestinationHolds(
  tracker: Tracker,
  destination: AssetDestinationSession,
): Promise<void> {
  if (!destination.presence) return;
  const sample = tracker.sampleRemoteIds(destination.key, PRESENCE_SAMPLE);
  if (sample.length === 0) return;
  const presence = await destination.presence(sample);
  if (sample.some((id) => presence[id] !== "gone")) return;
  const n = tracker.importedCount(destination.key);
  throw new FatalError(
    `${destination.key} holds none of ${sample.length} sampled assets of the ${n} the tracker recorded as ` +
      "imported there; nothing was sent. Check that the destination options point at the right place; " +
      "if it was emptied on purpose, run `photos-sync forget-destination` and import again to upload everything",
  );
}
