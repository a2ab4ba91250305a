/**
 * `handler.sidecars`: nothing an asset owns is left behind. Every adjustment file (the camera's
 * capture adjustments `_5.aae`, an edit's `.plist`), adjustment base and other sidecar travels as a
 * hidden `sidecar_of` the original, named after it (`IMG_3582.AAE`). The engine also keeps every
 * sidecar in the content-addressed sidecar store under the data directory, because some
 * destinations (Immich) cannot hold them.
 *
 * Handlers for particular media types plan the same keys; this one covers every other asset.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";
import { hasSidecars, planSidecars } from "../_resources.ts";

const sidecarsHandler = {
  kind: "handler",
  id: "handler.sidecars",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Keeps every adjustment file and sidecar with its asset",
  options: [],
  order: 90,
  applies: hasSidecars,
  plan(asset: Asset, plan: PlanBuilder) {
    planSidecars(asset, plan);
  },
} satisfies HandlerPlugin;

export default sidecarsHandler;
