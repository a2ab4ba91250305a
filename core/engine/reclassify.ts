/**
 * `reclassify`: read every imported asset's type again (handlers and sources improve, Photos
 * re-analyses), update the tracker, and with `repair` finish what is incomplete at the destination
 * by sending the asset again: the destination keeps what it has (the still is a duplicate) and adds
 * what is missing (the motion video, the sidecars). Nothing is ever deleted at the destination.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { Plan } from "../model/plan.ts";
import { incompleteAt } from "../tracker/mod.ts";
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
  /** Lacking at the destination something the library now has (a repair sends it). */
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
    const incomplete = incompleteAt(plan, before.sent);
    const tagsChanged = !sameSet(before.tags, plan.tags) || !sameSet(before.subtypes, asset.subtypes);
    const changed = tagsChanged || !sameSet(before.incomplete, incomplete);
    if (changed) {
      summary.reclassified++;
      countTagChanges(summary.changes, before.tags, plan.tags);
    }
    // Completable when the library now has a planned resource the destination never confirmed;
    // the mark stays (whatever repair runs first) until a put of it is confirmed.
    const completable = !plan.skip && plan.resources.some((r) => !before.sent.includes(r.key));
    if (completable && (options.repairFilter?.(asset, plan) ?? true)) {
      summary.repairable++;
      if (options.repair && (!options.repairLimit || toRepair.length < options.repairLimit)) {
        toRepair.push(asset);
      }
    } else if (!completable && plan.incomplete.length > 0) summary.stillIncomplete++;
    if (!options.dryRun && changed) options.tracker.updateClassification(ids, asset, plan);
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

function countTagChanges(changes: Record<string, number>, before: string[], after: string[]): void {
  for (const t of after) if (!before.includes(t)) changes[`+${t}`] = (changes[`+${t}`] ?? 0) + 1;
  for (const t of before) if (!after.includes(t)) changes[`-${t}`] = (changes[`-${t}`] ?? 0) + 1;
}
