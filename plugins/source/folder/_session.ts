/**
 * The session of `source.folder` (see `mod.ts`): the folder walked, grouped and read. Loaded when a
 * run opens the source.
 * @module
 */
import { createHash } from "node:crypto";
import { join, relative, sep } from "node:path";
import { resolvePath } from "../../../core/model/path.ts";
import type { Asset, Resource, Subtype } from "../../../core/model/asset.ts";
import { ConfigError, FatalError, PermanentError } from "../../../core/plugin/errors.ts";
import type { ExportRequest, PluginContext, SourceFile, SourceSession } from "../../../core/plugin/types.ts";
import { classify, type FolderFile, type Group, groupFolder } from "./_group.ts";
import { readMediaFacts } from "./_media.ts";

/**
 * A session on the folder `options.library` (the plugin's options: `FolderOptions` in `mod.ts`,
 * which loads this file); a configuration error if it is not a folder.
 */
export async function openFolder(options: { library: string }, ctx: PluginContext): Promise<SourceSession> {
  const root = resolvePath(options.library);
  const info = await Deno.stat(root).catch(() => undefined);
  if (!info?.isDirectory) {
    throw new ConfigError(
      `source.folder: ${root} ${info ? "is not a folder" : "does not exist"}; check --library.`,
    );
  }
  return openSession(root, ctx);
}

/** First 32 hex digits of the SHA-1 of the path relative to the root, as `mod.ts` documents. */
export function folderAssetId(root: string, path: string): string {
  const rel = relative(root, path).split(sep).join("/").normalize("NFC");
  return createHash("sha1").update(rel).digest("hex").slice(0, 32);
}

function openSession(root: string, ctx: PluginContext): SourceSession {
  return {
    key: `folder:${root}`,

    async *list(): AsyncGenerator<Asset> {
      let ignored = 0;
      const unreadable: string[] = [];
      for await (const files of folders(root, () => ignored++, (path) => unreadable.push(path))) {
        for (const group of groupFolder(files)) {
          ctx.signal.throwIfAborted();
          yield toAsset(root, group);
        }
        // Each one becomes an asset whose export fails, so it is shown as a problem, not lost.
        for (const path of unreadable.splice(0)) yield unreadableAsset(root, path);
      }
      for (const path of unreadable.splice(0)) yield unreadableAsset(root, path);
      if (ignored > 0) ctx.log.debug(`left out ${ignored} files that are neither media nor sidecars`);
    },

    async export({ asset, plan }: ExportRequest): Promise<SourceFile[]> {
      const files: SourceFile[] = [];
      for (const planned of plan.resources) {
        const path = planned.resource.path;
        if (path && isLossyName(path)) throw new PermanentError(notUtf8Message(path));
        const isFile = path ? await Deno.stat(path).then((s) => s.isFile, () => false) : false;
        if (!path || !isFile) {
          throw new PermanentError(
            `${planned.role} of ${asset.filename} (${asset.id}): ${
              path ?? "no file"
            } is gone from ${root}; ` +
              `it was moved or deleted since the folder was listed.`,
          );
        }
        files.push({ key: planned.key, path });
      }
      return files;
    },

    close: () => Promise.resolve(),
  };
}

/**
 * Yields the media and sidecar files of each folder under `root`, one folder at a time, in name
 * order. Hidden entries (".name"), Synology's "@eaDir" and symbolic links are skipped; a folder that
 * cannot be read stops the listing, because a listing with holes would look like deleted assets.
 */
async function* folders(
  root: string,
  ignore: () => void,
  unreadable: (path: string) => void,
): AsyncGenerator<FolderFile[]> {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.shift()!;
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch (error) {
      throw new FatalError(
        `cannot read the folder ${dir} (${
          (error as Error).message
        }); fix its permissions or leave it out of --library`,
      );
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subfolders: string[] = [];
    const files: FolderFile[] = [];
    for (const entry of entries) {
      if (entry.name.startsWith(".") || entry.name === "@eaDir" || entry.isSymlink) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory) {
        subfolders.push(path);
        continue;
      }
      const kind = classify(entry.name);
      if (!entry.isFile || !kind) {
        ignore();
        continue;
      }
      const stat = await statUnlessLossy(path);
      if (!stat) {
        unreadable(path);
        continue;
      }
      const facts = kind.kind === "photo" || kind.kind === "video"
        ? await readMediaFacts(path, kind.container)
        : {};
      files.push({
        name: entry.name,
        path,
        size: stat.size,
        mtime: stat.mtime ?? undefined,
        class: kind,
        facts,
      });
    }
    if (files.length > 0) yield files;
    pending.unshift(...subfolders);
  }
}

/**
 * Deno hands out directory entries as UTF-8 with U+FFFD for bytes that are not, so a name in
 * Latin-1 (an old camera, a Windows zip) names no file; it is reported instead of read.
 */
function isLossyName(path: string): boolean {
  return path.includes("\uFFFD");
}

async function statUnlessLossy(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (isLossyName(path) && e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

function notUtf8Message(path: string): string {
  return `the name of ${escapeLossy(path)} is not valid UTF-8 (each ? is a byte that is not), so it ` +
    `cannot be read; rename the file to a UTF-8 name (e.g. convmv -f latin1 -t utf-8), then run again`;
}

function escapeLossy(path: string): string {
  return path.replaceAll("\uFFFD", "?");
}

/** An asset for a file whose name cannot be read back: exporting it fails with what to do. */
function unreadableAsset(root: string, path: string): Asset {
  const name = escapeLossy(path.slice(path.lastIndexOf(sep) + 1));
  const kind = classify(name)?.kind === "video" ? "video" : "photo";
  return {
    id: folderAssetId(root, path),
    kind,
    filename: name,
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: [],
    resources: [{ role: "original", filename: name, path, present: true }],
  };
}

function toAsset(root: string, group: Group): Asset {
  const { primary } = group;
  const kind = primary.class.kind === "video" ? "video" : "photo";
  const roles = new Set(group.resources.map((r) => r.role));
  const subtypes: Subtype[] = [];
  if (roles.has("motion")) subtypes.push("live");
  if (roles.has("raw")) subtypes.push("raw_jpeg");
  else if (primary.class.kind === "photo" && primary.class.raw) subtypes.push("raw");
  const mtimes = group.resources.flatMap((r) => r.file.mtime ? [r.file.mtime.getTime()] : []);
  const resources: Resource[] = group.resources.map(({ role, file }) => {
    const resource: Resource = { role, filename: file.name, size: file.size, path: file.path, present: true };
    const uti = "uti" in file.class ? file.class.uti : undefined;
    if (uti) resource.uti = uti;
    return resource;
  });
  const asset: Asset = {
    id: folderAssetId(root, primary.path),
    kind,
    filename: primary.name,
    uti: "uti" in primary.class ? primary.class.uti : undefined,
    // Without readable metadata, the modification time is the best guess left.
    captured: primary.facts.captured ?? (primary.mtime ? { utc: primary.mtime.toISOString() } : undefined),
    // The newest file of the group: a sidecar added later counts as a change of the asset.
    modified: mtimes.length > 0 ? new Date(Math.max(...mtimes)).toISOString() : undefined,
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: roles.has("edited"),
    referenced: false,
    subtypes,
    liveContentId: roles.has("motion") ? group.contentId : undefined,
    width: primary.facts.width,
    height: primary.facts.height,
    durationSeconds: kind === "video" ? primary.facts.durationSeconds : undefined,
    resources,
  };
  for (const key of Object.keys(asset) as (keyof Asset)[]) if (asset[key] === undefined) delete asset[key];
  return asset;
}
