/**
 * `handler.screenshot`: screenshots travel as their original, byte-exact, tagged `screenshot`.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";

const screenshotHandler = {
  kind: "handler",
  id: "handler.screenshot",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Screenshots: the original byte-exact; tagged screenshot",
  options: [],
  order: 40,
  applies: (asset: Asset) => asset.subtypes.includes("screenshot"),
  plan(_asset: Asset, plan: PlanBuilder) {
    plan.tag("screenshot");
  },
} satisfies HandlerPlugin;

export default screenshotHandler;
