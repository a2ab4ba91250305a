/**
 * Bucket versioning for `destination.glacier`: what keeps a replaced or deleted file of a backup
 * tree, since objects in Glacier cannot be copied into archive areas.
 *
 * Not every S3 endpoint has versioning. s3rver (the emulator the tests use) does not know the
 * `?versioning` subresource at all: `PUT /bucket?versioning` is taken for CreateBucket and answered
 * "BucketAlreadyExists 409", `GET /bucket?versioning` for a listing (rclone reads "Unversioned").
 * That 409 is what `backup --setup` used to fail with. Now the endpoint's answer is said plainly,
 * with the two ways on: turn versioning on at the provider, or `versioning: off`, which keeps only
 * the latest copy of each file.
 *
 * @example
 * ```ts
 * const keeps = await checkVersioning(vault, { bucket: "photos", base: "photossyncbase", mode: "required" }, true);
 * ```
 * @module
 */
import { ConfigError } from "../../../core/plugin/errors.ts";
import type { Vault } from "../_rclone/vault.ts";

/** `required`: refuse a bucket without versioning; `off`: accept it (only the latest copy is kept). */
export type VersioningMode = "required" | "off";

/** Where versioning is read and set: the rclone remote of the base, and the bucket in it. */
export interface VersionedBucket {
  base: string;
  bucket: string;
  mode: VersioningMode;
}

/** What a backup without versioning loses, said wherever that choice is offered or made. */
export const WITHOUT_VERSIONING =
  "without versioning a file replaced or deleted at the source is replaced or deleted in the backup at the " +
  "next run (only the latest copy of each file is kept), and `--restore --as-of` is not available";

/** The bucket's versioning status as rclone reads it (`Enabled`, `Suspended`, `Unversioned`, ...). */
export async function readVersioning(vault: Vault, where: VersionedBucket): Promise<string> {
  let status = "";
  await vault.plain.call(`reading the versioning of bucket ${where.bucket}`, {
    args: ["backend", "versioning", `${where.base}:${where.bucket}`, "--use-json-log"],
    onStdoutLine: (l) => (status ||= l.trim()),
  });
  return status || "unknown";
}

/** Asks the endpoint to turn versioning on; the endpoint's refusal, or undefined when it agreed. */
async function turnOn(vault: Vault, where: VersionedBucket): Promise<string | undefined> {
  const outcome = await vault.plain.attempt({
    args: ["backend", "versioning", `${where.base}:${where.bucket}`, "Enabled", "--use-json-log"],
  });
  if (outcome.code === 0) return undefined;
  // rclone prints the S3 error over several lines ("BucketAlreadyExists: ..." then "status code: 409").
  const said = outcome.errors.join(" ").replace(/^.*Failed to backend: (command "versioning" failed: )?/, "");
  return said || `rclone exit ${outcome.code}`;
}

/**
 * How the backup keeps replaced files: `versions` once versioning is on (with `create`, it is
 * turned on first), `latest` where the mode accepts a bucket without it. Refuses otherwise, saying
 * what the endpoint answered and what each way out costs.
 */
export async function checkVersioning(
  vault: Vault,
  where: VersionedBucket,
  create: boolean,
): Promise<"versions" | "latest"> {
  let status = await readVersioning(vault, where);
  if (status === "Enabled") return "versions";
  if (where.mode === "off") return "latest";
  let refusal: string | undefined;
  if (create) {
    refusal = await turnOn(vault, where);
    if (!refusal) status = await readVersioning(vault, where);
    if (status === "Enabled") return "versions";
  }
  const answer = refusal
    ? `; the endpoint did not turn it on (it answered: ${refusal}), so it probably has no versioning`
    : "";
  throw new ConfigError(
    `versioning is not on for bucket ${where.bucket} (it is ${status})${answer}. Versioning is what keeps a ` +
      `file the backup replaces or deletes. Turn it on with \`photos-sync backup --setup --to glacier\` or at ` +
      `your S3 provider, or accept the bucket as it is with --glacier-versioning off: ${WITHOUT_VERSIONING}`,
  );
}

/**
 * The asset role wants versioning (a cold object deleted by mistake stays as an older version) but
 * does not need it: assets are named by their content and never replaced. So a bucket without it
 * is only warned about.
 */
export async function preferVersioning(
  vault: Vault,
  where: VersionedBucket,
  create: boolean,
): Promise<void> {
  try {
    await checkVersioning(vault, { ...where, mode: "required" }, create);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    vault.ctx.log.warn(
      `bucket ${where.bucket} has no versioning: a cold asset deleted from it by mistake cannot be recovered`,
    );
  }
}
