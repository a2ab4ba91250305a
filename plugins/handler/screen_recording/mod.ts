/**
 * `handler.screen_recording`: screen recordings travel as their original, byte-exact, tagged
 * `screen_recording`.
 * @module
 */

import { subtypeHandler } from "../_subtype_handler.ts";

export default subtypeHandler({
  subtype: "screen_recording",
  description: "Screen recordings: the original byte-exact; tagged screen_recording",
});
