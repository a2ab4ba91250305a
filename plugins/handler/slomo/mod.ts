/**
 * `handler.slomo`: a slo-mo video travels as its original, byte-exact, at the frame rate it was
 * shot (e.g. 240 fps); Photos keeps the slow section as an adjustment, which travels as a hidden
 * sidecar (`IMG_0905.AAE`) and is kept in the sidecar store. A render of the slowed video, when
 * the library has one, travels as the edit policy says. Tagged `slomo`.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";
import { planSidecars } from "../_resources.ts";

const slomoHandler = {
  kind: "handler",
  id: "handler.slomo",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description:
    "Slo-mo videos: the original at its full frame rate, speed ramps kept as sidecars; tagged slomo",
  options: [],
  order: 40,
  applies: (asset: Asset) => asset.subtypes.includes("slomo"),
  plan(asset: Asset, plan: PlanBuilder) {
    plan.tag("slomo");
    planSidecars(asset, plan);
  },
} satisfies HandlerPlugin;

export default slomoHandler;
