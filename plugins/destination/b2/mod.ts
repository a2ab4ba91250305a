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
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import {
  type DestinationPlugin,
  PLUGIN_API_VERSION,
  type PluginContext,
} from "../../../core/plugin/types.ts";
import { requireRclone } from "../_rclone/mod.ts";
import { vaultSession } from "../_rclone/session.ts";
import { VAULT_OPTIONS } from "../_rclone/options.ts";
import { Vault } from "../_rclone/vault.ts";
import { readableTier } from "../_rclone/cold.ts";

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

type Options = OptionsOf<typeof OPTIONS>;

/**
 * The B2 account, needed unless `remote` keeps the backup elsewhere. A rule across two options is
 * the one thing the declarations cannot say, so it is checked here; everything else the host checks.
 */
const ACCOUNT = ["bucket-name", "application-key-id", "application-key"] as const;

/** Where the vault lives: the `remote` as given, or a B2 remote configured only through the environment. */
function baseOf(
  options: Options,
  folder: string,
): { base: string; baseEnv: Record<string, string>; key: string; description: string } {
  if (options.remote) {
    const remote = options.remote;
    return { base: remote, baseEnv: {}, key: `b2:${remote}`, description: `${remote} (in place of B2)` };
  }
  const missing = ACCOUNT.filter((name) => !options[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `destination.b2 needs ${missing.join(", ")} (or --b2-remote, to keep the backup elsewhere)`,
    );
  }
  const bucket = options["bucket-name"];
  return {
    base: `photossyncbase:${bucket}${folder ? `/${folder}` : ""}`,
    baseEnv: {
      RCLONE_CONFIG_PHOTOSSYNCBASE_TYPE: "b2",
      RCLONE_CONFIG_PHOTOSSYNCBASE_ACCOUNT: String(options["application-key-id"]),
      RCLONE_CONFIG_PHOTOSSYNCBASE_KEY: String(options["application-key"]),
      RCLONE_CONFIG_PHOTOSSYNCBASE_HARD_DELETE: "true",
    },
    key: `b2:${bucket}/${folder}`,
    description: `Backblaze B2 bucket ${bucket}, folder ${folder || "/"}`,
  };
}

async function open(options: Options, ctx: PluginContext) {
  const rcloneVersion = await requireRclone(ctx, options.rclone);
  const folder = options.path.replace(/^\/+|\/+$/g, "");
  const { base, baseEnv, key, description } = baseOf(options, folder);
  const vault = await Vault.open(ctx, {
    base,
    baseEnv,
    password: options["encryption-password"],
    salt: options["encryption-salt"],
    binary: options.rclone,
    transfers: options.transfers,
    bwlimit: options.bwlimit,
  });
  const session = vaultSession(vault, { rcloneVersion, key, description, keeps: "areas" });
  // B2 has no archive tier: its cold copies are encrypted, billed per GB-month, and readable at once.
  return {
    ...session,
    ...readableTier(vault, options.remote ? "" : folder, options.remote ? "remote" : "B2"),
  };
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
