/**
 * What a destination with the asset capability `cold` tells of the files it keeps as cold copies
 * (`destination.glacier`, `destination.b2`): where each object is, in which storage class, how
 * big, and whether it can be read now; and what a restore request did. Part of the public
 * contract, re-exported by `types.ts`.
 *
 * A file in an archive tier (Glacier Flexible Retrieval, Deep Archive) is read in three steps:
 * `requestRestore` asks for a readable copy (it never waits), `coldState` says when that copy is
 * there (`restored`), and `fetchCold` copies it, decrypted, to a local file. A store without archive
 * tiers answers `readable` for every file and `not-needed` for every restore.
 *
 * @example
 * ```ts
 * import type { ColdObject } from "./cold_types.ts";
 * const held: ColdObject = {
 *   objectKey: "photos-sync/0ab1.../9f3c...",
 *   storageClass: "DEEP_ARCHIVE",
 *   size: 1200,
 *   storedBytes: 1248,
 *   restore: { state: "archived" },
 * };
 * ```
 * @module
 */

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

/** What a cold destination holds of one file (capability `cold`). */
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

/** How fast (and costly) an archive tier makes a file readable. */
export type RestoreTier = "Bulk" | "Standard" | "Expedited";

/** A restore request: the tier, and how many days the readable copy stays. */
export interface RestoreAsk {
  tier: RestoreTier;
  days: number;
}

/** What a restore of some files would cost and how long it would take, by the store's price list. */
export interface RestoreEstimate {
  costUsd: number;
  /** The longest wait, in hours (0: readable at once). */
  hours: number;
}

/**
 * What a restore request did for one file: asked now, already under way, an existing readable
 * copy's expiry moved, nothing needed (readable already), or the file is not there.
 */
export type RestoreAnswer = "requested" | "in-progress" | "extended" | "not-needed" | "missing";
