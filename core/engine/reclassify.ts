/**
 * `reclassify`: read every imported asset's type again (handlers and sources improve, Photos
 * re-analyses), update the tracker, and with `repair` finish what is incomplete at the destination
 * by sending the asset again: the destination keeps what it has (the still is a duplicate) and adds
 * what is missing (the motion video, the sidecars). Nothing is ever deleted at the destination.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { Plan } from "../model/plan.ts";
import { importAssets, type ImportOptions, planAsset, type RunSummary } from "./import_run.ts";

export interface ReclassifyOptions extends ImportOptions {
  repair?: boolean;
  /** Repair at most this many assets (0: all). */
  repairLimit?: number;
  /** Only repair assets this accepts (e.g. Live Photos for `import --repair-paired-videos`). */
  repairFilter?: (asset: Asset, plan: Plan) => boolean;
}

export interface ReclassifySummary {
  listed: number;
  /** Imported assets whose recorded type or completeness changed. */
  reclassified: number;
  /** Incomplete at the destination and now completable. */
  repairable: number;
  /** Still incomplete: what they lack is not in the library either. */
  stillIncomplete: number;
  repair?: RunSummary;
  /** How the type tags changed, e.g. { "+live": 3, "-hdr": 1 }. */
  changes: Record<string, number>;
  failed: number;
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));

export async function reclassify(options: ReclassifyOptions): Promise<ReclassifySummary> {
  const ids = { source: options.sourceId, destination: options.destinationId };
  const known = options.tracker.classification(ids);
  const summary: ReclassifySummary = {
    listed: 0,
    reclassified: 0,
    repairable: 0,
    stillIncomplete: 0,
    changes: {},
    failed: 0,
  };
  const toRepair: Asset[] = [];
  for await (const asset of options.source.list()) {
    summary.listed++;
    const before = known.get(asset.id);
    if (!before) continue;
    const plan = planAsset(asset, options.handlers, { policy: options.policy });
    const tagsChanged = !sameSet(before.tags, plan.tags) || !sameSet(before.subtypes, asset.subtypes);
    if (tagsChanged || !sameSet(before.incomplete, plan.incomplete)) {
      summary.reclassified++;
      for (const t of plan.tags) {
        if (!before.tags.includes(t)) summary.changes[`+${t}`] = (summary.changes[`+${t}`] ?? 0) + 1;
      }
      for (const t of before.tags) {
        if (!plan.tags.includes(t)) summary.changes[`-${t}`] = (summary.changes[`-${t}`] ?? 0) + 1;
      }
    }
    if (before.incomplete.length > 0 || plan.incomplete.length > 0) {
      // Completable when the fresh plan lacks less than what was sent.
      const completable = before.incomplete.some((r) => !plan.incomplete.includes(r));
      if (completable && (options.repairFilter?.(asset, plan) ?? true)) {
        summary.repairable++;
        if (options.repair && (!options.repairLimit || toRepair.length < options.repairLimit)) {
          toRepair.push(asset);
        }
      } else if (plan.incomplete.length > 0) summary.stillIncomplete++;
    }
    if (
      !options.dryRun && (tagsChanged || !sameSet(before.incomplete, plan.incomplete)) &&
      !toRepair.includes(asset)
    ) {
      options.tracker.updateClassification(ids, asset, plan);
    }
  }
  if (options.repair && toRepair.length > 0) {
    summary.repair = await importAssets({
      ...options,
      assets: toRepair,
      resend: new Set(toRepair.map((a) => a.id)),
      limit: 0,
    });
    summary.failed = summary.repair.failed;
  }
  return summary;
}
