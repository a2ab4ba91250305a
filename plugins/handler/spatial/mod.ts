/**
 * `handler.spatial`: spatial photos and spatial (MV-HEVC) videos travel byte-exact, as their
 * original, which holds both eyes' images and the spatial metadata; nothing is converted. The plan
 * is tagged `spatial`, which the tracker records and destinations may show. A spatial photo can
 * also be a Live Photo and a Portrait: those handlers add their parts to the same plan.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";

const spatialHandler = {
  kind: "handler",
  id: "handler.spatial",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Spatial photos and videos: byte-exact, tagged spatial",
  options: [],
  order: 30,
  applies: (asset: Asset) => asset.subtypes.includes("spatial"),
  plan(_asset: Asset, plan: PlanBuilder) {
    plan.tag("spatial");
  },
} satisfies HandlerPlugin;

export default spatialHandler;
