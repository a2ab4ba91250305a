/**
 * The way back: `unarchive` and `pull` are imports from Immich (`source.immich`) into Photos
 * (`destination.photokit`) or into a folder laid out for Photos' own import, through the normal
 * engine (lanes, retries, dry run, tracker). What makes them a round trip is the link: each asset
 * created in Photos is recorded as already at Immich, as the Immich asset it came from, so the next
 * import or sync from Photos sends nothing again.
 *
 * @example
 * ```ts
 * const summary = await bringBack({ ...importOptions, photos, pick: (a) => wanted.has(a.id), links: "photos" });
 * ```
 * @module
 */
import type { Asset } from "../model/asset.ts";
import { fieldsRead } from "../model/synced.ts";
import type { AssetDestinationSession, RemoteRef } from "../plugin/types.ts";
import type { ExportedGroup } from "../model/plan.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { importAssets, type ImportOptions, type RunSummary } from "./import_run.ts";

export interface BringBackOptions extends ImportOptions {
  /** The Photos library's and Immich's keys in the tracker (what `import` and `sync` use). */
  photos: { source: string; destination: string };
  /** Which Immich assets to bring. */
  pick: (asset: Asset) => boolean;
  /**
   * `photos`: the destination creates Photos assets, whose ids are linked to Immich; `none`: it
   * writes files (a folder), which Photos' import turns into assets later (Immich then recognises
   * their bytes).
   */
  links: "photos" | "none";
  /** The Immich id of each of an asset's files, by resource key (default: the asset's own id for the original). */
  immichIds?: (asset: Asset) => Record<string, string>;
  /** Told of each asset brought, with the new Photos id when there is one. */
  onBrought?: (asset: Asset, newId: string | undefined) => void;
}

export interface BringBackSummary {
  /** Immich assets picked. */
  picked: number;
  import: RunSummary;
  /** Assets created in Photos and linked to the Immich asset they came from. */
  linked: number;
}

export async function bringBack(options: BringBackOptions): Promise<BringBackSummary> {
  const picked: Asset[] = [];
  for await (const asset of options.source.list()) {
    options.signal?.throwIfAborted();
    if (options.pick(asset)) picked.push(asset);
  }
  let linked = 0;
  const destination = linking(options.destination, (group, refs) => {
    const newId = options.links === "photos"
      ? refs.find((r) => r.key === group.plan.primary)?.remoteId
      : undefined;
    if (newId && !options.dryRun) {
      link(options, group, newId);
      linked++;
    }
    options.onBrought?.(group.asset, newId);
  });
  const summary = await importAssets({ ...options, destination, assets: picked });
  return { picked: picked.length, import: summary, linked };
}

/** The destination, telling `after` of every put it confirmed. */
function linking(
  destination: AssetDestinationSession,
  after: (group: ExportedGroup, refs: RemoteRef[]) => void,
): AssetDestinationSession {
  return {
    ...destination,
    put: async (group) => {
      const result = await destination.put(group);
      after(group, result.resources);
      return result;
    },
  };
}

/** An asset `source.immich` yields: it is the original, and a Live Photo's video is its `motion`. */
function immichIdsOf(asset: Asset): Record<string, string> {
  const motion = asset.sourceData?.motionId;
  return { original: asset.id, ...(typeof motion === "string" ? { motion } : {}) };
}

/** Records the new Photos asset as already at Immich, as the files it was made from, and agreed. */
function link(options: BringBackOptions, group: ExportedGroup, newId: string): void {
  const ids = (options.immichIds ?? immichIdsOf)(group.asset);
  const files = group.files.filter((f) => ids[f.key] !== undefined);
  const asPhotos = { ...group.asset, id: newId };
  options.tracker.recordImported(
    options.photos,
    { asset: asPhotos, plan: group.plan, files },
    files.map((f) => ({ key: f.key, remoteId: ids[f.key], duplicate: true })),
  );
  new SyncStore(options.tracker).recordSent(options.photos, newId, fieldsRead(asPhotos));
}
