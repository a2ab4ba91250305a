/**
 * `handler.panorama`: panoramas travel as their original, byte-exact, tagged `panorama`.
 * @module
 */

import { subtypeHandler } from "../_subtype_handler.ts";

export default subtypeHandler({
  subtype: "panorama",
  description: "Panoramas: the original byte-exact; tagged panorama",
});
