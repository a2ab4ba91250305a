/**
 * `handler.live_photo`: a Live Photo's still and motion video travel together; the video is hidden
 * and linked to the still. A missing motion video leaves the still importable and the plan marked
 * incomplete, so a later repair can finish it.
 * @module
 */
import { extname } from "node:path";
import { type Asset, resourceOf } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";

/** `IMG_0001.HEIC` + `abc_3.mov` -> `IMG_0001.MOV`: the pair shares the still's stem. */
export function motionName(asset: Asset, motionFilename: string): string {
  const stem = asset.filename.slice(0, asset.filename.length - extname(asset.filename).length);
  return `${stem}${extname(motionFilename).toUpperCase()}`;
}

const livePhotoHandler = {
  kind: "handler",
  id: "handler.live_photo",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Keeps a Live Photo's still and motion video together and linked",
  options: [],
  order: 10,
  applies: (asset: Asset) => asset.subtypes.includes("live") || resourceOf(asset, "motion") !== undefined,
  plan(asset: Asset, plan: PlanBuilder) {
    plan.tag("live");
    const motion = resourceOf(asset, "motion");
    if (!motion?.present) {
      plan.incomplete("motion video missing");
      return;
    }
    plan.add("motion", motion, { name: motionName(asset, motion.filename), hidden: true });
    plan.relate("motion_of", "motion", "original");
  },
} satisfies HandlerPlugin;

export default livePhotoHandler;
