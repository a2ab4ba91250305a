/**
 * The data directory holds the tracker and `.env` with its credentials: only its owner may read
 * them. New directories are made 0700, the tracker 0600; a `.env` others can read gets a warning.
 *
 * @example
 * ```ts
 * makePrivateDir(home);
 * makeTrackerPrivate(`${home}/tracker.db`); // after opening it
 * ```
 * @module
 */
import { ConfigError } from "../plugin/errors.ts";

/**
 * Creates the data directory `dir` (and missing parents) readable only by its owner; an existing one
 * is left as it is. A ConfigError says what to do when it cannot be made.
 */
export function makePrivateDir(dir: string): void {
  try {
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new ConfigError(`cannot create the data directory ${dir} (${(e as Error).message}); set --home`);
  }
}

/**
 * Makes the tracker at `path` and its -wal and -shm files readable by their owner only (0600), also
 * those of an older install. SQLite gives the -wal and -shm files it creates later the database's mode.
 * A file someone else owns is left as it is.
 */
export function makeTrackerPrivate(path: string): void {
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      const mode = Deno.statSync(file).mode;
      if (mode !== null && (mode & 0o077) !== 0) Deno.chmodSync(file, 0o600);
    } catch {
      // Absent (no WAL yet), or not ours to change.
    }
  }
}

/** A warning when the `.env` file at `path` can be read by the group or others; undefined otherwise. */
export function envFileWarning(path: string): string | undefined {
  let mode: number | null;
  try {
    mode = Deno.statSync(path).mode;
  } catch {
    return undefined;
  }
  if (mode === null || (mode & 0o044) === 0) return undefined;
  return `warning: ${path} holds secrets but other users can read it (mode ${
    (mode & 0o777).toString(8)
  }); run: chmod 600 '${path}'`;
}
