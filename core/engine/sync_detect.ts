/**
 * The detection stage of `sync`: which assets either side changed, at a cost in proportion to the
 * changes. The destination names what changed there since its checkpoint (`changes`); Photos'
 * side is found while the import lists the library, by comparing each asset with what both sides
 * last agreed on (no request, no file read). An asset whose files changed (a new edit, a replaced
 * original: a planned file that did not reach the destination, or one of another size) is put
 * again, so the new render goes up and is stacked on top, the original kept.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import { canonicalJson, sameValue, type SideFields, type SyncedField } from "../model/synced.ts";
import type { TransferState } from "../tracker/mod.ts";
import { planAsset } from "./import_plan.ts";
import { photosFields } from "./sync_apply.ts";
import { AlbumsSeen } from "./sync_albums.ts";
import type { SyncRun } from "./sync_types.ts";

/** The assets the destination says changed since its checkpoint, and the checkpoint to save after. */
export async function remoteChanges(run: SyncRun): Promise<{ assets: Set<string>; checkpoint?: string }> {
  const { destination } = run.options;
  if (!destination.changes || !destination.read) return { assets: new Set() };
  const since = run.store.checkpoint(run.ids.destination, "remote");
  const { changed, checkpoint } = await destination.changes(since);
  // The first two-way sync starts the feed: what the import sent is what both sides agree on, and
  // reading every asset back once would cost a request per asset.
  if (since === undefined) return { assets: new Set(), checkpoint };
  const owners = run.store.assetsOf(run.ids, changed);
  return { assets: new Set(owners.values()), checkpoint };
}

/** Collects, while the import lists, the assets with something to reconcile or files to send again. */
export class ChangeCollector {
  readonly candidates: Asset[] = [];
  /** Assets the listing held (not in Recently Deleted), for the deletion stage. */
  readonly seen = new Set<string>();
  /** The albums the listing showed, for renames. */
  readonly albums = new AlbumsSeen();

  constructor(readonly run: SyncRun, readonly remote: Set<string>, readonly resend: Set<string>) {}

  listed(asset: Asset, state: TransferState | undefined): void {
    if (!asset.trashed) this.seen.add(asset.id);
    if (state?.status !== "imported") return;
    if (!asset.trashed && !state.remoteGone) this.albums.note(asset);
    // Taken for deleted at the destination: only what the destination says now can bring it back.
    if (state.remoteGone && !this.remote.has(asset.id)) return;
    if (this.filesChanged(asset, state)) this.resend.add(asset.id);
    if (asset.trashed) return;
    if (this.remote.has(asset.id) || this.photosChanged(asset)) this.candidates.push(asset);
  }

  /** Whether Photos' values differ from the agreed ones, or a field read has none agreed yet. */
  photosChanged(asset: Asset): boolean {
    const stored = this.run.agreed.get(asset.id);
    if (stored === undefined) return true;
    const now = photosFields(this.run, asset);
    // Stored canonically: equal texts, equal values (the common case, at no parse).
    if (canonicalJson(now) === stored) return false;
    const base = JSON.parse(stored) as SideFields;
    return (Object.keys(now) as SyncedField[]).some((f) => !(f in base) || !same(f, now, base));
  }

  /** Only for an asset Photos modified since it was sent: a planned file missing or resized there. */
  filesChanged(asset: Asset, state: TransferState): boolean {
    if (!asset.modified || !state.sourceModifiedAt || asset.modified === state.sourceModifiedAt) return false;
    const { options, ids, store } = this.run;
    let planned;
    try {
      planned = planAsset(asset, options.handlers, { policy: options.policy }).resources;
    } catch {
      return false; // a plan that fails now fails at import too, with its reason recorded there
    }
    const sent = new Map(store.resources(ids, asset.id).map((r) => [r.key, r]));
    return planned.some((p) => {
      const was = sent.get(p.key);
      return !was || (p.resource.size !== undefined && p.resource.size !== was.size);
    });
  }
}

function same(field: SyncedField, a: SideFields, b: SideFields): boolean {
  return sameValue(field, a[field] as never, b[field] as never);
}
