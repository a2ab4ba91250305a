/**
 * `handler.panorama`: panoramas travel as their original, byte-exact, tagged `panorama`.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";

const panoramaHandler = {
  kind: "handler",
  id: "handler.panorama",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Panoramas: the original byte-exact; tagged panorama",
  options: [],
  order: 40,
  applies: (asset: Asset) => asset.subtypes.includes("panorama"),
  plan(_asset: Asset, plan: PlanBuilder) {
    plan.tag("panorama");
  },
} satisfies HandlerPlugin;

export default panoramaHandler;
