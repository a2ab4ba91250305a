/**
 * The private temp folder of one command (exports, spool files, plugin temp dirs), named by the
 * process that owns it, so the next command removes what a killed one (kill -9, a power cut) left.
 *
 * @example
 * ```ts
 * removeOrphanTempRoots();
 * const root = makeTempRoot();
 * ```
 * @module
 */
import { joinPath } from "../model/path.ts";
import { processAlive } from "../tracker/mod.ts";

const PREFIX = "photos-sync-run-";
const NAME = /^photos-sync-run-(\d+)-/;

/**
 * A new temp folder under TMPDIR that names this process: `photos-sync-run-<pid>-<random>`. Here and
 * below synchronous: at start-up nothing else waits, and each asynchronous call costs a hop to Deno's
 * blocking threads (about 0.2 ms each, 1 ms for the first).
 */
export function makeTempRoot(): string {
  return Deno.makeTempDirSync({ prefix: `${PREFIX}${Deno.pid}-` });
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
export function removeOrphanTempRoots(dir = systemTempDir()): string[] {
  const removed: string[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      const pid = Number(NAME.exec(entry.name)?.[1]);
      if (!entry.isDirectory || !pid || pid === Deno.pid) continue;
      const path = joinPath(dir, entry.name);
      const info = statOrUndefined(path);
      // Its owner started before it made the folder, and so before anything in it changed.
      if (processAlive(pid, info?.birthtime ?? info?.mtime ?? undefined)) continue;
      try {
        Deno.removeSync(path, { recursive: true });
        removed.push(path);
      } catch {
        // Not ours, or gone meanwhile.
      }
    }
  } catch {
    // An unreadable TMPDIR: the new temp folder will say what is wrong with it.
  }
  return removed;
}

function statOrUndefined(path: string): Deno.FileInfo | undefined {
  try {
    return Deno.statSync(path);
  } catch {
    return undefined;
  }
}
