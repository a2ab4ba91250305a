/**
 * The plan stage of the import: every handler that claims an asset shapes one plan of it.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import { type Plan, PlanBuilder } from "../model/plan.ts";
import type { PlanPolicy } from "../model/policy.ts";
import { PluginError } from "../plugin/errors.ts";
import type { HandlerEntry } from "./import_types.ts";

/** Applies every handler that claims the asset, in order, to one plan under the run's policy. */
export function planAsset(
  asset: Asset,
  handlers: HandlerEntry[],
  options: { policy?: Partial<PlanPolicy> } = {},
): Plan {
  const builder = new PlanBuilder(asset, { policy: options.policy });
  for (const { plugin, options } of handlers) {
    try {
      if (!plugin.applies(asset)) continue;
      plugin.plan(asset, builder, options);
      builder.markHandler(plugin.id);
    } catch (e) {
      throw new PluginError(plugin.id, `plan(${asset.id})`, e);
    }
  }
  return builder.build();
}
