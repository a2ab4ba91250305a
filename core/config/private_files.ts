/**
 * The data directory holds the tracker and `.env` with its credentials: only its owner may read
 * them. New directories are made 0700, the tracker 0600; a `.env` others can read gets a warning.
 *
 * @example
 * ```ts
 * await makePrivateDir(home);
 * createPrivateFile(`${home}/tracker.db`); // before SQLite creates it with the umask's mode
 * ```
 * @module
 */

/** Creates `dir` (and missing parents) readable only by its owner; an existing one is left as it is. */
export async function makePrivateDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * Creates `path` empty with mode 0600 unless it exists. SQLite takes a zero-length file as an
 * empty database and gives its -wal and -shm files the same mode.
 */
export function createPrivateFile(path: string): void {
  try {
    Deno.writeFileSync(path, new Uint8Array(), { createNew: true, mode: 0o600 });
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
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
