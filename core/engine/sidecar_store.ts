/**
 * The sidecar store: a content-addressed copy of every sidecar the engine exports (adjustment
 * data, adjustment bases, other sidecars), under `<data directory>/sidecars/<2 hex>/<sha1>`.
 * Destinations such as Immich cannot hold an `.AAE` or a Cinematic clip's base video; the store
 * keeps them with the tracker, so they are backed up with the data directory and a restore can
 * find them by the SHA-1 the tracker records for each asset and key.
 *
 * Writes are atomic (a temporary name in the same folder, renamed once its SHA-1 matched); a file
 * already stored under its SHA-1 is not copied again.
 *
 * @example
 * ```ts
 * const store = new SidecarStore(joinPath(home, "sidecars"));
 * for (const key of sidecarKeys(plan)) await store.put(files.find((f) => f.key === key)!);
 * ```
 * @module
 */
import { dirName, joinPath } from "../model/path.ts";
import type { Plan } from "../model/plan.ts";
import { FatalError, RetryableError } from "../plugin/errors.ts";
import { hashFile } from "./hash.ts";

/**
 * The planned resources that belong in the store: adjustment data, adjustment bases and sidecars,
 * and whatever a handler related as `sidecar_of` another resource.
 */
export function sidecarKeys(plan: Plan): string[] {
  const related = new Set(plan.relations.filter((r) => r.type === "sidecar_of").map((r) => r.from));
  return plan.resources.filter((r) =>
    r.role === "adjustment" || r.role === "adjustment_base" || r.role === "sidecar" || related.has(r.key)
  ).map((r) => r.key);
}

export class SidecarStore {
  constructor(readonly root: string) {}

  /** Where the content with this SHA-1 is (or would be) kept. */
  pathOf(sha1: string): string {
    if (!/^[0-9a-f]{40}$/.test(sha1)) throw new Error(`not a SHA-1: ${sha1}`);
    return joinPath(this.root, sha1.slice(0, 2), sha1);
  }

  /**
   * Stores the file at `path` whose content hashes to `sha1`. Resolves true when it was copied,
   * false when the store already had it.
   */
  async put(file: { path: string; sha1: string; size: number }): Promise<boolean> {
    const target = this.pathOf(file.sha1);
    const there = await Deno.stat(target).catch(() => undefined);
    if (there?.isFile && there.size === file.size) return false;
    const partial = joinPath(dirName(target), `.${file.sha1}.partial-${crypto.randomUUID().slice(0, 8)}`);
    try {
      await Deno.mkdir(dirName(target), { recursive: true });
      await Deno.copyFile(file.path, partial);
      const copied = await hashFile(partial);
      if (copied.sha1 !== file.sha1) {
        throw new RetryableError(
          `the copy of ${file.path} in the sidecar store does not match what was exported ` +
            `(the file changed while being read?); it will be tried again`,
        );
      }
      await Deno.rename(partial, target);
      return true;
    } catch (e) {
      await Deno.remove(partial).catch(() => {});
      if (e instanceof Deno.errors.PermissionDenied || (e as { code?: string }).code === "ENOSPC") {
        throw new FatalError(
          `cannot write to the sidecar store ${this.root}: ${(e as Error).message}; ` +
            `free space or fix the data directory's permissions`,
        );
      }
      throw e;
    }
  }
}
