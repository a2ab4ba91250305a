/**
 * The options of `destination.glacier`, apart from `mod.ts` so that the session it loads can name their type
 * without importing the descriptor back.
 * @module
 */
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import { VAULT_OPTIONS } from "../_rclone/options.ts";

export const OPTIONS = [
  {
    name: "bucket-name",
    type: "string",
    help: "S3 bucket that holds the backup",
    required: true,
    credential: true,
  },
  {
    name: "access-key-id",
    type: "string",
    help: "AWS access key ID",
    required: true,
    credential: true,
    secret: true,
  },
  {
    name: "secret-access-key",
    type: "string",
    help: "AWS secret access key",
    required: true,
    credential: true,
    secret: true,
  },
  { name: "region", type: "string", help: "AWS region of the bucket", default: "us-east-1" },
  {
    name: "storage-class",
    type: "string",
    help: "storage class of new objects",
    default: "DEEP_ARCHIVE",
    choices: ["DEEP_ARCHIVE", "GLACIER", "GLACIER_IR"],
  },
  {
    name: "restore-tier",
    type: "string",
    help: "how fast (and costly) Glacier makes objects readable for a restore",
    default: "Bulk",
    choices: ["Bulk", "Standard", "Expedited"],
  },
  {
    name: "restore-days",
    type: "number",
    help: "days a restored object stays readable",
    default: 7,
    range: [1, 365],
  },
  { name: "endpoint", type: "string", help: "S3 endpoint URL for an S3-compatible store (AWS when unset)" },
  {
    name: "versioning",
    type: "string",
    help: "required: backups need bucket versioning (setup turns it on); off: accept a bucket without it, " +
      "keeping only the latest copy of each file",
    default: "required",
    choices: ["required", "off"],
  },
  ...VAULT_OPTIONS,
] as const satisfies readonly OptionSpec[];

export type GlacierOptions = OptionsOf<typeof OPTIONS>;
