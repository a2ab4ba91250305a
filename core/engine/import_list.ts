/**
 * The list and diff stages of the import: the library is listed once, each asset is decided
 * against the tracker, and what has work to do goes into the spool, which the import works through
 * while the listing goes on (memory stays flat: what waits goes to disk).
 * @module
 */
import { type Asset, needsDownload } from "../model/asset.ts";
import type { Plan } from "../model/plan.ts";
import type { TransferState } from "../tracker/mod.ts";
import { decide } from "./diff.ts";
import { planAsset } from "./import_plan.ts";
import { type ImportRun, noteWaiting } from "./import_types.ts";
import type { Spool } from "./spool.ts";

/** Whether the asset goes through the paced iCloud download lane. */
export function inCloudLane(run: ImportRun, asset: Asset): boolean {
  return run.options.trustLocalFacts !== false && needsDownload(asset);
}

/** Lists the source (or the assets given) and spools every asset with work to do. */
export async function spoolWork(run: ImportRun, spool: Spool<Asset>): Promise<void> {
  const { options, summary, emit } = run;
  const limit = options.limit ?? 0;
  const listing = options.assets ?? options.source.list();
  for await (const asset of listing) {
    if (run.signal.aborted) return;
    if (options.only && !options.only.has(asset.id)) continue;
    summary.listed++;
    const state = run.states.get(asset.id);
    options.onListed?.(asset, state);
    const d = decide(asset, state, {
      now: run.now,
      retryPermanent: options.retryPermanent,
      repair: options.resend?.has(asset.id),
    });
    if (d.action === "import" && skippedByPolicy(run, asset, state)) continue;
    const skip = d.action === "skip"
      ? d.reason
      : inCloudLane(run, asset) && !options.allowNetwork
      ? "cloud" as const
      : undefined;
    if (skip) {
      summary.skipped[skip]++;
      if (skip === "waiting") noteWaiting(summary, state!.nextAttemptAt!);
      if (skip !== "imported") emit({ type: "skip", assetId: asset.id, reason: skip });
      continue;
    }
    if (limit > 0 && spool.count >= limit) continue;
    await spool.add(asset);
  }
}

/**
 * Whether the run's policy leaves the asset out (an unpicked burst frame): planning is cheap and
 * pure, so it happens here too, before the asset takes a place in the spool or under --limit.
 * The skip is recorded once, and looked at again by every run in case the policy changed.
 */
function skippedByPolicy(run: ImportRun, asset: Asset, state: TransferState | undefined): boolean {
  const { options } = run;
  let plan: Plan;
  try {
    plan = planAsset(asset, options.handlers, { policy: options.policy });
  } catch {
    return false; // importOne plans again and records the failure
  }
  if (!plan.skip) return false;
  run.summary.skipped.policy++;
  run.emit({ type: "skip", assetId: asset.id, reason: "policy", detail: plan.skip });
  const known = state?.status === "skipped" && state.errorClass === "policy";
  if (!options.dryRun && !known) options.tracker.recordSkipped(run.ids, asset, plan.skip);
  return true;
}
