/**
 * A destination session over a {@link Vault}: single assets (`put`, the asset role) and whole
 * trees (the backup role). `destination.b2` and `destination.glacier` differ only in how the base remote is
 * configured and in what they add here (Glacier: versioning and warming cold objects up).
 *
 * @example
 * ```ts
 * const session = vaultSession(vault, { key: "b2:photos/photos-sync", description: "B2 bucket photos", keeps: "areas" });
 * await session.backupTree!({ source: "/immich/library", name: "library", archive: "20250101T000000Z" });
 * ```
 * @module
 */
import { extname } from "node:path";
import type { Asset } from "../../../core/model/asset.ts";
import { ConfigError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import type {
  AssetDestinationSession,
  BackupInfo,
  BackupTargetSession,
  RemoteRef,
  TreeBackupResult,
  TreeRestoreResult,
} from "../../../core/plugin/types.ts";
import type { Vault } from "./vault.ts";

export interface VaultSessionOptions {
  /** The destination's key in the tracker, e.g. `b2:photos/photos-sync`. */
  key: string;
  /** E.g. `Backblaze B2 bucket photos, folder photos-sync`. */
  description: string;
  /** The rclone version in use, shown by `check()`. */
  rcloneVersion?: string;
  /** How replaced and deleted files are kept: dated archive areas, or the store's own versions. */
  keeps: BackupInfo["keeps"];
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

/** One object for both roles: the host shows each role only its own methods. */
export function vaultSession(
  vault: Vault,
  options: VaultSessionOptions,
): AssetDestinationSession & BackupTargetSession {
  let claimed: Promise<unknown> | undefined;
  const claim = () => (claimed ??= (async () => {
    await options.checkBase?.(true);
    await vault.claim();
  })().catch((e) => {
    claimed = undefined;
    throw e;
  }));
  /** `current/<name>` or `archive/<archive>/<name>`; without a name, the folder of every source. */
  const treePath = (name: string | undefined, archive?: string) => {
    if (name !== undefined) checkName("source name", name);
    if (archive !== undefined) checkName("archive", archive);
    const root = archive === undefined ? "current" : `archive/${archive}`;
    return name === undefined ? root : `${root}/${name}`;
  };

  const prepareBackup = async ({ create }: { create: boolean }): Promise<BackupInfo> => {
    let state: BackupInfo["state"];
    if (create) {
      await options.checkBase?.(true);
      state = (await vault.claim()) === "created" ? "new" : "existing";
      claimed = Promise.resolve();
    } else {
      await options.checkBase?.(false);
      state = (await vault.inspect()).state === "ours" ? "existing" : "new";
    }
    return { description: options.description, state, keeps: options.keeps };
  };

  return {
    key: options.key,
    async close() {},

    async check() {
      const info = await prepareBackup({ create: false });
      const state = info.state === "new"
        ? "empty, ready for a first backup"
        : "backup found, password correct";
      return {
        description: `${info.description} (encrypted): ${state}`,
        version: options.rcloneVersion ? `rclone ${options.rcloneVersion}` : undefined,
      };
    },

    async put(group) {
      await claim();
      const folder = assetFolder(group.asset);
      const resources: RemoteRef[] = [];
      for (const file of group.files) {
        const ext = extname(file.name);
        const stem = file.name.slice(0, file.name.length - ext.length) || "file";
        // Named by content: the same bytes always land on the same name, so a second put is a no-op.
        const dest = `${folder}/${stem}_${file.sha1.slice(0, 8)}${ext}`;
        const copied = await vault.putFile(file.path, dest);
        resources.push({ key: file.key, remoteId: dest, duplicate: !copied });
      }
      return { resources };
    },

    prepareBackup,

    async backupTree(request): Promise<TreeBackupResult> {
      const dest = treePath(request.name);
      if (request.dryRun) {
        await options.checkBase?.(false);
        await vault.inspect();
      } else await claim();
      const result = await vault.mirror(request.source, dest, {
        archive: options.keeps === "areas" ? treePath(request.name, request.archive) : undefined,
        exclude: request.exclude,
        dryRun: request.dryRun,
        onProgress: request.onProgress,
        statsSeconds: request.progressSeconds,
      });
      return result;
    },

    async restoreTree(request): Promise<TreeRestoreResult> {
      const from = treePath(request.name, request.archive);
      if ((await vault.inspect()).state === "new") {
        throw new PermanentError(`there is no backup at ${options.description} yet; nothing to restore`);
      }
      await Deno.mkdir(request.target, { recursive: true });
      const extraArgs = request.asOf
        ? (options.asOfArgs?.(request.asOf) ?? (() => {
          throw new ConfigError(
            `${options.description} cannot restore as of a time; it keeps dated archive areas`,
          );
        })())
        : [];
      const out = await vault.copyOut(from, request.target, {
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
    },

    async verifyTree(request) {
      return await vault.compare(request.local, treePath(request.name, request.archive), {
        exclude: request.exclude,
        sizeOnly: options.verify === "size",
      });
    },

    async archives() {
      if (options.keeps === "versions") return [];
      return (await vault.list("archive", { dirsOnly: true })).map((d) => d.replace(/\/$/, "")).filter((d) =>
        NAME.test(d)
      ).sort();
    },

    async pruneArchive(archive) {
      checkName("archive", archive);
      await vault.purge(`archive/${archive}`);
    },

    ...(options.warmup ? { warmup: (ids: string[]) => options.warmup!(ids) } : {}),
  };
}
