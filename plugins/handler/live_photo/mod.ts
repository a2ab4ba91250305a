/**
 * `handler.live_photo`: a Live Photo's still and motion video travel together; the video is hidden
 * and linked to the still (`motion_of`). An edited Live Photo also carries its edited pair: the
 * rendered still and the rendered motion video, linked to each other; which pair travels is the
 * run's edit policy (default: both, the edited pair stacked on top).
 *
 * A missing motion video leaves the still importable and the plan marked incomplete, so a later
 * repair can finish it.
 * @module
 */
import { type Asset, resourceOf } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";
import { addIfAvailable, planEdited, planSidecars, travelName } from "../_resources.ts";

const livePhotoHandler = {
  kind: "handler",
  id: "handler.live_photo",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.1.0",
  description: "Keeps a Live Photo's still and motion video (and its edited pair) together and linked",
  options: [],
  order: 10,
  applies: (asset: Asset) => asset.subtypes.includes("live") || resourceOf(asset, "motion") !== undefined,
  plan(asset: Asset, plan: PlanBuilder) {
    plan.tag("live");
    const motion = resourceOf(asset, "motion");
    if (!motion) plan.incomplete("motion video missing");
    else if (
      addIfAvailable(plan, asset, "motion", motion, { name: travelName(asset, motion), hidden: true })
    ) {
      plan.relate("motion_of", "motion", "original");
    }
    const editedMotion = resourceOf(asset, "edited_motion");
    if (planEdited(asset, plan) && editedMotion) {
      const name = travelName(asset, editedMotion, { suffix: "_edited" });
      if (addIfAvailable(plan, asset, "edited_motion", editedMotion, { name, hidden: true })) {
        plan.relate("motion_of", "edited_motion", "edited");
      }
    }
    planSidecars(asset, plan);
  },
} satisfies HandlerPlugin;

export default livePhotoHandler;
