/**
 * `destination.glacier`: an encrypted backup in an S3 bucket with a cold storage class (Deep
 * Archive by default), through rclone's `s3` backend wrapped in `crypt`.
 *
 * Objects in Glacier cannot be copied server-side, so the dated archive areas of `destination.b2`
 * are impossible here. Instead the bucket must have versioning on (setup turns it on): a file the
 * backup replaces or deletes stays as an older version, kept until an S3 lifecycle rule expires
 * it, and `backup --restore --as-of TIME` reads the tree as it was then.
 *
 * Reading a cold object first needs a restore request; it becomes readable hours later (up to 48 h
 * for Deep Archive's Bulk tier). A restore finds the cold objects by trying to read them, asks the
 * archive tier for them (`warmup`, rclone `backend restore`), and the host records per object what
 * was asked when, so a restore started again asks only for what it has not asked for yet.
 * @module
 */
import {
  type DestinationPlugin,
  PLUGIN_API_VERSION,
  type PluginContext,
} from "../../../core/plugin/types.ts";
import { type GlacierOptions, OPTIONS } from "./_options.ts";
import { loadModule } from "../../../core/lazy.ts";

/** rclone, the vault and the S3 requests are loaded when a run opens the bucket, not when plugins are listed. */
async function open(options: GlacierOptions, ctx: PluginContext, role: "assets" | "backup") {
  const session = await loadModule("plugins/destination/glacier/_session.ts");
  return await session.open(options, ctx, role);
}

const glacierDestination = {
  kind: "destination",
  id: "destination.glacier",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "encrypted backup in S3 Glacier / Deep Archive (rclone crypt), restored on demand",
  options: OPTIONS,
  assets: {
    capabilities: ["check", "cold"],
    open: (options, ctx) => open(options as GlacierOptions, ctx, "assets"),
  },
  backup: {
    capabilities: ["check", "warmup"],
    open: (options, ctx) => open(options as GlacierOptions, ctx, "backup"),
  },
} satisfies DestinationPlugin;

export default glacierDestination;
