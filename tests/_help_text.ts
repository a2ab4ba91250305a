/**
 * Generates `core/cli/help_text.json`, the text of `--help` and of every `<command> --help` as the
 * real parser prints it for the built-in plugins and the default configuration, for the fast path
 * of `core/cli/quick_help.ts`. `deno task help-text` rewrites the file; `quick_help_test.ts` fails
 * when it is stale.
 * @module
 */
import { COMMAND_NAMES, runCli } from "../core/cli/mod.ts";
import { readBeforeParsing } from "../core/cli/choice.ts";
import { memoryOutput } from "../core/cli/output.ts";
import type { GeneratedHelp } from "../core/cli/quick_help.ts";
import { BUILTIN_PLUGINS, writeSampleLibrary } from "../plugins/mod.ts";

export const HELP_TEXT_FILE = new URL("../core/cli/help_text.json", import.meta.url);

/** What the full CLI prints on stdout for these arguments (help exits 0, or this throws). */
export async function fullCliStdout(args: string[], env: Record<string, string>): Promise<string> {
  const output = memoryOutput();
  const code = await runCli(args, { plugins: BUILTIN_PLUGINS, writeSampleLibrary, output, env });
  if (code !== 0) {
    throw new Error(`photos-sync ${args.join(" ")} exited ${code}: ${output.stderr.join("\n")}`);
  }
  return output.stdout.join("\n");
}

/**
 * The help of the default configuration (an empty data directory, no environment), generated in a
 * child whose stdout is a pipe: on a terminal the parser would wrap at the terminal's width.
 */
export async function generateHelp(): Promise<GeneratedHelp> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", new URL(import.meta.url).pathname, "--print"],
    stdout: "piped",
    stderr: "inherit",
  });
  const out = await child.output();
  if (!out.success) throw new Error(`generating the help failed (${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

async function helpOfDefaults(): Promise<GeneratedHelp> {
  const home = await Deno.makeTempDir({ prefix: "photos-sync-help-" });
  try {
    const env = { PHOTOS_SYNC_HOME: home };
    const texts: Record<string, string> = { "": await fullCliStdout(["--help"], env) };
    for (const name of COMMAND_NAMES) texts[name] = await fullCliStdout([name, "--help"], env);
    const { chosen } = await readBeforeParsing([], env);
    return { width: 80, chosen, texts };
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--print") console.log(JSON.stringify(await helpOfDefaults()));
  else await Deno.writeTextFile(HELP_TEXT_FILE, JSON.stringify(await generateHelp(), null, 2) + "\n");
}
