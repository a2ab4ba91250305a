/**
 * What `destination.glacier` needs only when a run opens it: the vault through rclone, the S3
 * requests for versioning and storage classes, restore requests. Loaded by the descriptor
 * (`mod.ts`) by URL, so that listing the plugins (every start-up) does not read this graph.
 * @module
 */
import { RetryableError } from "../../../core/plugin/errors.ts";
import type { PluginContext } from "../../../core/plugin/types.ts";
import { rcloneFailure, requireRclone } from "../_rclone/mod.ts";
import { vaultSession } from "../_rclone/session.ts";
import { Vault } from "../_rclone/vault.ts";
import { glacierTier } from "./_cold.ts";
import { S3Objects } from "./_s3.ts";
import {
  checkVersioning,
  preferVersioning,
  type VersionedBucket,
  WITHOUT_VERSIONING,
} from "./_versioning.ts";
import type { GlacierOptions as Options } from "./_options.ts";

/**
 * A read of an object still in an archive tier: rclone refuses it itself when the object's HEAD
 * says so ("Object in GLACIER, restore first"), S3 answers 403 InvalidObjectState otherwise.
 */
const COLD = /Object in GLACIER, restore first|InvalidObjectState|not valid for the object's storage class/i;

/** The rclone name of the bucket's remote (an s3 remote configured only through the environment). */
const BASE = "photossyncbase";

/** `RCLONE_CONFIG_PHOTOSSYNCBASE_*`: the S3 remote, with the storage class new objects get. */
function baseEnv(options: Options): Record<string, string> {
  const endpoint = options.endpoint;
  const prefix = `RCLONE_CONFIG_${BASE.toUpperCase()}_`;
  return {
    [`${prefix}TYPE`]: "s3",
    [`${prefix}PROVIDER`]: endpoint ? "Other" : "AWS",
    [`${prefix}ENV_AUTH`]: "false",
    [`${prefix}ACCESS_KEY_ID`]: options["access-key-id"],
    [`${prefix}SECRET_ACCESS_KEY`]: options["secret-access-key"],
    [`${prefix}REGION`]: options.region,
    [`${prefix}STORAGE_CLASS`]: options["storage-class"],
    ...(endpoint ? { [`${prefix}ENDPOINT`]: endpoint, [`${prefix}FORCE_PATH_STYLE`]: "true" } : {}),
  };
}

/** Asks Glacier to make these objects readable (rclone `backend restore`); does not wait. */
async function warmup(
  vault: Vault,
  ask: { base: string; tier: string; days: number },
  paths: string[],
): Promise<void> {
  if (paths.length === 0) return;
  const list = await vault.fileList(await vault.encryptedPaths(paths));
  let json = "";
  await vault.plain.call(`asking Glacier to restore ${paths.length} objects`, {
    args: [
      "backend",
      "restore",
      ask.base,
      "--files-from",
      list,
      "-o",
      `priority=${ask.tier}`,
      "-o",
      `lifetime=${ask.days}`,
      "--use-json-log",
    ],
    onStdoutLine: (l) => (json += l + "\n"),
  });
  let statuses: { Status: string; Remote: string }[];
  try {
    statuses = JSON.parse(json || "[]");
  } catch {
    throw rcloneFailure("asking Glacier to restore objects", {
      code: 0,
      errors: [`unreadable answer: ${json}`],
    });
  }
  const failed = statuses.filter((s) =>
    s.Status !== "OK" && !/RestoreAlreadyInProgress|Not GLACIER or DEEP_ARCHIVE/.test(s.Status)
  );
  if (failed.length > 0) {
    throw new RetryableError(
      `Glacier refused to restore ${failed.length} of ${statuses.length} objects: ${failed[0].Status}`,
    );
  }
}

/** Opens the vault; the asset role only prefers versioning, the backup role needs it unless told `off`. */
export async function open(options: Options, ctx: PluginContext, role: "assets" | "backup") {
  const rcloneVersion = await requireRclone(ctx, options.rclone);
  const bucket = options["bucket-name"];
  const folder = options.path.replace(/^\/+|\/+$/g, "");
  const base = `${BASE}:${bucket}${folder ? `/${folder}` : ""}`;
  const vault = await Vault.open(ctx, {
    base,
    baseEnv: baseEnv(options),
    password: options["encryption-password"],
    salt: options["encryption-salt"],
    binary: options.rclone,
    transfers: options.transfers,
    bwlimit: options.bwlimit,
    markerFlags: ["--s3-storage-class", "STANDARD"],
  });
  const where = `S3 bucket ${bucket}${options.endpoint ? ` at ${options.endpoint}` : ""}, folder ${
    folder || "/"
  }`;
  const ask = { base, tier: options["restore-tier"], days: options["restore-days"] };
  const versioned: VersionedBucket = { base: BASE, bucket, mode: options.versioning as "required" | "off" };
  const latest = role === "backup" && versioned.mode === "off";
  const s3 = new S3Objects(ctx.http, {
    bucket,
    region: options.region,
    accessKeyId: options["access-key-id"],
    secretAccessKey: options["secret-access-key"],
    endpoint: options.endpoint,
  });
  const session = vaultSession(vault, {
    rcloneVersion,
    key: `glacier:${bucket}/${folder}`,
    description: `${where}, ${options["storage-class"]}${
      latest ? ` (versioning off: ${WITHOUT_VERSIONING})` : ""
    }`,
    keeps: latest ? "latest" : "versions",
    cold: COLD,
    verify: "size",
    asOfArgs: latest ? undefined : (iso) => ["--s3-version-at", iso],
    checkBase: async (create) => {
      if (role === "assets") await preferVersioning(vault, versioned, create);
      else await checkVersioning(vault, versioned, create);
    },
    warmup: (paths) => warmup(vault, ask, paths),
  });
  // The cold tier per file: the contract's capability `cold`.
  return { ...session, ...glacierTier(vault, s3, folder, COLD) };
}
