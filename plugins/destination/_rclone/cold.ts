/**
 * What a vault destination says of each file it keeps as a cold copy (`destination.glacier`,
 * `destination.b2`): where the object is, in which storage class, how big, and whether it can be
 * read now. Proposed for the plugin contract (a `cold` asset capability); until the lead adds it,
 * the sessions of both destinations carry these methods beside the contract's.
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
import { rcloneFailure } from "./mod.ts";
import type { Vault } from "./vault.ts";

/** Whether a stored file can be read now, and until when. */
export type RestoreState =
  /** Always readable (B2, S3 Standard, Glacier Instant Retrieval): no restore needed. */
  | { state: "readable" }
  /** In an archive tier, no restore asked for (or the restored copy expired). */
  | { state: "archived" }
  /** A restore was asked for and is not done yet. */
  | { state: "restoring" }
  /** A restored copy is readable until this ISO time. */
  | { state: "restored"; until: string };

export interface ColdObject {
  /** The object's key at the store (names encrypted), with the folder inside the bucket. */
  objectKey: string;
  /** `DEEP_ARCHIVE`, `GLACIER`, `GLACIER_IR`, `STANDARD`, or `B2`. */
  storageClass: string;
  /** The file's own size (decrypted). */
  size: number;
  /** Bytes the store keeps and bills (the encrypted object). */
  storedBytes: number;
  restore: RestoreState;
}

/** What a restore request did for one file. */
export type RestoreAnswer = "requested" | "in-progress" | "extended" | "not-needed" | "missing";

/** The cold side of a session: per-file state, and asking for restores (never waits). */
export interface ColdTier {
  /** Per remote id (as `put` returned it); null where the store does not hold the file. */
  coldState(remoteIds: string[]): Promise<Record<string, ColdObject | null>>;
  requestRestore(
    remoteIds: string[],
    ask: { tier: "Bulk" | "Standard" | "Expedited"; days: number },
  ): Promise<Record<string, RestoreAnswer>>;
}

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

/** The cold tier of a store without archive tiers (B2, a folder): everything is readable at once. */
export function readableTier(vault: Vault, folder: string, storageClass: string): ColdTier {
  return {
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
