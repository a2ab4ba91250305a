/**
 * `handler.cinematic`: a Cinematic video travels as its original, byte-exact, with the depth
 * track and focus decisions inside it. When the clip was edited, Photos also holds the adjustment
 * data (`.AAE`), the base video the edit starts from and the rendered video: the first two travel
 * as hidden sidecars of the original (and are kept in the sidecar store, as some destinations
 * cannot hold them), the render is stacked over the original as the edit policy says.
 *
 * What a restore into Photos can bring back is in docs/media-types.md: every byte is kept,
 * but a clip re-created through PhotoKit is reported to come back as a plain video, so editing its
 * focus needs the original still in Photos or iCloud.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";
import { planEdited, planSidecars } from "../_resources.ts";

const cinematicHandler = {
  kind: "handler",
  id: "handler.cinematic",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Cinematic videos: the original with its depth track, edit data, base and rendered video",
  options: [],
  order: 30,
  applies: (asset: Asset) => asset.subtypes.includes("cinematic"),
  plan(asset: Asset, plan: PlanBuilder) {
    plan.tag("cinematic");
    planSidecars(asset, plan);
    planEdited(asset, plan);
  },
} satisfies HandlerPlugin;

export default cinematicHandler;
