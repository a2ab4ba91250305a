/**
 * `handler.edited`: an edited asset carries its rendered edit next to the original, with the edit
 * data. Which version travels is the run's edit policy (`--edited originals|edited|both`, default
 * `both`: the original and the render, stacked with the render on top); the plan builder applies
 * it for every handler alike, so a Live Photo, a Portrait or a Cinematic clip is treated the same.
 *
 * An edit without a render in the library (Photos renders some, e.g. slo-mo speed ramps, on
 * playback) travels as its original plus the edit data. A render the library lists but lacks on
 * disk marks the plan incomplete.
 * @module
 */
import { type Asset, resourceOf } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";
import { planEdited, planSidecars } from "../_resources.ts";

const editedHandler = {
  kind: "handler",
  id: "handler.edited",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Carries an edited asset's render and edit data, as the edit policy says",
  options: [],
  order: 20,
  applies: (asset: Asset) => asset.edited || resourceOf(asset, "edited") !== undefined,
  plan(asset: Asset, plan: PlanBuilder) {
    plan.tag("edited");
    planEdited(asset, plan);
    planSidecars(asset, plan);
  },
} satisfies HandlerPlugin;

export default editedHandler;
