/**
 * What `destination.b2` needs only when a run opens it: the vault through rclone. Loaded by the
 * descriptor (`mod.ts`) by URL, so that listing the plugins (every start-up) does not read this graph.
 * @module
 */
import { ConfigError } from "../../../core/plugin/errors.ts";
import type { PluginContext } from "../../../core/plugin/types.ts";
import { requireRclone } from "../_rclone/mod.ts";
import { vaultSession } from "../_rclone/session.ts";
import { Vault } from "../_rclone/vault.ts";
import { readableTier } from "../_rclone/cold.ts";
import type { B2Options as Options } from "./_options.ts";

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

export async function open(options: Options, ctx: PluginContext) {
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
