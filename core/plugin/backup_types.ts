/**
 * The trees a backup target keeps (the backup role of a destination, see {@link BackupTargetSession}
 * in `types.ts`): what a tree transfer is asked and what it answers. Part of the public contract,
 * re-exported by `types.ts`.
 *
 * A destination with the backup role keeps whole directory trees, encrypted, for `photos-sync
 * backup`. It lays them out as `current/<name>/` (the mirror of each source) and, where it keeps
 * replaced and deleted files in dated areas, `archive/<stamp>/<name>/`. The host decides what is
 * backed up, when, how often it is retried and how long archive areas are kept; the destination
 * only moves bytes and reports progress.
 *
 * @example
 * ```ts
 * import type { TreeBackupRequest } from "./backup_types.ts";
 * const request: TreeBackupRequest = { source: "/immich/library", name: "library", archive: "20250101T000000Z" };
 * ```
 * @module
 */
/** Progress of one tree transfer; values are cumulative for the current attempt. */
export interface TreeProgress {
  bytes: number;
  /** Bytes to transfer as far as known so far (grows while the source is being listed). */
  totalBytes: number;
  files: number;
  totalFiles: number;
  /** Bytes per second. */
  speed: number;
  /** Null while no estimate exists. */
  etaSeconds: number | null;
  /** Files moved into the archive area so far. */
  archived: number;
}

export interface TreeBackupRequest {
  /** Absolute path of the local directory to back up. */
  source: string;
  /** The source's name (`library`, `data`): the tree is kept under `current/<name>/`. */
  name: string;
  /**
   * The archive area of this run (a sortable stamp). Files the backup would replace or delete go to
   * `archive/<archive>/<name>/` instead; destinations that keep versions themselves ignore it.
   */
  archive: string;
  /** rclone filter patterns, relative to `source`, to leave out (e.g. `/tracker.db*`). */
  exclude?: readonly string[];
  /** Report what would change; change nothing. */
  dryRun?: boolean;
  onProgress?: (progress: TreeProgress) => void;
  /** How often to call `onProgress`, in seconds (the host's heartbeat rides on it). */
  progressSeconds?: number;
}

export interface TreeBackupResult extends TreeProgress {
  /** Files copied (new or changed). */
  copied: number;
  /** Dry run: files a real run would copy, and would move into the archive area. */
  wouldCopy: number;
  wouldArchive: number;
}

export interface TreeRestoreRequest {
  /** The source's name; without it, every source, each into `target/<name>/`. */
  name?: string;
  /** Local directory to write the decrypted tree into (created if needed). */
  target: string;
  /** Restore this archive area instead of the current tree. */
  archive?: string;
  /** Restore the tree as it was at this ISO time (destinations that keep versions). */
  asOf?: string;
  onProgress?: (progress: TreeProgress) => void;
  progressSeconds?: number;
}

export interface TreeRestoreResult {
  files: number;
  bytes: number;
  /**
   * Objects that could not be read because they are in an archive tier (Glacier), as paths from
   * the destination's root. The host asks for them with `warmup` and tries again later.
   */
  cold: string[];
}

export interface TreeVerifyRequest {
  /** The local tree to compare. */
  local: string;
  /** The source's name; without it, `local` holds every source, each in `local/<name>/`. */
  name?: string;
  archive?: string;
  exclude?: readonly string[];
}

export interface TreeVerifyResult {
  matching: number;
  differences: { path: string; kind: "missing-remote" | "missing-local" | "differs" | "error" }[];
}

export interface BackupInfo {
  /** E.g. "Backblaze B2 bucket photos, folder photos-sync (encrypted)". */
  description: string;
  /** `new`: nothing stored yet; `existing`: a backup readable with these credentials. */
  state: "new" | "existing";
  /** `areas`: replaced and deleted files go to dated archive areas; `versions`: the store keeps versions. */
  keeps: "areas" | "versions";
}
