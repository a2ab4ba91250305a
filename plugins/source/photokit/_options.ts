/**
 * The options of `source.photokit`, apart from `mod.ts` so that the session it loads can name
 * their type without importing the descriptor back.
 * @module
 */
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";

export const OPTIONS = [
  {
    name: "lib",
    type: "path",
    help: "the PhotoKit helper libPhotosBridge.dylib (default: next to the photos-sync binary)",
  },
  {
    name: "exclude-hidden",
    type: "boolean",
    default: false,
    help: "leave hidden assets out (by default they are listed and keep their hidden flag)",
  },
  {
    name: "picked-bursts-only",
    type: "boolean",
    default: false,
    help: "list only the picked frames of a burst (by default every frame is listed)",
  },
  {
    name: "include-shared-albums",
    type: "boolean",
    default: false,
    help: "also list the assets of iCloud Shared Albums",
  },
  {
    name: "timeout",
    type: "number",
    default: 300,
    range: [1, 86400],
    help: "seconds one file may go without data or progress before its export is abandoned and retried",
  },
] as const satisfies readonly OptionSpec[];

/** Its options as the host resolved and checked them, plus the core `library` the host gives every source. */
export type PhotoKitOptions = OptionsOf<typeof OPTIONS> & { library?: string };
