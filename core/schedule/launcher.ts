/**
 * The program the background jobs start. A compiled photos-sync is its own stable binary. Under
 * `deno run`, `Deno.execPath()` is often a copy of Deno inside a cache (`npx deno` keeps it under
 * `~/.npm/_npx/<hash>/`), gone when that cache is cleared; so the jobs start a small launcher in
 * the data directory instead, which looks for Deno anew on every start.
 *
 * @example
 * ```ts
 * const { program, launcher } = jobProgram(home);
 * if (launcher) await writeLauncher(launcher);
 * scheduledJobs({ program, home });
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface Launcher {
  path: string;
  content: string;
}

/**
 * V8's heap sized for a streaming tool: a young generation of 1 MB is collected often, so the
 * buffers of finished uploads are freed within a few files instead of piling up to V8's default
 * (16 MB and more per semi-space); the old generation may grow by half before the next full
 * collection instead of V8's up to fourfold, since an import's live heap stays near 15 MB while
 * what a busy upload promotes and drops piles up; pages a collection frees go back to the system
 * at once instead of waiting in V8's pool for 8 s, which held up to 12 MB while a large library was
 * listed (docs/benchmarks.md has the figures). The `compile` task of `deno.json` bakes the same
 * flags into the binary (a test holds the two together).
 */
export const V8_FLAGS = "--max-semi-space-size=1,--heap-growing-percent=50,--memory-pool-timeout=0";

/** `'it'\''s'`: one word for sh, whatever it holds. */
function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Where the launcher lives: `<home>/bin/photos-sync`. */
export function launcherPath(home: string): string {
  return join(home, "bin", "photos-sync");
}

/**
 * A POSIX sh script that runs `main` under the first Deno it finds: the one that installed the
 * jobs while it still exists, then `deno` on PATH, then Deno `denoVersion` fetched by npx.
 */
export function launcherScript(options: { main: string; deno: string; denoVersion: string }): string {
  const run = `run -A --v8-flags=${V8_FLAGS} "$main" "$@"`;
  return [
    "#!/bin/sh",
    "# Starts photos-sync for its background jobs; written by `photos-sync schedule install`.",
    "# Deno is looked for on every start, so clearing a cache or upgrading Deno does not break the jobs.",
    `main=${shQuote(options.main)}`,
    `deno=${shQuote(options.deno)}`,
    `if [ -x "$deno" ]; then exec "$deno" ${run}; fi`,
    `if command -v deno >/dev/null 2>&1; then exec deno ${run}; fi`,
    `if command -v npx >/dev/null 2>&1; then exec npx --yes ${
      shQuote(`deno@${options.denoVersion}`)
    } ${run}; fi`,
    `echo "photos-sync: no Deno found: install it (https://deno.com) or put it on the PATH in $0, then run again" >&2`,
    "exit 127",
    "",
  ].join("\n");
}

/** The command line of the jobs, and the launcher to write first when there is one. */
export function jobProgram(home: string): { program: string[]; launcher?: Launcher } {
  if (Deno.build.standalone) return { program: [Deno.execPath()] };
  const path = launcherPath(home);
  const content = launcherScript({
    main: fileURLToPath(Deno.mainModule),
    deno: Deno.execPath(),
    denoVersion: Deno.version.deno,
  });
  return { program: [path], launcher: { path, content } };
}

/** Writes the launcher, executable by its owner only (it sits in the private data directory). */
export async function writeLauncher(launcher: Launcher): Promise<void> {
  await Deno.mkdir(dirname(launcher.path), { recursive: true, mode: 0o700 });
  await Deno.writeTextFile(launcher.path, launcher.content, { mode: 0o700 });
  await Deno.chmod(launcher.path, 0o700);
}
