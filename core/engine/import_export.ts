/**
 * The export and hash stages of the import: the source writes or points at an asset's files in a
 * private directory, each file is hashed, and sidecars are kept before the destination sees them.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { ExportedFile, Plan } from "../model/plan.ts";
import { FatalError, messageOf, PermanentError, PluginError } from "../plugin/errors.ts";
import { hashFile } from "./hash.ts";
import type { ImportRun } from "./import_types.ts";
import { sidecarKeys } from "./sidecar_store.ts";

/** Exports, hashes and stores the sidecars of one asset (the session wrapping retries the export). */
export async function exportAsset(
  run: ImportRun,
  asset: Asset,
  plan: Plan,
  dir: { readonly path: string },
): Promise<ExportedFile[]> {
  const { options } = run;
  const exported = await options.source.export({
    asset,
    plan,
    get dir() {
      return dir.path;
    },
    allowNetwork: options.allowNetwork ?? false,
  });
  const files = await hashAll(run, asset, plan, exported);
  await storeSidecars(run, asset, plan, files);
  return files;
}

async function hashAll(run: ImportRun, asset: Asset, plan: Plan, exported: { key: string; path: string }[]) {
  const files: ExportedFile[] = [];
  for (const planned of plan.resources) {
    const file = exported.find((f) => f.key === planned.key);
    if (!file) {
      throw new PluginError(
        run.options.sourceId,
        "export",
        new PermanentError(`${asset.filename}: the source produced no file for ${planned.key}`),
      );
    }
    files.push({ key: planned.key, name: planned.name, path: file.path, ...await hashFile(file.path) });
  }
  return files;
}

/** Copies the asset's sidecars into the store and records them, before the destination sees them. */
async function storeSidecars(run: ImportRun, asset: Asset, plan: Plan, files: ExportedFile[]): Promise<void> {
  const { sidecars, tracker } = run.options;
  if (!sidecars) return;
  const keys = sidecarKeys(plan);
  if (keys.length === 0) return;
  const stored = [];
  for (const file of files.filter((f) => keys.includes(f.key))) {
    await sidecars.put(file);
    const role = plan.resources.find((r) => r.key === file.key)!.role;
    stored.push({ key: file.key, role, name: file.name, sha1: file.sha1, size: file.size });
  }
  tracker.recordSidecars(run.ids.source, asset.id, stored);
}

/** A full or unwritable temp disk stops the run with one message instead of failing every asset. */
export function tempDiskFailure(e: unknown, tempRoot: string): unknown {
  const code = (e as { code?: string }).code;
  if (code === "ENOSPC" || /No space left on device/.test(messageOf(e))) {
    return new FatalError(
      `no space left on the temporary disk (${tempRoot}); free space there or set TMPDIR to a larger disk`,
    );
  }
  return e;
}

/**
 * The private per-asset export directory, made on first use: sources that hand out files they
 * already keep (the library reader) never touch it, and making and removing a directory per asset
 * cost about 3 ms on ext4 here, more than the rest of a small photo's import.
 */
export function lazyDir(root: string): { readonly path: string; readonly made: boolean } {
  const path = `${root}/asset-${crypto.randomUUID()}`;
  let made = false;
  return {
    get path() {
      if (!made) {
        try {
          Deno.mkdirSync(path, { mode: 0o700 });
        } catch (e) {
          throw tempDiskFailure(e, root);
        }
        made = true;
      }
      return path;
    },
    get made() {
      return made;
    },
  };
}
