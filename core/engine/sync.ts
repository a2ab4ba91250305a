/**
 * `sync`: import what is new, then reconcile what changed, from one listing of the library.
 * Changed favorites, hidden state and capture dates are pushed to the destination; assets gone from
 * the source are marked gone and kept at the destination (it is the archive), unless deletions are
 * explicitly propagated, which moves them to the destination's trash, recoverable.
 *
 * @example
 * ```ts
 * const summary = await syncAssets({ ...importOptions, propagateDeletions: false });
 * ```
 * @module
 */
import type { Asset } from "../model/asset.ts";
import { DEFAULT_POLICY } from "../model/policy.ts";
import { errorKind, messageOf } from "../plugin/errors.ts";
import type { AssetChanges } from "../plugin/types.ts";
import type { TransferState } from "../tracker/mod.ts";
import { importAssets, type ImportOptions, type RunSummary } from "./import_run.ts";

export interface SyncOptions extends ImportOptions {
  /** Move assets gone from the source to the destination's trash (default false). */
  propagateDeletions?: boolean;
  /** Refuse to propagate deletions when more than this share of tracked assets would go (default 0.05). */
  maxDeleteShare?: number;
}

export interface SyncSummary {
  import: RunSummary;
  /** Assets whose changed metadata was pushed (or would be, in a dry run). */
  updated: number;
  updateFailed: number;
  /** Changes the destination cannot store (it has no `update` capability). */
  unsupported: number;
  /** Assets newly found gone from the source. */
  gone: number;
  /** Assets moved to the destination's trash because they are gone from the source. */
  removed: number;
  /** Why deletions were not propagated, when they were asked for and refused. */
  refused?: string;
}

/** What changed in the source since the destination was last told. */
export function changedMetadata(asset: Asset, state: TransferState): AssetChanges | undefined {
  const changes: AssetChanges = {};
  if (state.syncedFavorite !== null && asset.favorite !== state.syncedFavorite) {
    changes.favorite = asset.favorite;
  }
  if (state.syncedHidden !== null && asset.hidden !== state.syncedHidden) changes.hidden = asset.hidden;
  const captured = asset.captured?.utc ?? null;
  if (state.syncedCapturedAt !== null && captured !== null && captured !== state.syncedCapturedAt) {
    changes.captured = asset.captured;
  }
  return Object.keys(changes).length > 0 ? changes : undefined;
}

type Ids = { source: string; destination: string };

export async function syncAssets(options: SyncOptions): Promise<SyncSummary> {
  const ids = { source: options.sourceId, destination: options.destinationId };
  const seen = new Set<string>();
  const changed: { asset: Asset; changes: AssetChanges }[] = [];
  const states = options.tracker.transfers(ids.source, ids.destination);
  const imported = await importAssets({
    ...options,
    states,
    onListed(asset, state) {
      options.onListed?.(asset, state);
      // An asset in Recently Deleted is on its way out of the library: it counts as gone.
      if (!asset.trashed) seen.add(asset.id);
      if (state?.status !== "imported" || state.remoteGone) return;
      const changes = changedMetadata(asset, state);
      if (changes?.hidden) changes.visibility = options.policy?.hidden ?? DEFAULT_POLICY.hidden;
      if (changes) changed.push({ asset, changes });
    },
  });
  const summary: SyncSummary = {
    import: imported,
    updated: 0,
    updateFailed: 0,
    unsupported: 0,
    gone: 0,
    removed: 0,
  };
  for (const { asset, changes } of changed) {
    if (options.signal?.aborted) break; // stopping: no new update starts
    await pushChanges(options, ids, summary, asset, changes);
  }
  if (options.signal?.aborted) return summary;
  await reconcileGone(options, ids, summary, { seen, listed: imported.listed, known: states.keys() });
  return summary;
}

/** Sends one asset's changed metadata; a failure is counted and reported, a fatal one ends the sync. */
async function pushChanges(
  options: SyncOptions,
  ids: Ids,
  summary: SyncSummary,
  asset: Asset,
  changes: AssetChanges,
): Promise<void> {
  const { tracker, destination } = options;
  if (!destination.update) {
    summary.unsupported++;
    return;
  }
  const remoteId = tracker.primaryRemoteId(ids, asset.id);
  if (!remoteId) return;
  if (options.dryRun) {
    summary.updated++;
    options.onEvent?.({ type: "skip", assetId: asset.id, reason: "changed" });
    return;
  }
  try {
    await destination.update(remoteId, changes);
    tracker.recordSynced(ids, asset, {
      favorite: changes.favorite,
      hidden: changes.hidden,
      capturedAt: changes.captured?.utc,
    });
    summary.updated++;
  } catch (e) {
    if (errorKind(e) === "fatal" || errorKind(e) === "config") throw e;
    summary.updateFailed++;
    options.onEvent?.({
      type: "asset",
      assetId: asset.id,
      filename: asset.filename,
      outcome: "failed",
      kind: errorKind(e),
      error: `updating metadata: ${messageOf(e)}`,
    });
  }
}

/** Marks what left the source as gone and, when asked and within the allowed share, trashes it remotely. */
async function reconcileGone(
  options: SyncOptions,
  ids: Ids,
  summary: SyncSummary,
  listing: { seen: Set<string>; listed: number; known: Iterable<string> },
): Promise<void> {
  const { tracker, destination, dryRun } = options;
  const missing = tracker.missingFromSource(ids.source, ids.destination, listing.seen, {
    among: listing.known,
  });
  if (listing.listed === 0 && missing.length > 0) {
    // A library that lists nothing is far more likely broken or unmounted than emptied.
    summary.refused = `the source listed no assets while the tracker knows ${missing.length}; ` +
      `nothing was marked gone. Check --library and that the library is readable`;
    return;
  }
  const newlyGone = missing.filter((m) => m.goneAt === null).map((m) => m.assetId);
  summary.gone = newlyGone.length;
  if (!dryRun && newlyGone.length > 0) tracker.markGone(ids.source, newlyGone);
  if (!options.propagateDeletions) return;
  const removable = missing.filter((m) => m.remoteId !== null);
  const tracked = listing.seen.size + missing.length;
  const share = options.maxDeleteShare ?? 0.05;
  if (!destination.remove) {
    summary.refused = "the destination cannot move assets to a trash; nothing was removed";
  } else if (removable.length > share * tracked) {
    summary.refused = `${removable.length} of ${tracked} assets would be moved to the destination's trash, ` +
      `more than the allowed ${Math.round(share * 100)}%; nothing was removed. If this is right, run again ` +
      `with --max-delete-share ${Math.ceil((removable.length / tracked) * 100) / 100}`;
  } else if (removable.length > 0) {
    if (!dryRun) {
      await destination.remove(removable.map((m) => m.remoteId!));
      tracker.markRemoteGone(ids, removable.map((m) => m.assetId));
    }
    summary.removed = removable.length;
  }
}
