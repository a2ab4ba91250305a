/**
 * What every command handler is given, in a file of its own: the commands import it and `mod.ts`
 * imports the commands, so keeping it in `mod.ts` made every command part of one import cycle.
 *
 * @example
 * ```ts
 * import type { Command } from "./parser.ts";
 * import type { CommandContext } from "./command_context.ts";
 *
 * export function registerHello(program: Command, ctx: CommandContext): void {
 *   program.command("hello").action(() => ctx.output.out("hello"));
 * }
 * ```
 * @module
 */
import type { Redactor } from "../config/redact.ts";
import type { Plugin } from "../plugin/types.ts";
import type { PluginChoice } from "./flags.ts";
import type { Output } from "./output.ts";
import type { StopSignals } from "./stop_signals.ts";

export const VERSION = "0.1.0";

/** Writes the demo's sample Photos library (the caller passes it, so the CLI needs no plugin import). */
export type SampleWriter = (
  dir: string,
  options?: { assets?: number },
) => Promise<{ path: string; assets: number }>;

export interface CliDeps {
  plugins: readonly Plugin[];
  writeSampleLibrary: SampleWriter;
  output?: Output;
  env?: Record<string, string | undefined>;
}

/** Shared by every command handler: how to reach output, plugins and the environment. */
export interface CommandContext {
  deps: CliDeps;
  output: Output;
  /** Set once a command has loaded its config, so late errors are redacted too. */
  setRedactor(r: Redactor): void;
  /** SIGINT and SIGTERM, for the long commands that listen to them. */
  stops: StopSignals;
  /** The plugins the command line (or the configuration) names, so --help lists only their options. */
  chosen: PluginChoice;
}

/** Exit code for a command that ran but had failures (assets failed, a job failed). */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}
