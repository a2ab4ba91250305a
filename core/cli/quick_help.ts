/**
 * `--help`, `<command> --help` and `--version` without loading the parser, the commands or the
 * plugins (`--help` lists every command, so it would load them all): for help, the text the real
 * parser prints for the built-in plugins, generated into `help_text.json` by `deno task help-text`
 * (`tests/quick_help_test.ts` fails when it is stale). Whenever the text could differ (third-party
 * plugins, another source or destination chosen, a terminal of another width, a configuration
 * error to report) this answers nothing and the full CLI prints it.
 * @module
 */
import { readBeforeParsing } from "./choice.ts";
import { VERSION } from "./command_context.ts";
import type { PluginChoice } from "./flags.ts";

/** The generated help: for which choice of plugins and width, and the text of each key. */
export interface GeneratedHelp {
  /** The parser wraps at the terminal's width, 80 columns when stdout is not a terminal. */
  width: number;
  chosen: PluginChoice;
  /** `""` for `photos-sync --help`, a command's name for `<command> --help`. */
  texts: Record<string, string>;
}

/** Loaded only when the arguments ask for help, so that no other command pays for the text. */
async function loadGenerated(): Promise<GeneratedHelp> {
  return (await import("./help_text.json", { with: { type: "json" } })).default;
}

/** Global flags that change where the configuration is read, never the text of the help. */
const PLACE_FLAGS = ["--home", "--env-file"];

/** The arguments without `--home` and `--env-file` and their values; undefined when a value is missing. */
function withoutPlaceFlags(args: string[]): string[] | undefined {
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (PLACE_FLAGS.includes(args[i])) {
      if (++i >= args.length) return undefined; // the parser reports the missing value
    } else if (!PLACE_FLAGS.some((flag) => args[i].startsWith(`${flag}=`))) rest.push(args[i]);
  }
  return rest;
}

/**
 * Which help the raw arguments ask for and nothing else: `""`, a command's name, or undefined.
 * `--home` and `--env-file` may come anywhere (the configuration they name is read all the same).
 */
export function helpKey(args: string[]): string | undefined {
  const rest = withoutPlaceFlags(args);
  if (rest === undefined) return undefined;
  const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h";
  if (rest.length === 1 && isHelp(rest[0])) return "";
  if (rest.length === 2 && isHelp(rest[1]) && !rest[0].startsWith("-")) return rest[0];
  return undefined;
}

export interface QuickHelpOptions {
  /** Defaults to the process environment. */
  env?: Record<string, string | undefined>;
  /** The terminal's width; null when stdout is not a terminal (default: this process's stdout). */
  columns?: number | null;
  load?: () => Promise<GeneratedHelp>;
}

/** The width the parser wraps help at in this process, if stdout is a terminal. */
function terminalColumns(): number | null {
  return Deno.stdout.isTerminal() ? Deno.consoleSize().columns : null;
}

/** The help these arguments ask for, when the generated text is what the full CLI would print. */
export async function quickHelp(
  args: string[],
  { env, columns = terminalColumns(), load = loadGenerated }: QuickHelpOptions = {},
): Promise<string | undefined> {
  const key = helpKey(args);
  if (key === undefined) return undefined;
  const help = await load();
  if (!Object.hasOwn(help.texts, key)) return undefined;
  if (columns !== null && columns !== help.width) return undefined;
  let before;
  try {
    before = await readBeforeParsing(args, env);
  } catch {
    return undefined; // the full CLI reports the configuration error, the way it always does
  }
  if (before.pluginFiles.length > 0) return undefined;
  const roles = Object.keys({ ...help.chosen, ...before.chosen }) as (keyof PluginChoice)[];
  if (roles.some((role) => help.chosen[role] !== before.chosen[role])) return undefined;
  return help.texts[key];
}

/**
 * The version, when the arguments ask for it alone (`--version` or `-V`, with `--home` or `--env-file`)
 * and the full CLI would print it: the configuration reads without error and names no plugin file.
 */
export async function quickVersion(
  args: string[],
  { env }: Pick<QuickHelpOptions, "env"> = {},
): Promise<string | undefined> {
  const rest = withoutPlaceFlags(args);
  if (rest?.length !== 1 || (rest[0] !== "--version" && rest[0] !== "-V")) return undefined;
  try {
    if ((await readBeforeParsing(args, env)).pluginFiles.length > 0) return undefined;
  } catch {
    return undefined; // the full CLI reports the configuration error
  }
  return VERSION;
}
