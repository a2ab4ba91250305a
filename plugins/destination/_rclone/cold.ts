/**
 * What a vault destination says of each file it keeps as a cold copy (`destination.glacier`,
 * `destination.b2`): where the object is, in which storage class, how big, and whether it can be
 * read now; and the read itself. Both declare the contract's asset capability `cold` with these.
 *
 * "Cold" on B2 means a client-side encrypted copy priced per GB-month that is readable at once:
 * B2 has no archive tier, so a B2 file never needs (or gets) a restore.
 *
 * @example
 * ```ts
 * const states = await session.coldState(["assets/2024/05/01/IMG_1_abcdef12.HEIC"]);
 * ```
 * @module
 */
import { PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import type { AssetDestinationSession, ColdObject } from "../../../core/plugin/types.ts";
import { rcloneFailure } from "./mod.ts";
import type { Vault } from "./vault.ts";

export type { ColdObject, RestoreAnswer, RestoreState } from "../../../core/plugin/types.ts";

/** The cold side of a session (the contract's capability `cold`): per-file state, restores, reads. */
export type ColdTier = Required<
  Pick<AssetDestinationSession, "coldState" | "estimateRestore" | "requestRestore" | "fetchCold">
>;

/** rclone crypt's framing: a 32-byte header, then 64 KiB blocks with 16 bytes of overhead each. */
const HEADER = 32;
const BLOCK = 64 * 1024;
const OVERHEAD = 16;

export function encryptedSize(size: number): number {
  return HEADER + size + Math.ceil(size / BLOCK) * OVERHEAD;
}

export function decryptedSize(stored: number): number {
  const body = Math.max(0, stored - HEADER);
  return body - Math.ceil(body / (BLOCK + OVERHEAD)) * OVERHEAD;
}

/** The base's key of each remote id: the folder inside the bucket and the encrypted path. */
export async function objectKeys(vault: Vault, folder: string, remoteIds: string[]): Promise<string[]> {
  const encrypted = await vault.encryptedPaths(remoteIds);
  return encrypted.map((e) => (folder ? `${folder}/${e}` : e));
}

/** Sizes of the files the vault holds among these (one listing); absent ones are left out. */
export async function heldSizes(vault: Vault, remoteIds: string[]): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  if (remoteIds.length === 0) return sizes;
  const list = await vault.fileList(remoteIds);
  let json = "";
  const outcome = await vault.rclone.attempt({
    args: ["lsjson", vault.path(), "-R", "--files-only", "--files-from", list, "--use-json-log"],
    onStdoutLine: (l) => (json += l + "\n"),
  });
  if (outcome.code !== 0 && outcome.code !== 3) throw rcloneFailure("listing cold objects", outcome);
  for (const e of JSON.parse(json || "[]") as { Path: string; Size: number }[]) sizes.set(e.Path, e.Size);
  return sizes;
}

/**
 * Copies one stored file, decrypted, to `path`. `cold` is the store's text for "in an archive tier,
 * not readable yet" (retryable: it will be, once restored); a file not there is permanent.
 */
export async function fetchCold(vault: Vault, remoteId: string, path: string, cold?: RegExp): Promise<void> {
  const outcome = await vault.rclone.attempt({
    args: ["copyto", vault.path(remoteId), path, "--use-json-log", "--retries", "1"],
  });
  if (outcome.code === 0) {
    // rclone copies nothing, quietly, when the source is not there.
    if (await exists(path)) return;
    throw new PermanentError(`${remoteId} is not in the cold tier`);
  }
  const message = outcome.errors.join("; ");
  if (cold?.test(message)) throw new RetryableError(`${remoteId} is not restored yet: ${message}`);
  if (outcome.code === 3 || /not found|doesn't exist|404/i.test(message)) {
    throw new PermanentError(`${remoteId} is not in the cold tier (${message})`);
  }
  throw rcloneFailure(`reading ${remoteId} from the cold tier`, outcome);
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The cold tier of a store without archive tiers (B2, a folder): everything is readable at once. */
export function readableTier(vault: Vault, folder: string, storageClass: string): ColdTier {
  return {
    fetchCold: (remoteId, path) => fetchCold(vault, remoteId, path),
    // Readable at once: a restore costs nothing and takes no time.
    estimateRestore: () => Promise.resolve({ costUsd: 0, hours: 0 }),
    async coldState(remoteIds) {
      const sizes = await heldSizes(vault, remoteIds);
      const keys = await objectKeys(vault, folder, remoteIds);
      const out: Record<string, ColdObject | null> = {};
      remoteIds.forEach((id, i) => {
        const size = sizes.get(id);
        out[id] = size === undefined ? null : {
          objectKey: keys[i],
          storageClass,
          size,
          storedBytes: encryptedSize(size),
          restore: { state: "readable" },
        };
      });
      return out;
    },
    async requestRestore(remoteIds) {
      const sizes = await heldSizes(vault, remoteIds);
      return Object.fromEntries(remoteIds.map((id) => [id, sizes.has(id) ? "not-needed" : "missing"]));
    },
  };
}
