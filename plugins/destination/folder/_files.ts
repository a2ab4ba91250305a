/**
 * The folder destination's writes: every file is made under a temporary name, checked, and only
 * then renamed to its own, so a name never holds half a file.
 * @module
 */
import { baseName, dirName, joinPath } from "../../../core/model/path.ts";
import { hashFile } from "../../../core/engine/hash.ts";
import { FatalError, PermanentError } from "../../../core/plugin/errors.ts";
import { partialName, partialPrefix } from "./_names.ts";
import { sha1Hex } from "./_sha1.ts";

/** The SHA-1 of the file at `path`, or undefined when there is none. */
export async function existingSha1(path: string): Promise<string | undefined> {
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
  const prefixes = [partialPrefix(baseName(target)), `${baseName(target)}.partial-`];
  try {
    for await (const entry of Deno.readDir(dirName(target))) {
      if (prefixes.some((p) => entry.name.startsWith(p))) {
        await Deno.remove(joinPath(dirName(target), entry.name)).catch(() => {});
      }
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
}

/**
 * Makes `to` with what `fill` writes to a temporary file beside it, once its SHA-1 is `sha1`.
 * A full disk or a refused write stops the run (every later file would fail the same way).
 */
async function placeVerified(
  to: string,
  sha1: string,
  what: string,
  fill: (partial: string) => Promise<void>,
): Promise<void> {
  await Deno.mkdir(dirName(to), { recursive: true });
  await removeLeftovers(to);
  const partial = joinPath(dirName(to), partialName(baseName(to)));
  try {
    await fill(partial);
    if ((await hashFile(partial)).sha1 !== sha1) {
      throw new PermanentError(`${what} to ${to} does not match the source (disk or source changing?)`);
    }
    await Deno.rename(partial, to);
  } catch (e) {
    await Deno.remove(partial).catch(() => {});
    if (e instanceof Deno.errors.PermissionDenied || (e as { code?: string }).code === "ENOSPC") {
      throw new FatalError(
        `cannot write to ${dirName(to)}: ${(e as Error).message}; free space or fix permissions`,
      );
    }
    throw e;
  }
}

/** Copies `from` to `to`, verified against the source's SHA-1. */
export function copyVerified(from: string, to: string, sha1: string): Promise<void> {
  return placeVerified(to, sha1, `copy of ${from}`, (partial) => Deno.copyFile(from, partial));
}

/**
 * Writes `text` to `to`, verified. It replaces a file already at `to`: callers only write where
 * nothing is, or where the file is their own earlier version of the same text's subject.
 */
export function writeTextVerified(to: string, text: string): Promise<void> {
  const sha1 = sha1Hex(text);
  return placeVerified(to, sha1, "text written", (partial) => Deno.writeTextFile(partial, text));
}
