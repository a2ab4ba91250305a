/** Small helpers for the handler tests: plan one asset with one handler, and print plans compactly. */
import type { Asset } from "../../core/model/asset.ts";
import { type Plan, PlanBuilder } from "../../core/model/plan.ts";
import type { PlanPolicy } from "../../core/model/policy.ts";
import type { HandlerPlugin } from "../../core/plugin/types.ts";

export function planWith(handler: HandlerPlugin, asset: Asset, policy: Partial<PlanPolicy> = {}): Plan {
  const b = new PlanBuilder(asset, { policy });
  handler.plan(asset, b, {});
  return b.build();
}

/** `[key, name, hidden]` per planned resource. */
export const files = (p: Plan) => p.resources.map((r) => [r.key, r.name, r.hidden]);
/** `"from type to"` per relation. */
export const links = (p: Plan) => p.relations.map((r) => `${r.from} ${r.type} ${r.to}`);
