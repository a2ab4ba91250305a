/**
 * `handler.screenshot`: screenshots travel as their original, byte-exact, tagged `screenshot`.
 * @module
 */

import { subtypeHandler } from "../_subtype_handler.ts";

export default subtypeHandler({
  subtype: "screenshot",
  description: "Screenshots: the original byte-exact; tagged screenshot",
});
