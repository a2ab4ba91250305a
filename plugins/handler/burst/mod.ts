/**
 * `handler.burst`: every frame of a burst is its own asset in Photos. By default (`--bursts
 * picked`) the frames the library shows travel: the key frame and those picked by the user; the
 * others are skipped by policy (recorded as skipped with the reason, looked at again each run, so
 * `--bursts all` later imports them). With `--bursts all` every frame travels.
 *
 * The frames of one burst form one stack at the destination, with the key frame on top: each
 * frame's plan names the group `burst:<burst id>` and whether it is the key frame; the engine asks
 * a destination that can stack to stack the group's members as they arrive.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { PlanBuilder } from "../../../core/model/plan.ts";
import { type HandlerPlugin, PLUGIN_API_VERSION } from "../../../core/plugin/types.ts";

const burstHandler = {
  kind: "handler",
  id: "handler.burst",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Burst frames: the picked ones by default, every one on request, stacked on the key frame",
  options: [],
  order: 5,
  applies: (asset: Asset) => asset.burst !== undefined,
  plan(asset: Asset, plan: PlanBuilder) {
    const burst = asset.burst!;
    plan.tag("burst");
    plan.stackGroup(`burst:${burst.id}`, { primary: burst.key });
    if (!burst.picked && !burst.key && plan.policy.bursts === "picked") {
      plan.skip("unpicked burst frame (bursts: picked; use --bursts all to import every frame)");
    }
  },
} satisfies HandlerPlugin;

export default burstHandler;
