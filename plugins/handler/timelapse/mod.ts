/**
 * `handler.timelapse`: a time-lapse video travels as its original, byte-exact; any adjustment
 * Photos keeps for it travels as a hidden sidecar and is kept in the sidecar store. Tagged
 * `timelapse`.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";
import { planSidecars } from "../_resources.ts";

const timelapseHandler = {
  kind: "handler",
  id: "handler.timelapse",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Time-lapse videos: the original byte-exact, adjustments kept as sidecars; tagged timelapse",
  options: [],
  order: 40,
  applies: (asset: Asset) => asset.subtypes.includes("timelapse"),
  plan(asset: Asset, plan: PlanBuilder) {
    plan.tag("timelapse");
    planSidecars(asset, plan);
  },
} satisfies HandlerPlugin;

export default timelapseHandler;
