/**
 * `sync`: the two-way sync, from one listing of the library. In order: metadata waiting to be
 * written into Photos is written (when the source can); the destination names what changed there
 * since its checkpoint; the import runs, sending what is new and again what changed files, while
 * the listing finds what changed in Photos (only among the assets Photos' change history names,
 * when the source keeps one; with neither side naming a change, the library is not listed at all:
 * `sync_unlisted.ts`); each changed asset is reconciled field by field
 * against what both sides last agreed on (`sync_apply.ts`); deletions are reconciled both ways
 * (`sync_gone.ts`); and, when every write succeeded, the destination's checkpoint moves on. Every
 * write is idempotent and the agreed values are recorded after it, so a run stopped anywhere
 * resumes with nothing applied twice.
 *
 * @example
 * ```ts
 * const summary = await syncAssets({ ...importOptions, prefer: "ask", propagateDeletions: false });
 * ```
 * @module
 */
import { errorKind, messageOf } from "../plugin/errors.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { importAssets } from "./import_run.ts";
import { emptySummary } from "./import_types.ts";
import { reconcileAssets } from "./sync_apply.ts";
import {
  ChangeCollector,
  historySide,
  KEPT_SIDE,
  keptText,
  photosHistory,
  remoteChanges,
} from "./sync_detect.ts";
import { removeDeletedAlbums, renameAlbums } from "./sync_albums.ts";
import { reconcileDeletions } from "./sync_gone.ts";
import { leavesUnlisted, noteListing } from "./sync_unlisted.ts";
import { emptySyncSummary, type SyncOptions, type SyncRun, type SyncSummary } from "./sync_types.ts";

export type { DirectionCounts, SyncOptions, SyncSummary } from "./sync_types.ts";

export async function syncAssets(options: SyncOptions): Promise<SyncSummary> {
  const ids = { source: options.sourceId, destination: options.destinationId };
  const startedAt = options.now?.() ?? new Date();
  const store = new SyncStore(options.tracker);
  const run: SyncRun = {
    options,
    ids,
    store,
    agreed: new Map(),
    pending: new Map(),
    summary: emptySyncSummary(emptySummary()),
    deletedRemotely: [],
    clean: true,
  };
  await writePending(run);
  for (const w of store.pendingWrites(ids.source)) run.pending.set(w.assetId, w.fields);
  const remote = await remoteChanges(run);
  const history = await photosHistory(run);
  const resend = new Set(options.resend ?? []);
  // Assets the destination changed, and those whose conflicts `review --resolve` settled.
  const reconsider = new Set([...remote.assets, ...store.resolvedAssets(ids)]);
  if (leavesUnlisted(run, { changed: history.changed, remote: reconsider, resend })) {
    run.summary.unlisted = true;
    if (run.clean && !options.dryRun) saveFeeds(run, remote.checkpoint, history.token);
    run.summary.pending = store.pendingWrites(ids.source).length;
    return run.summary;
  }
  const states = options.tracker.transfers(ids.source, ids.destination);
  // Assets without a stamp are compared field by field: many (the first sync after the upgrade
  // that added stamps), and their agreed values are read in one pass rather than one by one.
  if (states.unstamped() > BULK_READ) run.agreed = store.agreedTexts(ids);
  const collector = new ChangeCollector(run, reconsider, resend, history.changed);
  run.summary.import = await importAssets({
    ...options,
    states,
    resend,
    onListed(asset, state) {
      options.onListed?.(asset, state);
      collector.listed(asset, state);
    },
  });
  if (options.signal?.aborted) return run.summary;
  await reconcileAssets(run, collector.candidates, collector.stamps);
  if (!options.dryRun) store.restamp(ids, collector.unchanged);
  await renameAlbums(run, collector.albums);
  if (options.signal?.aborted) return run.summary;
  await reconcileDeletions(run, {
    seen: collector.seen,
    listed: run.summary.import.listed,
    known: states.keys(),
  });
  await removeDeletedAlbums(run);
  const done = run.clean && run.summary.import.failed === 0;
  // Both feeds move on only once the run's changes are recorded: a stopped run repeats its window.
  if (done && !options.dryRun) {
    saveFeeds(run, remote.checkpoint, history.token);
    if (!options.only) noteListing(run, startedAt);
  }
  run.summary.pending = store.pendingWrites(ids.source).length;
  return run.summary;
}

/** Moves both change feeds on, with the fields the destination kept in this window. */
function saveFeeds(run: SyncRun, remote: string | undefined, history: string | undefined): void {
  const { store, ids } = run;
  if (remote) store.saveCheckpoint(ids.destination, "remote", remote);
  if (history) store.saveCheckpoint(ids.destination, historySide(ids.source), history);
  store.saveCheckpoint(ids.destination, KEPT_SIDE, keptText(run));
}

/** Past this many assets to compare, the agreed values are read in one pass. */
const BULK_READ = 1000;

/** Writes what earlier runs could not write into Photos, now that the source can. */
async function writePending(run: SyncRun): Promise<void> {
  const { source, sourceFields, dryRun } = run.options;
  if (!source.write || !sourceFields?.write?.length) return;
  const writable = new Set(sourceFields.write);
  for (const waiting of run.store.pendingWrites(run.ids.source)) {
    if (run.options.signal?.aborted) return;
    const fields = Object.fromEntries(
      Object.entries(waiting.fields).filter(([f]) => writable.has(f as keyof typeof waiting.fields)),
    );
    if (dryRun) {
      run.summary.pendingWritten++;
      continue;
    }
    try {
      if (Object.keys(fields).length > 0) await source.write(waiting.assetId, fields);
      run.store.clearWrite(run.ids.source, waiting.assetId);
      run.summary.pendingWritten++;
    } catch (e) {
      if (errorKind(e) === "fatal" || errorKind(e) === "config") throw e;
      run.clean = false;
      run.summary.updateFailed++;
      run.options.onEvent?.({
        type: "asset",
        assetId: waiting.assetId,
        filename: waiting.assetId,
        outcome: "failed",
        kind: errorKind(e),
        error: `writing into Photos: ${messageOf(e)}`,
      });
    }
  }
}
