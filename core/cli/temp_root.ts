/**
 * The private temp folder of one command (exports, spool files, plugin temp dirs), named by the
 * process that owns it, so the next command removes what a killed one (kill -9, a power cut) left.
 *
 * @example
 * ```ts
 * await removeOrphanTempRoots();
 * const root = await makeTempRoot();
 * ```
 * @module
 */
import { joinPath } from "../model/path.ts";
import { processAlive } from "../tracker/mod.ts";

const PREFIX = "photos-sync-run-";
const NAME = /^photos-sync-run-(\d+)-/;

/** A new temp folder under TMPDIR that names this process: `photos-sync-run-<pid>-<random>`. */
export function makeTempRoot(): Promise<string> {
  return Deno.makeTempDir({ prefix: `${PREFIX}${Deno.pid}-` });
}

/**
 * Where `Deno.makeTempDir` makes folders when given none: TMPDIR, else /tmp (Rust's rule, which
 * Deno follows; Node's `os.tmpdir()` also reads TMP and TEMP, and would load Node's layer, about
 * 20 ms of every start-up).
 */
function systemTempDir(): string {
  return Deno.env.get("TMPDIR") || "/tmp";
}

/**
 * Removes the temp folders of commands whose process is gone (or whose id a newer process took).
 * Never fails: leftovers only cost space, and a folder another user owns is not ours to remove.
 * Resolves with the folders removed.
 */
export async function removeOrphanTempRoots(dir = systemTempDir()): Promise<string[]> {
  const removed: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const pid = Number(NAME.exec(entry.name)?.[1]);
      if (!entry.isDirectory || !pid || pid === Deno.pid) continue;
      const path = joinPath(dir, entry.name);
      const info = await Deno.stat(path).catch(() => undefined);
      // Its owner started before it made the folder, and so before anything in it changed.
      if (processAlive(pid, info?.birthtime ?? info?.mtime ?? undefined)) continue;
      await Deno.remove(path, { recursive: true }).then(() => removed.push(path), () => {});
    }
  } catch {
    // An unreadable TMPDIR: the new temp folder will say what is wrong with it.
  }
  return removed;
}
