/**
 * The cold tier checked against the store itself: for each asset kept cold at a target, every
 * recorded object must be there, of the size and in the class recorded. What differs is drift,
 * reported per asset; what matches is marked verified now. `backup --verify` checks every asset,
 * the scheduled re-verify a random sample.
 *
 * @example
 * ```ts
 * const { drift } = await verifyCold({ tracker, source, targetId, target, sample: 20 });
 * ```
 * @module
 */
import type { AssetDestinationSession } from "../plugin/types.ts";
import { type ColdAsset, ColdStore } from "../tracker/cold_state.ts";
import type { Tracker } from "../tracker/mod.ts";

export interface ColdDrift {
  assetId: string;
  filename: string;
  key: string;
  problem: string;
}

export interface ColdVerifySummary {
  target: string;
  assets: number;
  files: number;
  drift: ColdDrift[];
}

export interface ColdVerifyOptions {
  tracker: Tracker;
  /** The Photos library's key. */
  source: string;
  targetId: string;
  target: AssetDestinationSession;
  /** Check only this many assets, drawn at random; all when unset. */
  sample?: number;
  /** A number in [0, 1) (tests pass their own). */
  random?: () => number;
}

export async function verifyCold(options: ColdVerifyOptions): Promise<ColdVerifySummary> {
  const store = new ColdStore(options.tracker);
  const ids = { source: options.source, target: options.targetId };
  const assets = drawn([...store.assets(ids).values()], options.sample, options.random ?? Math.random);
  const summary: ColdVerifySummary = { target: options.targetId, assets: assets.length, files: 0, drift: [] };
  for (const asset of assets) {
    const files = [...store.files(ids, asset.assetId).values()];
    const states = await options.target.coldState!(files.map((f) => f.remoteId));
    const good: { key: string; storageClass: string }[] = [];
    for (const f of files) {
      summary.files++;
      const state = states[f.remoteId];
      const drift = (problem: string) =>
        summary.drift.push({
          assetId: asset.assetId,
          filename: asset.asset.filename ?? "",
          key: f.key,
          problem,
        });
      if (!state) drift("missing at the cold target");
      else if (state.size !== f.size) drift(`${state.size} bytes at the cold target, ${f.size} stored`);
      else if (state.storageClass !== f.storageClass) {
        drift(`in ${state.storageClass} at the cold target, stored in ${f.storageClass}`);
      } else good.push({ key: f.key, storageClass: state.storageClass });
    }
    store.recordVerified(ids, asset.assetId, good);
  }
  return summary;
}

/** `n` of the assets at random (a partial Fisher-Yates shuffle), or all of them. */
function drawn(assets: ColdAsset[], n: number | undefined, random: () => number): ColdAsset[] {
  if (n === undefined || n >= assets.length) return assets;
  const pool = [...assets];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}
