/**
 * Whether a path exists (a file or a folder, symbolic links followed; any error reads as no), as
 * node:fs's `existsSync` says, without loading node:fs for a listing that checks few files.
 *
 * Loading node:fs (with the Node compatibility layer under it) costs a process about 20 ms of
 * start-up. `Deno.statSync` costs nothing to load but more per check, most of all for a path that
 * is not there, which it reports by throwing (measured: about 9 µs more than `existsSync` for a
 * missing file, 1 µs more for one that is there). So a small library is checked with
 * `Deno.statSync`, and a listing of a large one first calls {@link useNodeFs} (the check itself
 * cannot wait for a module).
 *
 * @example
 * ```ts
 * await useNodeFs(); // only for a large library
 * if (exists(`${library}/originals/0/${uuid}.heic`)) console.log("on this disk");
 * ```
 * @module
 */

let nodeExists: ((path: string) => boolean) | undefined;

/** Whether `path` exists now. */
export function exists(path: string): boolean {
  if (nodeExists) return nodeExists(path);
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Above this many assets, a listing loads node:fs first: its load costs what `Deno.statSync`
 * costs beyond `existsSync` on about 2,000 missing files (or 20,000 present ones).
 */
export const NODE_FS_FROM_ASSETS = 2_000;

/** Loads node:fs: every later check in this process takes its `existsSync`. */
export async function useNodeFs(): Promise<void> {
  nodeExists ??= (await import("node:fs")).existsSync;
}
