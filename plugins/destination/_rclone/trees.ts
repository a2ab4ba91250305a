/**
 * Whole trees in a {@link Vault}: a local folder mirrored into it (what a run replaces or deletes
 * moved to an archive area instead), a tree copied back out (decrypted), and a local tree compared
 * with one inside it. Each is one rclone run whose JSON log is counted as it arrives.
 *
 * @example
 * ```ts
 * await mirror(vault, "/immich/library", "current/library", { archive: "archive/20250101T000000Z/library" });
 * const check = await compare(vault, "/immich/library", "current/library");
 * ```
 * @module
 */
import { PermanentError } from "../../../core/plugin/errors.ts";
import { fileEventOf, rcloneFailure, type RcloneStats } from "./mod.ts";
import type { Vault } from "./vault.ts";

/** Progress of one rclone run, from its cumulative stats. */
export interface VaultProgress {
  bytes: number;
  totalBytes: number;
  files: number;
  totalFiles: number;
  speed: number;
  etaSeconds: number | null;
  /** Files moved into the archive area so far. */
  archived: number;
}

export interface MirrorResult extends VaultProgress {
  /** Files copied (new or changed). */
  copied: number;
  /** Dry run: what a real run would have done. */
  wouldCopy: number;
  wouldArchive: number;
}

export interface CompareResult {
  matching: number;
  /** Files whose backup is missing or different, and files only the backup has. */
  differences: { path: string; kind: "missing-remote" | "missing-local" | "differs" | "error" }[];
}

function progressOf(s: RcloneStats, archived: number): VaultProgress {
  return {
    bytes: s.bytes,
    totalBytes: s.totalBytes,
    files: s.transfers,
    totalFiles: s.totalTransfers,
    speed: s.speed,
    etaSeconds: s.eta,
    archived,
  };
}

/**
 * Makes `dest` a mirror of the local `source`. With `archive`, whatever the sync would replace
 * or delete is moved there instead (rclone `--backup-dir`), so no file is ever destroyed.
 */
export async function mirror(
  vault: Vault,
  source: string,
  dest: string,
  options: {
    archive?: string;
    exclude?: readonly string[];
    dryRun?: boolean;
    onProgress?: (p: VaultProgress) => void;
    statsSeconds?: number;
  } = {},
): Promise<MirrorResult> {
  const args = [
    "sync",
    source,
    vault.path(dest),
    ...vault.logFlags(options.statsSeconds),
    ...vault.transferFlags(),
  ];
  if (options.archive) args.push("--backup-dir", vault.path(options.archive));
  for (const pattern of options.exclude ?? []) args.push("--exclude", pattern);
  if (options.dryRun) args.push("--dry-run");
  let archived = 0;
  const result: MirrorResult = {
    bytes: 0,
    totalBytes: 0,
    files: 0,
    totalFiles: 0,
    speed: 0,
    etaSeconds: null,
    archived: 0,
    copied: 0,
    wouldCopy: 0,
    wouldArchive: 0,
  };
  await vault.rclone.call(`backing up ${source}`, {
    args,
    onEntry: (entry) => {
      const event = fileEventOf(entry);
      if (event === "copied") result.copied++;
      else if (event === "archived") archived++;
      else if (event === "would-copy") result.wouldCopy++;
      else if (event === "would-archive" || event === "would-delete") result.wouldArchive++;
    },
    onStats: (s) => {
      Object.assign(result, progressOf(s, archived));
      options.onProgress?.(progressOf(s, archived));
    },
  });
  result.archived = archived;
  return result;
}

/**
 * Copies `from` (a tree inside the vault) into the local `target`, decrypting. Files rclone
 * could not read are returned, not thrown, so that a cold-storage destination can tell objects
 * still in the archive tier from real failures.
 */
export async function copyOut(
  vault: Vault,
  from: string,
  target: string,
  options: { onProgress?: (p: VaultProgress) => void; extraArgs?: string[]; statsSeconds?: number } = {},
): Promise<{ copied: number; bytes: number; failed: { path: string; message: string }[]; code: number }> {
  let copied = 0;
  let bytes = 0;
  const failed: { path: string; message: string }[] = [];
  const outcome = await vault.rclone.attempt({
    args: [
      "copy",
      vault.path(from),
      target,
      ...vault.logFlags(options.statsSeconds),
      ...vault.transferFlags(),
      ...(options.extraArgs ?? []),
    ],
    onEntry: (entry) => {
      if (fileEventOf(entry) === "copied") copied++;
      else if (entry.level === "error" && entry.object && !entry.objectType?.endsWith("Fs")) {
        failed.push({ path: entry.object, message: entry.msg });
      }
    },
    onStats: (s) => {
      bytes = s.bytes;
      options.onProgress?.(progressOf(s, 0));
    },
  });
  if (outcome.code !== 0 && failed.length === 0) {
    if (outcome.code === 3) {
      throw new PermanentError(`${from} is not in the backup at ${vault.options.base}`);
    }
    throw rcloneFailure(`restoring ${from}`, outcome);
  }
  return { copied, bytes, failed, code: outcome.code };
}

/**
 * Compares a local tree with one in the vault, file by file, through rclone `cryptcheck` (it
 * encrypts the local file's hash with the remote file's nonce, so only each file's header is
 * read). `sizeOnly` compares names and sizes and reads nothing, for objects in cold storage.
 */
export async function compare(
  vault: Vault,
  local: string,
  remote: string,
  options: { exclude?: readonly string[]; sizeOnly?: boolean } = {},
): Promise<CompareResult> {
  const result: CompareResult = { matching: 0, differences: [] };
  const kinds = {
    "+": "missing-remote",
    "-": "missing-local",
    "*": "differs",
    "!": "error",
  } as const;
  const args = options.sizeOnly
    ? ["check", local, vault.path(remote), "--size-only", "--combined", "-", ...vault.logFlags()]
    : ["cryptcheck", local, vault.path(remote), "--combined", "-", ...vault.logFlags()];
  for (const pattern of options.exclude ?? []) args.push("--exclude", pattern);
  const outcome = await vault.rclone.attempt({
    args,
    onStdoutLine: (line) => {
      const symbol = line[0];
      const path = line.slice(2);
      if (symbol === "=") result.matching++;
      else if (symbol in kinds) {
        result.differences.push({ path, kind: kinds[symbol as keyof typeof kinds] });
      }
    },
  });
  // Exit 1 just means "differences found"; anything else without a report is a real failure.
  if (outcome.code !== 0 && result.differences.length === 0) {
    if (outcome.code === 3) {
      throw new PermanentError(`${remote} is not in the backup at ${vault.options.base}`);
    }
    throw rcloneFailure(`comparing ${local} with the backup`, outcome);
  }
  return result;
}
