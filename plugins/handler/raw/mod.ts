/**
 * `handler.raw`: RAW files arrive as Photos has them.
 * - A ProRAW (or any standalone RAW/DNG) photo travels as its original, byte-exact; there is
 *   nothing beside it.
 * - A RAW+JPEG pair travels as two files, `IMG_1994.JPG` and `IMG_1994.CR2`, stacked with the one
 *   Photos shows as the original on top (`asset.rawPrimary`: the RAW; otherwise the JPEG).
 *
 * A pair whose RAW is missing travels as its JPEG, and the plan is marked incomplete.
 * @module
 */
import { type Asset, resourceOf } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";
import { addIfAvailable, travelName } from "../_resources.ts";

const rawHandler = {
  kind: "handler",
  id: "handler.raw",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description:
    "RAW photos: ProRAW as the original; RAW+JPEG pairs as two files, stacked as Photos shows them",
  options: [],
  order: 30,
  applies: (asset: Asset) =>
    asset.subtypes.some((s) => s === "raw_jpeg" || s === "proraw" || s === "raw") ||
    resourceOf(asset, "raw") !== undefined,
  plan(asset: Asset, plan: PlanBuilder) {
    for (const s of asset.subtypes) if (s === "proraw" || s === "raw") plan.tag(s);
    const raw = resourceOf(asset, "raw");
    if (!raw && !asset.subtypes.includes("raw_jpeg")) return;
    plan.tag("raw_jpeg");
    if (!raw || !plan.has("original")) {
      plan.incomplete("RAW file missing");
      return;
    }
    if (!addIfAvailable(plan, asset, "raw", raw, { name: travelName(asset, raw) })) return;
    if (asset.rawPrimary) {
      plan.relate("stack", "original", "raw");
      plan.setPrimary("raw");
    } else plan.relate("stack", "raw", "original");
  },
} satisfies HandlerPlugin;

export default rawHandler;
