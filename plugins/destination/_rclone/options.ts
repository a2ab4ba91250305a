/**
 * The options every rclone-crypt destination shares: the two encryption secrets, the folder inside
 * the bucket, and how rclone transfers. Each destination adds its own account options before these.
 * The host checks them all (required, range) before the destination opens.
 * @module
 */
import type { OptionSpec } from "../../../core/plugin/options.ts";

export const VAULT_OPTIONS = [
  {
    name: "encryption-password",
    type: "string",
    help: "encryption password; losing it means losing the backup",
    required: true,
    credential: true,
    secret: true,
  },
  {
    name: "encryption-salt",
    type: "string",
    help: "second encryption password (rclone's salt); losing it means losing the backup",
    required: true,
    credential: true,
    secret: true,
  },
  { name: "path", type: "string", help: "folder inside the bucket", default: "photos-sync" },
  { name: "transfers", type: "number", help: "files transferred in parallel", default: 4, range: [1, 64] },
  {
    name: "bwlimit",
    type: "string",
    help: "bandwidth limit in rclone's syntax, e.g. 10M or 08:00,2M 23:00,off",
  },
  { name: "rclone", type: "path", help: "the rclone executable", default: "rclone" },
] as const satisfies readonly OptionSpec[];
