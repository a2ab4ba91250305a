/**
 * `handler.hdr`: HDR photos (including gain-map HEICs, whose gain map lives inside the file) and
 * HDR videos travel as their original, byte-exact, so the HDR rendition survives. The plan is
 * tagged `hdr` (recorded in the tracker; sent to the destination where asked for).
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";

const hdrHandler = {
  kind: "handler",
  id: "handler.hdr",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "HDR photos and videos: the original byte-exact, gain map and HDR metadata intact; tagged hdr",
  options: [],
  order: 40,
  applies: (asset: Asset) => asset.subtypes.includes("hdr"),
  plan(_asset: Asset, plan: PlanBuilder) {
    plan.tag("hdr");
  },
} satisfies HandlerPlugin;

export default hdrHandler;
