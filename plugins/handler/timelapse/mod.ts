/**
 * `handler.timelapse`: a time-lapse video travels as its original, byte-exact; any adjustment
 * Photos keeps for it travels as a hidden sidecar and is kept in the sidecar store. Tagged
 * `timelapse`.
 * @module
 */

import { subtypeHandler } from "../_subtype_handler.ts";

export default subtypeHandler({
  subtype: "timelapse",
  description: "Time-lapse videos: the original byte-exact, adjustments kept as sidecars; tagged timelapse",
  sidecars: true,
});
