/**
 * The cold tier of `destination.glacier`, per stored file: HeadObject says the storage class, the
 * stored size and the restore state (`x-amz-restore`); RestoreObject asks for a readable copy for
 * `days` in a tier. Both speak S3 directly ({@link S3Objects}); rclone only encrypts the names, and
 * reads a restored file back (`fetchCold`).
 *
 * @example
 * ```ts
 * const tier = glacierTier(vault, s3, "photos-sync");
 * await tier.requestRestore(["assets/2024/05/01/IMG_1_abcdef12.HEIC"], { tier: "Bulk", days: 7 });
 * ```
 * @module
 */
import { RetryableError } from "../../../core/plugin/errors.ts";
import {
  type ColdObject,
  type ColdTier,
  decryptedSize,
  fetchCold,
  objectKeys,
  type RestoreAnswer,
  type RestoreState,
} from "../_rclone/cold.ts";
import type { Vault } from "../_rclone/vault.ts";
import { type ArchiveClass, restoreEstimate } from "./_prices.ts";
import type { S3Objects } from "./_s3.ts";

const ARCHIVE = new Set(["GLACIER", "DEEP_ARCHIVE"]);

/** The restore state from the storage class and `x-amz-restore` (absent: never asked, or expired). */
export function restoreStateOf(storageClass: string, header: string | null): RestoreState {
  if (!ARCHIVE.has(storageClass)) return { state: "readable" };
  if (!header) return { state: "archived" };
  if (/ongoing-request="true"/.test(header)) return { state: "restoring" };
  const expiry = /expiry-date="([^"]+)"/.exec(header)?.[1];
  return expiry ? { state: "restored", until: new Date(expiry).toISOString() } : { state: "archived" };
}

/** The price list's estimate per archive class, added up; other classes need no restore. */
function estimateOf(
  objects: { storageClass: string; storedBytes: number }[],
  tier: "Bulk" | "Standard" | "Expedited",
): { costUsd: number; hours: number } {
  const total = { costUsd: 0, hours: 0 };
  for (const storageClass of ARCHIVE) {
    const of = objects.filter((o) => o.storageClass === storageClass);
    if (of.length === 0) continue;
    const bytes = of.reduce((n, o) => n + o.storedBytes, 0);
    const e = restoreEstimate({
      storageClass: storageClass as ArchiveClass,
      tier,
      bytes,
      objects: of.length,
    });
    total.costUsd += e.costUsd;
    total.hours = Math.max(total.hours, e.hours);
  }
  return total;
}

/** Throws for an answer that is neither the object's state nor its absence. */
function unexpected(what: string, key: string, status: number, code?: string): never {
  throw new RetryableError(`${what} of ${key} failed: S3 answered ${status}${code ? ` ${code}` : ""}`);
}

/** `cold`: rclone's text for a read of an object still in an archive tier. */
export function glacierTier(vault: Vault, s3: S3Objects, folder: string, cold: RegExp): ColdTier {
  return {
    fetchCold: (remoteId, path) => fetchCold(vault, remoteId, path, cold),
    estimateRestore: (objects, tier) => Promise.resolve().then(() => estimateOf(objects, tier)),
    async coldState(remoteIds) {
      const keys = await objectKeys(vault, folder, remoteIds);
      const out: Record<string, ColdObject | null> = {};
      for (const [i, id] of remoteIds.entries()) {
        const { status, headers } = await s3.head(keys[i]);
        if (status === 404) {
          out[id] = null;
          continue;
        }
        if (status !== 200) unexpected("reading the state", keys[i], status);
        // S3 leaves the header out for STANDARD objects.
        const storageClass = headers.get("x-amz-storage-class") ?? "STANDARD";
        const storedBytes = Number(headers.get("content-length") ?? 0);
        out[id] = {
          objectKey: keys[i],
          storageClass,
          size: decryptedSize(storedBytes),
          storedBytes,
          restore: restoreStateOf(storageClass, headers.get("x-amz-restore")),
        };
      }
      return out;
    },
    async requestRestore(remoteIds, ask) {
      const keys = await objectKeys(vault, folder, remoteIds);
      const out: Record<string, RestoreAnswer> = {};
      for (const [i, id] of remoteIds.entries()) {
        const { status, code } = await s3.restore(keys[i], ask.tier, ask.days);
        if (status === 202) out[id] = "requested";
        else if (status === 200) out[id] = "extended";
        else if (code === "RestoreAlreadyInProgress") out[id] = "in-progress";
        else if (code === "InvalidObjectState") out[id] = "not-needed";
        else if (status === 404) out[id] = "missing";
        else unexpected(`asking for a ${ask.tier} restore`, keys[i], status, code);
      }
      return out;
    },
  };
}
