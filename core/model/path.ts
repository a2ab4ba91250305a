/**
 * POSIX path helpers shaped like `node:path`'s, for code that runs at every start-up: importing
 * Node's path module costs about 6 ms of a run that does little else (Deno's Node layer under it),
 * and its `resolve` asks `node:process` for the working directory, which loads more of that layer.
 * Pure, apart from `resolvePath` reading the working directory.
 *
 * @example
 * ```ts
 * import { dirName, joinPath, resolvePath } from "./path.ts";
 * joinPath("/home/u/", "./.local", "share"); // "/home/u/.local/share"
 * dirName("/a/IMG_1.HEIC"); // "/a"; baseName(...) is "IMG_1.HEIC", extName(...) ".HEIC", stemName(...) "IMG_1"
 * resolvePath("/Volumes/Disk/Photos Library.photoslibrary/"); // without the trailing slash
 * ```
 * @module
 */

/**
 * `node:path`'s `join` for POSIX paths (segments joined by `/`, then `.`, `..` and repeated slashes
 * folded), without loading Node's path module at every start-up.
 */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((p) => p !== "").join("/");
  if (joined === "") return ".";
  const absolute = joined.startsWith("/");
  const segments: string[] = [];
  for (const segment of joined.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") segments.push(segment);
    else if (segments.length > 0 && segments.at(-1) !== "..") segments.pop();
    else if (!absolute) segments.push("..");
  }
  let path = segments.join("/");
  if (path === "" && !absolute) path = ".";
  if (path !== "" && joined.endsWith("/")) path += "/";
  return absolute ? `/${path}` : path;
}

/**
 * `node:path`'s `resolve` of one POSIX path: the path made absolute against the working directory,
 * folded as `joinPath` folds it, without a trailing slash (`/` stays `/`). Like node's, it expands
 * no `~`: that is the shell's.
 */
export function resolvePath(path: string): string {
  const folded = path.startsWith("/") ? joinPath(path) : joinPath(Deno.cwd(), path);
  return folded.length > 1 && folded.endsWith("/") ? folded.slice(0, -1) : folded;
}

/** `path` without the slashes it ends with (`/` stays `/`). */
function trimEndSlashes(path: string): string {
  let end = path.length;
  while (end > 1 && path[end - 1] === "/") end--;
  return path.slice(0, end);
}

/** `node:path`'s `dirname` for POSIX paths: the path up to its last segment (`.` or `/` when none). */
export function dirName(path: string): string {
  const trimmed = trimEndSlashes(path);
  const slash = trimmed.lastIndexOf("/");
  if (slash <= 0) return path.startsWith("/") ? "/" : ".";
  // As node: "//a" keeps both slashes, "a//b" all but the last.
  if (slash === 1 && trimmed.startsWith("/")) return "//";
  return trimmed.slice(0, slash);
}

/** `node:path`'s `basename` of one argument for POSIX paths: the last segment. */
export function baseName(path: string): string {
  const trimmed = trimEndSlashes(path);
  return trimmed === "/" ? "" : trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** `node:path`'s `extname` for POSIX paths: the last segment from its last `.`; none for `.bashrc`. */
export function extName(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf(".");
  return dot <= 0 || name === ".." ? "" : name.slice(dot);
}

/** The last segment without its extension: `IMG_1` of `/a/IMG_1.HEIC` (node's `basename(p, extname(p))`). */
export function stemName(path: string): string {
  const name = baseName(path);
  return name.slice(0, name.length - extName(name).length);
}

/** `node:path`'s `relative` for POSIX paths: the way from `from` to `to`, both resolved first. */
export function relativePath(from: string, to: string): string {
  const a = resolvePath(from).split("/").filter(Boolean);
  const b = resolvePath(to).split("/").filter(Boolean);
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same++;
  return [...a.slice(same).map(() => ".."), ...b.slice(same)].join("/");
}
