/**
 * `handler.slomo`: a slo-mo video travels as its original, byte-exact, at the frame rate it was
 * shot (e.g. 240 fps); Photos keeps the slow section as an adjustment, which travels as a hidden
 * sidecar (`IMG_0905.AAE`) and is kept in the sidecar store. A render of the slowed video, when
 * the library has one, travels as the edit policy says. Tagged `slomo`.
 * @module
 */

import { subtypeHandler } from "../_subtype_handler.ts";

export default subtypeHandler({
  subtype: "slomo",
  description:
    "Slo-mo videos: the original at its full frame rate, speed ramps kept as sidecars; tagged slomo",
  sidecars: true,
});
