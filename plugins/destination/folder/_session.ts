/**
 * The session of `destination.folder` (see `mod.ts`): verified copies into the dated tree or the
 * Photos import layout. Loaded when a run opens the destination.
 * @module
 */
import { dirName, joinPath, relativePath, resolvePath } from "../../../core/model/path.ts";
import type { Asset } from "../../../core/model/asset.ts";
import { hashFile } from "../../../core/model/hash.ts";
import type { ExportedGroup } from "../../../core/model/plan.ts";
import { SYNCED_FIELDS, type SyncedField } from "../../../core/model/synced.ts";
import { ConfigError, FatalError, PermanentError } from "../../../core/plugin/errors.ts";
import type { AlbumRef, PersonInAsset } from "../../../core/model/asset.ts";
import type {
  AssetChanges,
  AssetDestinationSession,
  HeldFile,
  Presence,
  RemoteRef,
  StateStore,
} from "../../../core/plugin/types.ts";
import { copyVerified, existingSha1, writeTextVerified } from "./_files.ts";
import { fittingName, stemOf, withSuffix } from "./_names.ts";
import { type GroupLayout, photosImportLayout, rewriteSidecars, withChanges } from "./_photos_import.ts";

/** The layouts of the `layout` option (declared in `mod.ts`, which loads this file). */
export type FolderLayout = "dated" | "photos-import";

/** `YYYY/MM/DD` of the capture in the place it was taken; `undated` when the source has no date. */
export function datedFolder(asset: Asset): string {
  const iso = asset.captured?.utc ?? asset.added;
  if (!iso) return "undated";
  const local = new Date(Date.parse(iso) + (asset.captured?.offsetSeconds ?? 0) * 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${local.getUTCFullYear()}/${pad(local.getUTCMonth() + 1)}/${pad(local.getUTCDate())}`;
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
  for (let dir = root; dir !== dirName(dir); dir = dirName(dir)) {
    const info = await Deno.stat(dir).catch(() => undefined);
    if (!info) continue;
    if (info.isDirectory) return;
    throw new ConfigError(
      `the destination ${dir} is a file, not a folder; give --folder-path a folder (it is created when missing)`,
    );
  }
}

/**
 * The dated layout's names: the planned ones; when one is taken by different content, the whole
 * group's with the asset id's first 8 characters as a suffix, so that pairs keep one stem.
 */
async function datedLayout(folder: string, group: ExportedGroup): Promise<GroupLayout> {
  const existing = await Promise.all(
    group.files.map((f) => existingSha1(joinPath(folder, fittingName(f.name)))),
  );
  const clash = group.files.some((f, i) => existing[i] !== undefined && existing[i] !== f.sha1);
  const suffix = group.asset.id.replace(/[^A-Za-z0-9]/g, "").slice(0, 8);
  const files = [];
  for (const [i, file] of group.files.entries()) {
    const target = joinPath(folder, fittingName(clash ? withSuffix(file.name, suffix) : file.name));
    const there = clash ? await existingSha1(target) : existing[i];
    if (there !== undefined && there !== file.sha1) {
      throw new PermanentError(`${target} exists with other content; move it away and run again`);
    }
    files.push({ file, target, there: there !== undefined });
  }
  return { files, sidecars: [] };
}

/**
 * Turns by key: `run` waits for every earlier run that holds one of its keys. Two lanes putting
 * assets of one base name into one folder would otherwise both find the name free, and the later
 * rename would replace the other asset's file.
 */
class Turns {
  #last = new Map<string, Promise<void>>();

  async run<T>(keys: string[], fn: () => Promise<T>): Promise<T> {
    // Taken all at once, before any await, so two runs never wait for each other.
    const earlier = keys.map((k) => this.#last.get(k));
    let done!: () => void;
    const mine = new Promise<void>((resolve) => done = resolve);
    for (const k of keys) this.#last.set(k, mine);
    await Promise.all(earlier);
    try {
      return await fn();
    } finally {
      done();
      for (const k of keys) if (this.#last.get(k) === mine) this.#last.delete(k);
    }
  }
}

/** A session copying into the folder tree at `path` (resolved against the working directory). */
export function openFolderSession(
  path: string,
  state: StateStore,
  layout: FolderLayout,
): AssetDestinationSession {
  return new FolderSession(resolvePath(path), state, layout);
}

class FolderSession implements AssetDestinationSession {
  readonly key: string;
  /**
   * What its XMP sidecars carry: every synced field in the Photos import layout; the dated layout
   * writes none, so it keeps no metadata but the files'.
   */
  readonly fields: { keep: readonly SyncedField[] };
  /** Album names live in each asset's sidecars: a renamed album is written to every member. */
  readonly albumsPerAsset: boolean;
  #heldMarked = false;
  #turns = new Turns();
  constructor(readonly root: string, readonly state: StateStore, readonly layout: FolderLayout) {
    this.key = `folder:${root}`;
    this.fields = { keep: layout === "photos-import" ? SYNCED_FIELDS : [] };
    this.albumsPerAsset = layout === "photos-import";
  }

  // The sidecars' fields. The dated layout keeps none, and a field a destination does not keep is
  // ignored when sent (the contract's rule); the engine sends it none.
  update(remoteId: string, changes: AssetChanges): Promise<void> {
    return this.#rewrite(remoteId, (facts) => withChanges(facts, changes));
  }

  albums(remoteId: string, albums: AlbumRef[]): Promise<void> {
    return this.#rewrite(remoteId, (facts) => ({ ...facts, albums }));
  }

  people(remoteId: string, people: PersonInAsset[]): Promise<void> {
    return this.#rewrite(remoteId, (facts) => ({ ...facts, people }));
  }

  /** A change of the asset's sidecars, the file's base names taken in turn as a put takes them. */
  async #rewrite(remoteId: string, change: Parameters<typeof rewriteSidecars>[1]): Promise<void> {
    if (this.layout !== "photos-import") return;
    await this.#refuseVanished();
    const file = joinPath(this.root, remoteId);
    await this.#turns.run(
      [`${dirName(file)}/${stemOf(file.split("/").pop()!).toLowerCase()}`],
      () => rewriteSidecars(file, change),
    );
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
    while (!(await Deno.stat(dir).then(() => true, () => false))) dir = dirName(dir);
    try {
      const probe = joinPath(dir, `.photos-sync-probe-${crypto.randomUUID()}`);
      // Opened, not written: Deno.writeTextFile loads Deno's web streams, a few ms of every start-up.
      (await Deno.open(probe, { write: true, createNew: true })).close();
      await Deno.remove(probe);
    } catch (e) {
      throw new FatalError(`the destination folder ${this.root} is not writable (${(e as Error).message})`);
    }
    return {
      description: `folder ${this.root}${dir === this.root ? "" : ` (created in ${dir} on first copy)`}` +
        (this.layout === "photos-import" ? ", laid out for Photos' import" : ""),
    };
  }

  put(group: ExportedGroup): Promise<{ resources: RemoteRef[] }> {
    const folder = joinPath(this.root, datedFolder(group.asset));
    const stems = group.files.map((f) => `${folder}/${stemOf(f.name).toLowerCase()}`);
    return this.#turns.run([...new Set(stems)], () => this.#put(folder, group));
  }

  async #put(folder: string, group: ExportedGroup): Promise<{ resources: RemoteRef[] }> {
    const layout = this.layout === "photos-import"
      ? await photosImportLayout(folder, group)
      : await datedLayout(folder, group);
    const resources: RemoteRef[] = [];
    for (const { file, target, there } of layout.files) {
      if (!there) await copyVerified(file.path, target, file.sha1);
      resources.push({ key: file.key, remoteId: relativePath(this.root, target), duplicate: there });
    }
    // After the files, so a resumed put finds them its own and writes what the kill left unwritten.
    for (const sidecar of layout.sidecars) {
      if (sidecar.state !== "same") await writeTextVerified(sidecar.target, sidecar.text);
    }
    if (!this.#heldMarked) {
      this.state.set(this.#heldKey, true);
      this.#heldMarked = true;
    }
    return { resources };
  }

  /** What the folder holds of each file, hashed from the disk (for `archive`). */
  async verify(remoteIds: string[]): Promise<Record<string, HeldFile | null>> {
    await this.#refuseVanished();
    const out: Record<string, HeldFile | null> = {};
    for (const id of remoteIds) {
      const held = await hashFile(joinPath(this.root, id)).catch(() => undefined);
      out[id] = held ? { sha1: held.sha1, trashed: false } : null;
    }
    return out;
  }

  async presence(remoteIds: string[]): Promise<Record<string, Presence>> {
    // An unmounted disk must not read as "every file was deleted".
    if (!(await Deno.stat(this.root).then((s) => s.isDirectory, () => false))) {
      throw new FatalError(
        `the destination folder ${this.root} is missing (not mounted?); nothing was checked`,
      );
    }
    // Sixteen at a time: one by one, each stat waits its turn on Deno's blocking threads, and a
    // cleanup's 500 at once would start a thread for each.
    const answers: Presence[] = [];
    for (let at = 0; at < remoteIds.length; at += 16) {
      answers.push(
        ...await Promise.all(
          remoteIds.slice(at, at + 16).map((id) =>
            Deno.stat(joinPath(this.root, id)).then(() => "present" as const, () => "gone" as const)
          ),
        ),
      );
    }
    return Object.fromEntries(remoteIds.map((id, i) => [id, answers[i]]));
  }

  async close() {}
}
