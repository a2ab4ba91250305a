/** Runs the real CLI (`deno run -A main.ts`) as a separate process, the way a user does. */
import { networkEnv } from "./_child_env.ts";

export const MAIN = new URL("../main.ts", import.meta.url).pathname;
/**
 * `deno run` without Deno's own diagnostics: on a fresh cache its "Download https://..." lines would
 * come before photos-sync's first line on stderr.
 */
export const RUN_MAIN = ["run", "--quiet", "-A", MAIN];

/** What a child CLI runs with: only `env`, plus PATH, HOME, the network variables, no colour and UTC. */
export function cliEnv(env: Record<string, string> = {}): Record<string, string> {
  return {
    ...networkEnv(),
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
    NO_COLOR: "1",
    TZ: "UTC",
    ...env,
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs photos-sync with an environment made only of `env` plus PATH, HOME and the network variables. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...RUN_MAIN, ...args],
    env: cliEnv(env),
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

/**
 * Starts photos-sync without waiting for it (for kill and lock tests). Its standard error is piped;
 * so is its standard output with `{ stdout: "piped" }` (default: discarded).
 */
export function spawnCli(
  args: string[],
  env: Record<string, string> = {},
  options: { stdout?: "piped" | "null" } = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [...RUN_MAIN, ...args],
    env: cliEnv(env),
    clearEnv: true,
    stdout: options.stdout ?? "null",
    stderr: "piped",
  }).spawn();
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-e2e-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Every file below `dir`, as paths relative to it, sorted. */
export async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listFiles(`${dir}/${e.name}`, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** The arguments that point a command at a data directory, a library and a folder destination. */
export function folderRun(home: string, library: string, dest: string): string[] {
  return ["--home", home, "--library", library, "--to", "folder", "--folder-path", dest];
}
