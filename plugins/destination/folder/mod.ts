/**
 * `destination.folder`: copies each asset's planned files into a dated tree
 * (`<path>/<YYYY>/<MM>/<DD>/<name>`, local capture date), verifying each copy before it becomes
 * visible and never overwriting a different file.
 *
 * A file that is already there with the same content counts as a duplicate, which is what makes a
 * resumed run copy nothing twice. When a name is taken by different content, the whole group gets
 * the asset id's first 8 characters as a suffix, so a Live Photo's still and video stay paired.
 * @module
 */
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { hashFile } from "../../../core/engine/hash.ts";
import type { Asset } from "../../../core/model/asset.ts";
import type { ExportedGroup } from "../../../core/model/plan.ts";
import { ConfigError, FatalError, PermanentError } from "../../../core/plugin/errors.ts";
import type { OptionsOf, OptionSpec } from "../../../core/plugin/options.ts";
import {
  type AssetDestinationSession,
  type DestinationPlugin,
  PLUGIN_API_VERSION,
  type PluginContext,
  type Presence,
  type RemoteRef,
  type StateStore,
} from "../../../core/plugin/types.ts";
import { fittingName, partialName, partialPrefix } from "./_names.ts";

/** `YYYY/MM/DD` of the capture in the place it was taken; `undated` when the source has no date. */
export function datedFolder(asset: Asset): string {
  const iso = asset.captured?.utc ?? asset.added;
  if (!iso) return "undated";
  const local = new Date(Date.parse(iso) + (asset.captured?.offsetSeconds ?? 0) * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${local.getUTCFullYear()}/${pad(local.getUTCMonth() + 1)}/${pad(local.getUTCDate())}`;
}

function withSuffix(name: string, suffix: string): string {
  const ext = extname(name);
  return `${basename(name, ext)}_${suffix}${ext}`;
}

/** The SHA-1 of the file at `path`, or undefined when there is none. */
async function existingSha1(path: string): Promise<string | undefined> {
  try {
    return (await hashFile(path)).sha1;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

/** Removes what a killed copy left behind (`<name>.partial-*`), so it cannot pile up. */
async function removeLeftovers(target: string): Promise<void> {
  // The second form is what earlier versions left behind.
  const prefixes = [partialPrefix(basename(target)), `${basename(target)}.partial-`];
  try {
    for await (const entry of Deno.readDir(dirname(target))) {
      if (prefixes.some((p) => entry.name.startsWith(p))) {
        await Deno.remove(join(dirname(target), entry.name)).catch(() => {});
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

async function copyVerified(from: string, to: string, sha1: string): Promise<void> {
  await Deno.mkdir(dirname(to), { recursive: true });
  await removeLeftovers(to);
  const partial = join(dirname(to), partialName(basename(to)));
  try {
    await Deno.copyFile(from, partial);
    const copied = await hashFile(partial);
    if (copied.sha1 !== sha1) {
      throw new PermanentError(
        `copy of ${from} to ${to} does not match the source (disk or source changing?)`,
      );
    }
    await Deno.rename(partial, to);
  } catch (e) {
    await Deno.remove(partial).catch(() => {});
    if (e instanceof Deno.errors.PermissionDenied || (e as { code?: string }).code === "ENOSPC") {
      throw new FatalError(
        `cannot write to ${dirname(to)}: ${(e as Error).message}; free space or fix permissions`,
      );
    }
    throw e;
  }
}

/** Whether the folder is missing or holds nothing (a mount point without its disk). */
async function looksEmpty(root: string): Promise<boolean> {
  try {
    for await (const _ of Deno.readDir(root)) return false;
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof Deno.errors.NotADirectory) return true;
    throw e;
  }
}

/** A root (or a folder above it) that is a file is a wrong `--folder-path`, not a permission problem. */
async function refuseNonFolder(root: string): Promise<void> {
  for (let dir = root; dir !== dirname(dir); dir = dirname(dir)) {
    const info = await Deno.stat(dir).catch(() => undefined);
    if (!info) continue;
    if (info.isDirectory) return;
    throw new ConfigError(
      `the destination ${dir} is a file, not a folder; give --folder-path a folder (it is created when missing)`,
    );
  }
}

class FolderSession implements AssetDestinationSession {
  readonly key: string;
  #heldMarked = false;
  constructor(readonly root: string, readonly state: StateStore) {
    this.key = `folder:${root}`;
  }

  /**
   * The tracker's note that this root has received imports, so it is never recreated empty.
   * `held:<key>` is the name `forget-destination` clears.
   */
  get #heldKey(): string {
    return `held:${this.key}`;
  }

  async #refuseVanished(): Promise<void> {
    if (this.state.get<boolean>(this.#heldKey) !== true || !(await looksEmpty(this.root))) return;
    throw new FatalError(
      `the destination folder ${this.root} held imports but is now missing or empty (disk not mounted?); ` +
        "nothing was written. Mount the disk, or if the folder was emptied on purpose, run " +
        "`photos-sync forget-destination` to copy everything again",
    );
  }

  async check() {
    await refuseNonFolder(this.root);
    await this.#refuseVanished();
    // Leaves nothing behind, so it is as safe in a dry run as in a real one: the folder itself is
    // made by the first put, and until then the folder it will be made in is the one probed.
    let dir = this.root;
    while (!(await Deno.stat(dir).then(() => true, () => false))) dir = dirname(dir);
    try {
      const probe = join(dir, `.photos-sync-probe-${crypto.randomUUID()}`);
      await Deno.writeTextFile(probe, "");
      await Deno.remove(probe);
    } catch (e) {
      throw new FatalError(`the destination folder ${this.root} is not writable (${(e as Error).message})`);
    }
    return {
      description: `folder ${this.root}${dir === this.root ? "" : ` (created in ${dir} on first copy)`}`,
    };
  }

  async put(group: ExportedGroup): Promise<{ resources: RemoteRef[] }> {
    const folder = join(this.root, datedFolder(group.asset));
    // Decide the names for the whole group first, so that pairs keep one stem.
    const existing = await Promise.all(
      group.files.map((f) => existingSha1(join(folder, fittingName(f.name)))),
    );
    const clash = group.files.some((f, i) => existing[i] !== undefined && existing[i] !== f.sha1);
    const suffix = group.asset.id.replace(/[^A-Za-z0-9]/g, "").slice(0, 8);
    const resources: RemoteRef[] = [];
    for (const [i, file] of group.files.entries()) {
      const target = join(folder, fittingName(clash ? withSuffix(file.name, suffix) : file.name));
      const there = clash ? await existingSha1(target) : existing[i];
      if (there !== undefined && there !== file.sha1) {
        throw new PermanentError(`${target} exists with other content; move it away and run again`);
      }
      if (there === undefined) await copyVerified(file.path, target, file.sha1);
      resources.push({
        key: file.key,
        remoteId: relative(this.root, target),
        duplicate: there !== undefined,
      });
    }
    if (!this.#heldMarked) {
      this.state.set(this.#heldKey, true);
      this.#heldMarked = true;
    }
    return { resources };
  }

  async presence(remoteIds: string[]): Promise<Record<string, Presence>> {
    // An unmounted disk must not read as "every file was deleted".
    if (!(await Deno.stat(this.root).then((s) => s.isDirectory, () => false))) {
      throw new FatalError(
        `the destination folder ${this.root} is missing (not mounted?); nothing was checked`,
      );
    }
    const out: Record<string, Presence> = {};
    for (const id of remoteIds) {
      out[id] = await Deno.stat(join(this.root, id)).then(() => "present" as const, () => "gone" as const);
    }
    return out;
  }

  async close() {}
}

const OPTIONS = [
  { name: "path", type: "path", required: true, help: "root of the destination folder tree" },
] as const satisfies readonly OptionSpec[];

const folderDestination = {
  kind: "destination",
  id: "destination.folder",
  apiVersion: PLUGIN_API_VERSION,
  version: "1.0.0",
  description: "Copies assets into a dated folder tree, verified, never overwriting",
  options: OPTIONS,
  assets: {
    capabilities: ["check", "presence"],
    // The host refuses to open it without a path (the option is required), so none is checked here.
    open(options: OptionsOf<typeof OPTIONS>, ctx: PluginContext) {
      return Promise.resolve(new FolderSession(resolve(options.path), ctx.state));
    },
  },
} satisfies DestinationPlugin;

export default folderDestination;
