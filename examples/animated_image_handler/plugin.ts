/**
 * An example third-party handler: `handler.animated_image` teaches photos-sync a media type it does
 * not know, animated GIFs (Photos plays them with its "animated image" playback style). It claims
 * them by their facts, tags them so the tracker records the type and a destination can show it,
 * and, if the user asks, leaves them out of the run.
 *
 * It needs nothing from photos-sync at run time (only types), so its bundle is self-contained:
 *   deno bundle --platform=deno -o animated.js examples/animated_image_handler/plugin.ts
 *   photos-sync --plugin animated.js import --animated-image-tag gif ...
 * @module
 */
import type { Asset, HandlerPlugin, PlanBuilder } from "@photos-sync/photos-sync/plugin";

/** A GIF, known by its type identifier or, from sources that have none, by its name. */
function isAnimated(asset: Asset): boolean {
  return asset.kind === "photo" && (asset.uti === "com.compuserve.gif" || /\.gif$/i.test(asset.filename));
}

const plugin = {
  kind: "handler",
  id: "handler.animated_image",
  apiVersion: 2,
  version: "1.0.0",
  description: "Animated images (GIF): travel as they are, tagged (an example plugin)",
  // Each option becomes a flag (--animated-image-tag) and a variable (PHOTOS_SYNC_ANIMATED_IMAGE_TAG).
  options: [
    { name: "tag", type: "string", help: "tag recorded for animated images", default: "animated" },
    { name: "skip", type: "boolean", help: "leave animated images out of the run", default: false },
  ],
  // After the built-ins' tags (40), before the catch-all sidecar handler (90).
  order: 50,
  applies: isAnimated,
  plan(asset: Asset, plan: PlanBuilder, options) {
    // The original is already planned, byte-exact; a handler only adds what it knows.
    plan.tag(String(options.tag ?? "animated"));
    if (options.skip === true) plan.skip(`animated image ${asset.filename} (--animated-image-skip)`);
  },
} satisfies HandlerPlugin;

export default plugin;
