/**
 * `handler.screen_recording`: screen recordings travel as their original, byte-exact, tagged
 * `screen_recording`.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";

const screenRecordingHandler = {
  kind: "handler",
  id: "handler.screen_recording",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Screen recordings: the original byte-exact; tagged screen_recording",
  options: [],
  order: 40,
  applies: (asset: Asset) => asset.subtypes.includes("screen_recording"),
  plan(_asset: Asset, plan: PlanBuilder) {
    plan.tag("screen_recording");
  },
} satisfies HandlerPlugin;

export default screenRecordingHandler;
