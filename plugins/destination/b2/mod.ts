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
import { ConfigError } from "../../../core/plugin/errors.ts";
import type { OptionSpec, OptionValues } from "../../../core/plugin/options.ts";
import {
  type DestinationPlugin,
  PLUGIN_API_VERSION,
  type PluginContext,
} from "../../../core/plugin/types.ts";
import { requireRclone } from "../_rclone/mod.ts";
import { vaultSession } from "../_rclone/session.ts";
import { VAULT_OPTIONS } from "../_rclone/options.ts";
import { Vault } from "../_rclone/vault.ts";

export const OPTIONS = [
  {
    name: "bucket-name",
    type: "string",
    help: "B2 bucket that holds the backup",
    credential: true,
    env: ["B2_BUCKET"],
  },
  {
    name: "application-key-id",
    type: "string",
    help: "B2 application key ID",
    credential: true,
    secret: true,
  },
  { name: "application-key", type: "string", help: "B2 application key", credential: true, secret: true },
  {
    name: "remote",
    type: "string",
    help: "keep the backup at this rclone remote:path or local folder instead of B2 (USB disk, tests)",
  },
  ...VAULT_OPTIONS,
] as const satisfies readonly OptionSpec[];

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/** Throws a ConfigError naming the options this configuration still lacks. */
function requireOptions(values: OptionValues, names: readonly string[]): void {
  const missing = names.filter((n) => str(values[n]) === undefined);
  if (missing.length > 0) throw new ConfigError(`destination.b2 needs ${missing.join(", ")}`);
}

async function open(values: OptionValues, ctx: PluginContext) {
  const rcloneVersion = await requireRclone(ctx, str(values.rclone));
  const remote = str(values.remote);
  requireOptions(
    values,
    remote ? ["encryption-password", "encryption-salt"] : [
      "bucket-name",
      "application-key-id",
      "application-key",
      "encryption-password",
      "encryption-salt",
    ],
  );
  const folder = String(values.path ?? "photos-sync").replace(/^\/+|\/+$/g, "");
  const bucket = str(values["bucket-name"]);
  const base = remote ?? `photossyncbase:${bucket}${folder ? `/${folder}` : ""}`;
  const baseEnv: Record<string, string> = remote ? {} : {
    RCLONE_CONFIG_PHOTOSSYNCBASE_TYPE: "b2",
    RCLONE_CONFIG_PHOTOSSYNCBASE_ACCOUNT: String(values["application-key-id"]),
    RCLONE_CONFIG_PHOTOSSYNCBASE_KEY: String(values["application-key"]),
    RCLONE_CONFIG_PHOTOSSYNCBASE_HARD_DELETE: "true",
  };
  const vault = await Vault.open(ctx, {
    base,
    baseEnv,
    password: String(values["encryption-password"]),
    salt: String(values["encryption-salt"]),
    binary: str(values.rclone),
    transfers: Number(values.transfers ?? 4),
    bwlimit: str(values.bwlimit),
  });
  return vaultSession(vault, {
    rcloneVersion,
    key: remote ? `b2:${remote}` : `b2:${bucket}/${folder}`,
    description: remote
      ? `${remote} (in place of B2)`
      : `Backblaze B2 bucket ${bucket}, folder ${folder || "/"}`,
    keeps: "areas",
  });
}

const b2Destination = {
  kind: "destination",
  id: "destination.b2",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "encrypted backup in a Backblaze B2 bucket (rclone crypt)",
  options: OPTIONS,
  assets: { capabilities: ["check"], open },
  backup: { capabilities: ["check"], open },
} satisfies DestinationPlugin;

export default b2Destination;
