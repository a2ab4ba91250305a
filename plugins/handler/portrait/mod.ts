/**
 * `handler.portrait`: a Portrait photo travels as its original, byte-exact, with the depth data
 * inside it (Photos keeps depth in the HEIC/JPEG itself, so the file is the whole of it), plus the
 * camera's capture adjustments that describe the portrait effect (`.AAE`). When Photos has
 * rendered the effect differently from the original (the photo was edited: effect, lighting or
 * depth changed), the render travels too, stacked over the original as the edit policy says.
 *
 * A portrait without a render has nothing to stack: the original already is what Photos shows.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";
import { planEdited, planSidecars } from "../_resources.ts";

const portraitHandler = {
  kind: "handler",
  id: "handler.portrait",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Portrait photos: the original with its depth data, plus the rendered effect, stacked",
  options: [],
  order: 30,
  applies: (asset: Asset) => asset.subtypes.includes("portrait"),
  plan(asset: Asset, plan: PlanBuilder) {
    plan.tag("portrait");
    planEdited(asset, plan);
    planSidecars(asset, plan);
  },
} satisfies HandlerPlugin;

export default portraitHandler;
