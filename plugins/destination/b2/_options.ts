/**
 * The options of `destination.b2`, apart from `mod.ts` so that the session it loads can name their type
 * without importing the descriptor back.
 * @module
 */
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import { VAULT_OPTIONS } from "../_rclone/options.ts";

export const OPTIONS = [
  {
    name: "bucket-name",
    type: "string",
    help: "B2 bucket that holds the backup (not needed with remote)",
    credential: true,
    env: ["B2_BUCKET"],
  },
  {
    name: "application-key-id",
    type: "string",
    help: "B2 application key ID (not needed with remote)",
    credential: true,
    secret: true,
  },
  {
    name: "application-key",
    type: "string",
    help: "B2 application key (not needed with remote)",
    credential: true,
    secret: true,
  },
  {
    name: "remote",
    type: "string",
    help: "keep the backup at this rclone remote:path or local folder instead of B2 (USB disk, tests)",
  },
  ...VAULT_OPTIONS,
] as const satisfies readonly OptionSpec[];

export type B2Options = OptionsOf<typeof OPTIONS>;
