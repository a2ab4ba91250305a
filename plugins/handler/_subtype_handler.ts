/**
 * The media types whose original travels as it is and only needs marking (HDR, panorama,
 * screenshot, screen recording, slo-mo, time-lapse): one shape, written once.
 *
 * @example
 * ```ts
 * export default subtypeHandler({ subtype: "panorama", description: "Panoramas: the original byte-exact" });
 * ```
 * @module
 */
import type { Asset, Subtype } from "../../core/model/asset.ts";
import type { PlanBuilder } from "../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../core/plugin/types.ts";
import { planSidecars } from "./_resources.ts";

export interface SubtypeHandlerOptions {
  subtype: Subtype;
  description: string;
  /** Also plan the asset's adjustment files as sidecars (slo-mo speed ramps, time-lapse settings). */
  sidecars?: boolean;
}

/** A handler that tags assets of one subtype (and, if asked, keeps their adjustments as sidecars). */
export function subtypeHandler(options: SubtypeHandlerOptions): HandlerPlugin {
  const { subtype, description, sidecars = false } = options;
  return {
    kind: "handler",
    id: `handler.${subtype}`,
    apiVersion: PLUGIN_API_VERSION,
    version: "1.0.0",
    description,
    options: [],
    order: 40,
    applies: (asset: Asset) => asset.subtypes.includes(subtype),
    plan(asset: Asset, plan: PlanBuilder) {
      plan.tag(subtype);
      if (sidecars) planSidecars(asset, plan);
    },
  };
}
