/**
 * A destination session over a {@link Vault}: single assets (`put`, the asset role) and whole
 * trees (the backup role). `destination.b2` and `destination.glacier` differ only in how the base remote is
 * configured and in what they add here (Glacier: versioning and warming cold objects up).
 *
 * @example
 * ```ts
 * const session = vaultSession(vault, { key: "b2:photos/photos-sync", description: "B2 bucket photos", keeps: "areas" });
 * await session.backupTree({ source: "/immich/library", name: "library", archive: "20250101T000000Z" });
 * ```
 * @module
 */
import { extname } from "node:path";
import type { Asset } from "../../../core/model/asset.ts";
import { ConfigError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import type { ExportedGroup } from "../../../core/model/plan.ts";
import type {
  AssetDestinationSession,
  BackupInfo,
  BackupTargetSession,
  DestinationInfo,
  PutResult,
  RemoteRef,
  TreeBackupRequest,
  TreeBackupResult,
  TreeRestoreRequest,
  TreeRestoreResult,
  TreeVerifyRequest,
  TreeVerifyResult,
} from "../../../core/plugin/types.ts";
import { compare, copyOut, mirror } from "./trees.ts";
import type { Vault } from "./vault.ts";

export interface VaultSessionOptions {
  /** The destination's key in the tracker, e.g. `b2:photos/photos-sync`. */
  key: string;
  /** E.g. `Backblaze B2 bucket photos, folder photos-sync`. */
  description: string;
  /** The rclone version in use, shown by `check()`. */
  rcloneVersion?: string;
  /**
   * How replaced and deleted files are kept: dated archive areas, the store's own versions, or not at
   * all (`latest`: Glacier without bucket versioning, only the latest copy of each file).
   */
  keeps: BackupInfo["keeps"] | "latest";
  /** Checks the base before it is used (Glacier: versioning); with `create`, may set it up. */
  checkBase?: (create: boolean) => Promise<void>;
  /** rclone error text that means an object is in an archive tier and not readable yet. */
  cold?: RegExp;
  /** Asks the archive tier for these objects (paths from the vault's root). */
  warmup?: (paths: string[]) => Promise<void>;
  /** rclone arguments that show the tree as it was at an ISO time. */
  asOfArgs?: (iso: string) => string[];
  /** `size`: verify compares names and sizes only (reading cold objects would need a restore). */
  verify?: "content" | "size";
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function checkName(what: string, value: string): void {
  if (!NAME.test(value)) {
    throw new ConfigError(`${what} "${value}" must be a plain name (letters, digits, - _ .)`);
  }
}

/** `assets/YYYY/MM/DD` of the capture in the place it was taken; `assets/undated` without a date. */
export function assetFolder(asset: Asset): string {
  const iso = asset.captured?.utc ?? asset.added;
  if (!iso) return "assets/undated";
  const local = new Date(Date.parse(iso) + (asset.captured?.offsetSeconds ?? 0) * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `assets/${local.getUTCFullYear()}/${pad(local.getUTCMonth() + 1)}/${pad(local.getUTCDate())}`;
}

/** What the session's hooks share: the vault, the destination's choices, and whether it was claimed. */
interface Backing {
  vault: Vault;
  options: VaultSessionOptions;
  /** The one claim of this session (checked base, marker written or proven), once it succeeded. */
  claimed?: Promise<unknown>;
}

/** One object for both roles: the host shows each role only its own methods. */
export function vaultSession(
  vault: Vault,
  options: VaultSessionOptions,
): AssetDestinationSession & BackupTargetSession {
  const b: Backing = { vault, options };
  return {
    key: options.key,
    async close() {},
    check: () => check(b),
    put: (group) => put(b, group),
    prepareBackup: (request) => prepareBackup(b, request),
    backupTree: (request) => backupTree(b, request),
    restoreTree: (request) => restoreTree(b, request),
    verifyTree: (request) => verifyTree(b, request),
    archives: () => archives(b),
    pruneArchive: (archive) => pruneArchive(b, archive),
    ...(options.warmup ? { warmup: (ids: string[]) => options.warmup!(ids) } : {}),
  };
}

/** Claims the vault once per session; a failed claim is tried again on the next write. */
function claim(b: Backing): Promise<unknown> {
  return b.claimed ??= (async () => {
    await b.options.checkBase?.(true);
    await b.vault.claim();
  })().catch((e) => {
    b.claimed = undefined;
    throw e;
  });
}

/** `current/<name>` or `archive/<archive>/<name>`; without a name, the folder of every source. */
function treePath(name: string | undefined, archive?: string): string {
  if (name !== undefined) checkName("source name", name);
  if (archive !== undefined) checkName("archive", archive);
  const root = archive === undefined ? "current" : `archive/${archive}`;
  return name === undefined ? root : `${root}/${name}`;
}

async function prepareBackup(b: Backing, { create }: { create: boolean }): Promise<BackupInfo> {
  let state: BackupInfo["state"];
  if (create) {
    await b.options.checkBase?.(true);
    state = (await b.vault.claim()) === "created" ? "new" : "existing";
    b.claimed = Promise.resolve();
  } else {
    await b.options.checkBase?.(false);
    state = (await b.vault.inspect()).state === "ours" ? "existing" : "new";
  }
  return { description: b.options.description, state, keeps: reportedKeeps(b.options.keeps) };
}

/**
 * The contract knows only `areas` and `versions`. `latest` is told as `areas` with no area ever
 * made: the host then shows no "versioning is on" and prunes nothing; the description says the rest.
 */
function reportedKeeps(keeps: VaultSessionOptions["keeps"]): BackupInfo["keeps"] {
  return keeps === "latest" ? "areas" : keeps;
}

async function check(b: Backing): Promise<DestinationInfo> {
  const info = await prepareBackup(b, { create: false });
  const state = info.state === "new" ? "empty, ready for a first backup" : "backup found, password correct";
  return {
    description: `${info.description} (encrypted): ${state}`,
    version: b.options.rcloneVersion ? `rclone ${b.options.rcloneVersion}` : undefined,
  };
}

async function put(b: Backing, group: ExportedGroup): Promise<PutResult> {
  await claim(b);
  const folder = assetFolder(group.asset);
  const resources: RemoteRef[] = [];
  for (const file of group.files) {
    const ext = extname(file.name);
    const stem = file.name.slice(0, file.name.length - ext.length) || "file";
    // Named by content: the same bytes always land on the same name, so a second put is a no-op.
    const dest = `${folder}/${stem}_${file.sha1.slice(0, 8)}${ext}`;
    const copied = await b.vault.putFile(file.path, dest);
    resources.push({ key: file.key, remoteId: dest, duplicate: !copied });
  }
  return { resources };
}

async function backupTree(b: Backing, request: TreeBackupRequest): Promise<TreeBackupResult> {
  const dest = treePath(request.name);
  if (request.dryRun) {
    await b.options.checkBase?.(false);
    await b.vault.inspect();
  } else await claim(b);
  return await mirror(b.vault, request.source, dest, {
    archive: b.options.keeps === "areas" ? treePath(request.name, request.archive) : undefined,
    exclude: request.exclude,
    dryRun: request.dryRun,
    onProgress: request.onProgress,
    statsSeconds: request.progressSeconds,
  });
}

/** rclone arguments that show the tree as of `asOf`; refused where only archive areas are kept. */
function asOfArgs(options: VaultSessionOptions, asOf: string | undefined): string[] {
  if (!asOf) return [];
  if (!options.asOfArgs) {
    const kept = options.keeps === "areas" ? "it keeps dated archive areas" : "it keeps only the latest copy";
    throw new ConfigError(`${options.description} cannot restore as of a time; ${kept}`);
  }
  return options.asOfArgs(asOf);
}

async function restoreTree(b: Backing, request: TreeRestoreRequest): Promise<TreeRestoreResult> {
  const { vault, options } = b;
  const from = treePath(request.name, request.archive);
  if ((await vault.inspect()).state === "new") {
    throw new PermanentError(`there is no backup at ${options.description} yet; nothing to restore`);
  }
  await Deno.mkdir(request.target, { recursive: true });
  const extraArgs = asOfArgs(options, request.asOf);
  const out = await copyOut(vault, from, request.target, {
    onProgress: request.onProgress,
    extraArgs,
    statsSeconds: request.progressSeconds,
  });
  const cold = out.failed.filter((f) => options.cold?.test(f.message)).map((f) => `${from}/${f.path}`);
  const broken = out.failed.filter((f) => !options.cold?.test(f.message));
  if (broken.length > 0) {
    const sample = broken.slice(0, 3).map((f) => `${f.path}: ${f.message}`).join("; ");
    throw new RetryableError(`restoring ${from} failed for ${broken.length} files (${sample})`);
  }
  // Object stores have no folders: copying one that does not exist copies nothing, quietly.
  if (out.copied === 0 && out.failed.length === 0 && !(await vault.hasFiles(from, extraArgs))) {
    throw new PermanentError(`${from} is not in the backup at ${options.description}`);
  }
  return { files: out.copied, bytes: out.bytes, cold };
}

async function verifyTree(b: Backing, request: TreeVerifyRequest): Promise<TreeVerifyResult> {
  return await compare(b.vault, request.local, treePath(request.name, request.archive), {
    exclude: request.exclude,
    sizeOnly: b.options.verify === "size",
  });
}

async function archives(b: Backing): Promise<string[]> {
  if (b.options.keeps !== "areas") return [];
  const dirs = await b.vault.list("archive", { dirsOnly: true });
  return dirs.map((d) => d.replace(/\/$/, "")).filter((d) => NAME.test(d)).sort();
}

async function pruneArchive(b: Backing, archive: string): Promise<void> {
  checkName("archive", archive);
  await b.vault.purge(`archive/${archive}`);
}
