/**
 * The command line: one file per command, registered here. Exit codes: 0 success, 1 failure,
 * 2 usage or configuration error.
 *
 * @example
 * ```ts
 * Deno.exit(await runCli(Deno.args, { plugins: BUILTIN_PLUGINS, writeSampleLibrary }));
 * ```
 * @module
 */
import { Command, ParserExit } from "./parser.ts";
import { errorKind, messageOf } from "../plugin/errors.ts";
import type { Plugin } from "../plugin/types.ts";
import { type CliDeps, type CommandContext, ExitCode, VERSION } from "./command_context.ts";
import { LockedError } from "../tracker/mod.ts";
import { consoleOutput } from "./output.ts";
import { readBeforeParsing } from "./choice.ts";
import type { Redactor } from "../config/redact.ts";
import { StopSignals } from "./stop_signals.ts";
import type { PluginChoice } from "./flags.ts";
import { type LazyModule, loadModule } from "../lazy.ts";

export type { CliDeps } from "./command_context.ts";

type Register = (program: Command, ctx: CommandContext) => void;

/**
 * Every command, in the order --help lists them: the module that registers it and the function it
 * exports for that. A run loads the one command it names (an import never loads backup, server or
 * schedule code), --help all. Not `import("./status.ts")`: `deno run` reads ahead the whole graph of
 * every literal import in what it loads, every command's on every run (core/lazy.ts, core/bundle.ts).
 */
const COMMANDS: Record<string, readonly [LazyModule, string]> = {
  status: ["core/cli/status.ts", "registerStatus"],
  scan: ["core/cli/scan.ts", "registerScan"],
  import: ["core/cli/import.ts", "registerImport"],
  sync: ["core/cli/sync.ts", "registerSync"],
  reclassify: ["core/cli/reclassify.ts", "registerReclassify"],
  cleanup: ["core/cli/cleanup.ts", "registerCleanup"],
  archive: ["core/cli/archive.ts", "registerArchive"],
  unarchive: ["core/cli/round_trip.ts", "registerUnarchive"],
  pull: ["core/cli/round_trip.ts", "registerPull"],
  forget: ["core/cli/forget.ts", "registerForget"],
  review: ["core/cli/review.ts", "registerReview"],
  backup: ["core/cli/backup.ts", "registerBackup"],
  serve: ["core/cli/serve.ts", "registerServe"],
  schedule: ["core/cli/schedule.ts", "registerSchedule"],
  demo: ["core/cli/demo.ts", "registerDemo"],
};

/** Loads a command's module and finds its registering function. */
async function loadCommand(name: string): Promise<Register> {
  const [path, exported] = COMMANDS[name];
  const register = (await loadModule(path) as Record<string, unknown>)[exported];
  if (typeof register !== "function") throw new Error(`${path} exports no ${exported}`);
  return register as Register;
}

/** The commands' names, in the order --help lists them. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** Global options that take a value, so the value is not taken for the command's name. */
const VALUED_GLOBALS = ["--home", "--env-file", "--plugin"];

/** The command the raw arguments name, if they name one; else (help, a typo) undefined. */
export function namedCommand(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") return undefined;
    if (VALUED_GLOBALS.includes(arg)) i++;
    else if (!arg.startsWith("-")) return Object.hasOwn(COMMANDS, arg) ? arg : undefined;
  }
  return undefined;
}

export async function runCli(args: string[], deps: CliDeps): Promise<number> {
  let redactor: Redactor | undefined;
  const output = deps.output ?? consoleOutput(() => redactor);
  const stops = new StopSignals(output);
  try {
    // Third-party plugins are loaded before parsing, so their flags exist for the parser and --help.
    const { plugins, chosen } = await beforeParsing(args, deps);
    const ctx: CommandContext = {
      deps: { ...deps, plugins },
      output,
      setRedactor: (r) => (redactor = r),
      stops,
      chosen,
    };
    await (await buildProgram(ctx, namedCommand(args))).parseAsync(args);
    return stops.received ? stops.report() : 0;
  } catch (e) {
    // Whatever a stopped command threw on its way out (the abort itself, mostly), it was interrupted.
    if (stops.received) return stops.report();
    if (e instanceof ExitCode) return e.code;
    // Help and version exit 0, usage errors 2; the parser has printed what there was to say.
    if (e instanceof ParserExit) return e.exitCode;
    if (e instanceof LockedError) {
      output.err(`photos-sync: ${e.message}`);
      return 1;
    }
    const kind = errorKind(e);
    output.err(`photos-sync: ${messageOf(e)}`);
    if (Deno.env.get("PHOTOS_SYNC_DEBUG") && e instanceof Error && e.stack) output.err(e.stack);
    return kind === "config" ? 2 : 1;
  }
}

/** The program with the command `only` (all commands without it). */
export async function buildProgram(ctx: CommandContext, only?: string): Promise<Command> {
  const program = new Command("photos-sync")
    .description("Moves an Apple Photos library into Immich, faithfully, and keeps it in sync")
    .version(VERSION)
    .option("--home <dir>", "data directory (default: $PHOTOS_SYNC_HOME or the OS data folder)")
    .option("--env-file <file>", "the .env file to read (default: <home>/.env)")
    .option("--plugin <file>", "load a third-party plugin file (repeatable)", collect, [])
    .option("-v, --verbose", "debug logging on stderr")
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput(ctx.output);
  const names = only ? [only] : Object.keys(COMMANDS);
  // Loaded side by side, registered in order.
  for (const register of await Promise.all(names.map(loadCommand))) register(program, ctx);
  return program;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * Built-ins plus the plugin files named by `--plugin` or PHOTOS_SYNC_PLUGINS, checked by a registry;
 * and the source, destination and backup target the command line or configuration names.
 */
async function beforeParsing(
  args: string[],
  deps: CliDeps,
): Promise<{ plugins: readonly Plugin[]; chosen: PluginChoice }> {
  const { pluginFiles, chosen } = await readBeforeParsing(args, deps.env);
  if (pluginFiles.length === 0) return { plugins: deps.plugins, chosen };
  // The plugin registry, loaded the same way: only runs with third-party plugins load it.
  const { buildRegistry } = await loadModule("core/cli/session.ts");
  return { plugins: (await buildRegistry(deps.plugins, pluginFiles)).all(), chosen };
}
