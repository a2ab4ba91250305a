/**
 * `destination.b2`: an encrypted backup in a Backblaze B2 bucket, through rclone's `b2` backend
 * wrapped in `crypt`. It keeps whole trees for `photos-sync backup` (replaced and deleted files go
 * to dated archive areas) and single assets for `import --to b2`.
 *
 * The `remote` option puts the same encrypted layout on any other rclone remote or local folder
 * instead of B2 (a USB disk, an S3 endpoint); the tests use it, since B2 itself cannot be reached
 * from CI. The real B2 backend path (application key, bucket) is therefore untested here.
 *
 * Deletes are hard deletes: without that, B2 would keep a hidden copy of every file moved into an
 * archive area forever, and the archive retention would never free anything.
 * @module
 */
import {
  type DestinationPlugin,
  PLUGIN_API_VERSION,
  type PluginContext,
} from "../../../core/plugin/types.ts";
import { type B2Options, OPTIONS } from "./_options.ts";
import { loadModule } from "../../../core/lazy.ts";

/** rclone and the vault are loaded when a run opens the bucket, not when the plugins are listed. */
async function open(options: B2Options, ctx: PluginContext) {
  const session = await loadModule("plugins/destination/b2/_session.ts");
  return await session.open(options, ctx);
}

const b2Destination = {
  kind: "destination",
  id: "destination.b2",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "encrypted backup in a Backblaze B2 bucket (rclone crypt)",
  options: OPTIONS,
  assets: { capabilities: ["check", "cold"], open },
  backup: { capabilities: ["check"], open },
} satisfies DestinationPlugin;

export default b2Destination;
