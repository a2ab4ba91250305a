/**
 * `cleanup`: reconcile the tracker with what the source and the destination still hold. Assets gone
 * from the source are marked gone (kept at the destination); assets deleted at the destination are
 * marked so they are not sent again. Guards: a failed or empty listing, or a change touching more
 * than `maxShare` of the library, changes nothing and says why.
 * @module
 */
import type { AssetDestinationSession, Presence, SourceSession } from "../plugin/types.ts";
import { ArchiveStore } from "../tracker/archive_state.ts";
import type { Tracker } from "../tracker/mod.ts";

export interface CleanupOptions {
  sourceId: string;
  source: SourceSession;
  destinationId: string;
  destination: AssetDestinationSession;
  tracker: Tracker;
  dryRun: boolean;
  /** Refuse when more than this share of tracked assets would change (default 0.1). */
  maxShare?: number;
  /** Remote ids asked per presence() call (default 500). */
  batch?: number;
  /** Stops the cleanup before it records anything (a signal): a partial listing proves nothing. */
  signal?: AbortSignal;
}

export interface CleanupSummary {
  listed: number;
  tracked: number;
  goneFromSource: string[];
  goneFromDestination: string[];
  /** In the destination's trash: recoverable there, so left alone. */
  inDestinationTrash: string[];
  /** Why nothing was changed, when a guard stopped the cleanup. */
  refused?: string;
  /** The destination cannot tell which assets it still has. */
  destinationUnchecked: boolean;
}

export async function cleanup(options: CleanupOptions): Promise<CleanupSummary> {
  const { tracker, dryRun } = options;
  const ids = { source: options.sourceId, destination: options.destinationId };
  const maxShare = options.maxShare ?? 0.1;
  const seen = new Set<string>();
  let listed = 0;
  for await (const asset of options.source.list()) {
    options.signal?.throwIfAborted();
    listed++;
    if (!asset.trashed) seen.add(asset.id);
  }
  // An archived asset left Photos on purpose, once the destination was verified to hold it.
  const archived = new ArchiveStore(tracker).archived(ids);
  const missing = tracker.missingFromSource(ids.source, ids.destination, seen).filter((m) =>
    !archived.has(m.assetId)
  );
  const tracked = seen.size + missing.length;
  const summary: CleanupSummary = {
    listed,
    tracked,
    goneFromSource: missing.filter((m) => m.goneAt === null).map((m) => m.assetId),
    goneFromDestination: [],
    inDestinationTrash: [],
    destinationUnchecked: !options.destination.presence,
  };
  const refuse = (why: string) => ({ ...summary, refused: `${why}; nothing was changed` });
  if (listed === 0 && missing.length > 0) {
    return refuse(`the source listed no assets while the tracker knows ${missing.length}; check --library`);
  }
  if (summary.goneFromSource.length > maxShare * tracked) {
    return refuse(
      `${summary.goneFromSource.length} of ${tracked} assets look deleted from the source, more than the allowed ` +
        `${Math.round(maxShare * 100)}%. If that is right, run again with --max-share ` +
        `${Math.ceil((summary.goneFromSource.length / tracked) * 100) / 100}`,
    );
  }

  if (options.destination.presence) {
    const imported = tracker.importedRemoteIds(ids);
    const presence: Record<string, Presence> = {};
    const batch = options.batch ?? 500;
    for (let i = 0; i < imported.length; i += batch) {
      // An error here aborts the whole cleanup: a failed check must never read as "deleted".
      Object.assign(
        presence,
        await options.destination.presence(imported.slice(i, i + batch).map((x) => x.remoteId)),
      );
    }
    for (const { assetId, remoteId } of imported) {
      if (presence[remoteId] === "gone") summary.goneFromDestination.push(assetId);
      else if (presence[remoteId] === "trashed") summary.inDestinationTrash.push(assetId);
      else if (presence[remoteId] === undefined) {
        return refuse(`the destination did not answer for ${remoteId}`);
      }
    }
    if (imported.length > 0 && summary.goneFromDestination.length > maxShare * imported.length) {
      return refuse(
        `${summary.goneFromDestination.length} of ${imported.length} assets look deleted at the destination, more ` +
          `than the allowed ${Math.round(maxShare * 100)}%; check that --to names the right server and user`,
      );
    }
  }
  options.signal?.throwIfAborted();
  if (!dryRun) {
    tracker.markGone(ids.source, summary.goneFromSource);
    tracker.markRemoteGone(ids, summary.goneFromDestination);
  }
  return summary;
}
