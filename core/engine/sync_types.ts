/**
 * What the stages of `sync` share: its options, its summary, and the run record they all write to.
 * @module
 */
import { keptOnly, type SideFields, type SyncedField } from "../model/synced.ts";
import type { SyncStore } from "../tracker/sync_state.ts";
import type { ImportOptions, RunSummary } from "./import_run.ts";
import type { Prefer } from "./reconcile.ts";

export interface SyncOptions extends ImportOptions {
  /** Move assets gone from one side to the other side's trash (default false). */
  propagateDeletions?: boolean;
  /** Refuse to propagate deletions when more than this share of tracked assets would go (default 0.05). */
  maxDeleteShare?: number;
  /** How a field changed on both sides is settled (default `ask`: kept for `review --resolve`). */
  prefer?: Prefer;
}

/** How many assets, and how many of each field, moved one way. */
export interface DirectionCounts {
  assets: number;
  fields: Partial<Record<SyncedField, number>>;
}

export interface SyncSummary {
  import: RunSummary;
  /** Assets whose changed metadata was pushed to the destination (or would be, in a dry run). */
  updated: number;
  /** Metadata writes that failed, either way (the run exits 1; the next sync tries again). */
  updateFailed: number;
  /** Changes the destination cannot store (it lacks the capability). */
  unsupported: number;
  toRemote: DirectionCounts;
  toPhotos: DirectionCounts;
  /** Assets whose change from the destination this run left waiting for a source that can write it. */
  queuedIntoPhotos: number;
  /** Assets with metadata waiting to be written into Photos by a source that can (PhotoKit on a Mac). */
  pending: number;
  /** Waiting writes that this run wrote into Photos. */
  pendingWritten: number;
  /** Albums renamed (or moved) in Photos, renamed at the destination too. */
  albumsRenamed: number;
  /** Albums this library gave the destination that Photos no longer has. */
  albumsGone: number;
  /** Of those, deleted at the destination (with --propagate-deletions). */
  albumsRemoved: number;
  /** Assets with a field changed on both sides, kept for `review --resolve`. */
  conflicts: number;
  /** Assets newly found gone from the source. */
  gone: number;
  /** Assets moved to the destination's trash because they are gone from the source. */
  removed: number;
  /** Assets found in the destination's trash or gone from it (deleted there). */
  deletedRemotely: number;
  /** Of those, moved to Photos' Recently Deleted (with --propagate-deletions). */
  deletedInPhotos: number;
  /** Why deletions were not propagated, when they were asked for and refused. */
  refused?: string;
  /**
   * Set when neither side named a change and the last listing left nothing to do: the library was
   * not listed (`sync_unlisted.ts`).
   */
  unlisted?: boolean;
}

export function emptySyncSummary(imported: RunSummary): SyncSummary {
  return {
    import: imported,
    updated: 0,
    updateFailed: 0,
    unsupported: 0,
    toRemote: { assets: 0, fields: {} },
    toPhotos: { assets: 0, fields: {} },
    queuedIntoPhotos: 0,
    pending: 0,
    pendingWritten: 0,
    conflicts: 0,
    albumsRenamed: 0,
    albumsGone: 0,
    albumsRemoved: 0,
    gone: 0,
    removed: 0,
    deletedRemotely: 0,
    deletedInPhotos: 0,
  };
}

/** Counts one asset's fields moving one way. */
export function countMove(counts: DirectionCounts, fields: SideFields): void {
  const names = Object.keys(fields) as SyncedField[];
  if (names.length === 0) return;
  counts.assets++;
  for (const f of names) counts.fields[f] = (counts.fields[f] ?? 0) + 1;
}

/** What every stage of one sync shares. */
export interface SyncRun {
  options: SyncOptions;
  ids: { source: string; destination: string };
  store: SyncStore;
  /** The agreed fields as stored (JSON) of the assets looked at, read once each; parsed when needed. */
  agreed: Map<string, string | undefined>;
  /** What waits to be written into Photos, by asset (see `photosFields`). */
  pending: Map<string, SideFields>;
  summary: SyncSummary;
  /** Assets found deleted at the destination during the reconcile, for the deletion stage. */
  deletedRemotely: string[];
  /** Whether every write of the run succeeded, so the change feeds may move on. */
  clean: boolean;
}

/** The agreed fields of one asset as stored (canonical JSON), read once per run. */
export function agreedTextOf(run: SyncRun, assetId: string): string | undefined {
  if (!run.agreed.has(assetId)) run.agreed.set(assetId, run.store.agreedText(run.ids, assetId));
  return run.agreed.get(assetId);
}

/**
 * The agreed fields of one asset, parsed: only those the destination keeps now. One it kept when
 * they were recorded and keeps no more is no agreement (what changed since on either side was not
 * synced); one it keeps now and that was not agreed is sent once.
 */
export function agreedOf(run: SyncRun, assetId: string): SideFields | undefined {
  const stored = agreedTextOf(run, assetId);
  return stored === undefined ? undefined : keptOnly(JSON.parse(stored) as SideFields, keptBy(run));
}

/** The synced fields the destination keeps (undefined: every field). */
export function keptBy(run: SyncRun): readonly SyncedField[] | undefined {
  return run.options.destination.fields?.keep;
}
