/**
 * POSIX path helpers shaped like `node:path`'s, for code that runs at every start-up: importing
 * Node's path module is cheap, but its `resolve` asks `node:process` for the working directory,
 * which loads more of Deno's Node layer (about 8 ms of a run that does little else). Pure, apart
 * from `resolvePath` reading the working directory.
 *
 * @example
 * ```ts
 * import { joinPath, resolvePath } from "./path.ts";
 * joinPath("/home/u/", "./.local", "share"); // "/home/u/.local/share"
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
