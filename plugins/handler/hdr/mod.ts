/**
 * `handler.hdr`: HDR photos (including gain-map HEICs, whose gain map lives inside the file) and
 * HDR videos travel as their original, byte-exact, so the HDR rendition survives. The plan is
 * tagged `hdr` (recorded in the tracker; sent to the destination where asked for).
 * @module
 */

import { subtypeHandler } from "../_subtype_handler.ts";

export default subtypeHandler({
  subtype: "hdr",
  description: "HDR photos and videos: the original byte-exact, gain map and HDR metadata intact; tagged hdr",
});
