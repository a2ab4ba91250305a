/**
 * The deletion stage of `sync`, both ways and behind the same guards. Assets gone from Photos are
 * marked gone and kept at the destination (it is the archive) unless deletions are propagated,
 * which moves every member of each group to the destination's trash. Assets found deleted at the
 * destination are marked so, so the next import does not send them again, and, when deletions are
 * propagated and the source can, moved to Photos' Recently Deleted. Both are refused above the
 * allowed share of the library, and nothing is marked gone when the library listed nothing.
 * @module
 */
import { ArchiveStore } from "../tracker/archive_state.ts";
import type { SyncRun } from "./sync_types.ts";

export async function reconcileDeletions(
  run: SyncRun,
  listing: { seen: Set<string>; listed: number; known: Iterable<string> },
): Promise<void> {
  const { tracker, dryRun } = run.options;
  // An archived asset left Photos on purpose, once the destination was verified to hold it.
  const archived = new ArchiveStore(tracker).archived(run.ids);
  const missing = tracker.missingFromSource(run.ids.source, run.ids.destination, listing.seen, {
    among: listing.known,
  }).filter((m) => !archived.has(m.assetId));
  if (listing.listed === 0 && missing.length > 0) {
    // A library that lists nothing is far more likely broken or unmounted than emptied.
    run.summary.refused = `the source listed no assets while the tracker knows ${missing.length}; ` +
      `nothing was marked gone. Check --library and that the library is readable`;
    return;
  }
  const newlyGone = missing.filter((m) => m.goneAt === null).map((m) => m.assetId);
  run.summary.gone = newlyGone.length;
  if (!dryRun && newlyGone.length > 0) tracker.markGone(run.ids.source, newlyGone);
  const tracked = listing.seen.size + missing.length;
  if (run.options.propagateDeletions) {
    await trashAtDestination(run, missing.filter((m) => m.remoteId !== null).map((m) => m.assetId), tracked);
  }
  await deletedAtDestination(run, tracked);
}

/** Whether `n` deletions stay within the allowed share; says why not when they do not. */
function withinShare(run: SyncRun, n: number, tracked: number, where: string): boolean {
  const share = run.options.maxDeleteShare ?? 0.05;
  if (n <= share * tracked) return true;
  run.summary.refused = `${n} of ${tracked} assets would be moved to ${where}, ` +
    `more than the allowed ${Math.round(share * 100)}%; nothing was removed. If this is right, run again ` +
    `with --max-delete-share ${Math.ceil((n / tracked) * 100) / 100}`;
  return false;
}

/** Moves every member of each group to the destination's trash, the edit and the original alike. */
async function trashAtDestination(run: SyncRun, assetIds: string[], tracked: number): Promise<void> {
  const { destination, tracker, dryRun } = run.options;
  if (assetIds.length === 0) return;
  if (!destination.remove) {
    run.summary.refused = "the destination cannot move assets to a trash; nothing was removed";
    return;
  }
  if (!withinShare(run, assetIds.length, tracked, "the destination's trash")) return;
  if (!dryRun) {
    const members = assetIds.flatMap((id) => run.store.resources(run.ids, id).map((r) => r.remoteId));
    await destination.remove([...new Set(members)]);
    tracker.markRemoteGone(run.ids, assetIds);
  }
  run.summary.removed = assetIds.length;
}

/** Assets the destination no longer shows: kept apart from the next push, and deleted in Photos if asked. */
async function deletedAtDestination(run: SyncRun, tracked: number): Promise<void> {
  const { source, tracker, dryRun } = run.options;
  const ids = run.deletedRemotely;
  run.summary.deletedRemotely = ids.length;
  if (ids.length === 0 || dryRun) return;
  tracker.markRemoteGone(run.ids, ids);
  if (!run.options.propagateDeletions) return;
  if (!source.delete) {
    run.summary.refused =
      "the source cannot move assets to Recently Deleted; deleted at the destination only";
    return;
  }
  if (!withinShare(run, ids.length, tracked, "Photos' Recently Deleted")) return;
  const { deleted } = await source.delete(ids);
  run.summary.deletedInPhotos = deleted.length;
}
