/**
 * `handler.shared_library`: assets of the iCloud Shared Photo Library. By default (`--shared-library
 * tag`) they go to the owner's timeline tagged `shared-library`, and `shared-library/<name>` for the
 * participant who added them, so they can be told apart and filtered in Immich; with
 * `--shared-library skip` they stay out (recorded as skipped with the reason, looked at again each
 * run, so switching back imports them).
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";

const sharedLibraryHandler = {
  kind: "handler",
  id: "handler.shared_library",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "iCloud Shared Library assets: tagged with the library and who added them, or skipped",
  options: [],
  order: 6,
  applies: (asset: Asset) => asset.sharing?.sharedLibrary === true,
  plan(asset: Asset, plan: PlanBuilder) {
    if (plan.policy.sharedLibrary === "skip") {
      plan.skip("in the iCloud Shared Library (shared-library: skip; use --shared-library tag to import it)");
      return;
    }
    plan.tag("shared-library");
    const contributor = asset.sharing?.contributor?.trim();
    if (contributor) plan.tag(`shared-library/${contributor}`);
  },
} satisfies HandlerPlugin;

export default sharedLibraryHandler;
