/**
 * The command-line parser: commands, options and their help, no more than the commands use. It
 * replaced `commander` (its module graph, Node built-ins included, cost every run that parses);
 * parsing, help text, error messages and exit codes follow commander 14's, so scripts and the
 * generated help (`help_text.json`) saw no change. Usage errors exit 2, `--help` and `--version` 0.
 *
 * Options are parsed the way commander parses them: a parent takes its own options wherever they
 * come (`import --home x` sets the global `--home`), and passes what it does not know on to the
 * command named by the first plain word. Left out because no command uses them: positional
 * arguments, aliases, choices, options read from the environment, required or
 * conflicting options. The help layout is in `parser_help.ts`, an option's flags in `parser_option.ts`.
 *
 * @example
 * ```ts
 * import { Command, ParserExit } from "./parser.ts";
 *
 * const program = new Command("tool").version("1.0.0").option("-v, --verbose", "say more");
 * program.command("hello").option("--name <who>", "whom to greet", "world")
 *   .action((opts) => console.log(`hello ${opts.name}`));
 * try {
 *   await program.parseAsync(["hello", "--name", "you"]);
 * } catch (e) {
 *   if (!(e instanceof ParserExit)) throw e;
 * }
 * ```
 * @module
 */
import { formatHelp, HELP_FLAGS, listedOptions, suggestion } from "./parser_help.ts";
import { Option, type ValueParser } from "./parser_option.ts";

export { Option };

/** Thrown when parsing ends the run: 0 after help or the version, 2 after a usage error. */
export class ParserExit extends Error {
  constructor(readonly exitCode: 0 | 2, message: string) {
    super(message);
    this.name = "ParserExit";
  }
}

/** Thrown by an option's value parser: the value is refused with this message. */
export class InvalidArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidArgumentError";
  }
}

/** Where help and errors go, a line (or block of lines) at a time, without a trailing newline. */
export interface ParserOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Parsed option values by attribute name (`--dry-run` -> `dryRun`). */
export type OptionValues = Record<string, unknown>;

type Action = (opts: OptionValues, command: Command) => void | Promise<void>;
type Hook = (hooked: Command, actionCommand: Command) => void | Promise<void>;

/** Looks like an option (`-x`, `--name`), not a value; a lone `-` is a value. */
const maybeOption = (arg: string) => arg.length > 1 && arg[0] === "-";
/** Negative numbers pass as values where an option could follow (no option here is `-<digit>`). */
const negativeNumber = (arg: string) => /^-(\d+|\d*\.\d+)(e[+-]?\d+)?$/.test(arg);

/** A command: its options, subcommands or action, and its help. The root is the program. */
export class Command {
  readonly options: Option[] = [];
  readonly commands: Command[] = [];
  parent: Command | null = null;
  #description = "";
  #version?: string;
  #action?: Action;
  readonly #preAction: Hook[] = [];
  readonly #helpAfter: string[] = [];
  readonly #values: OptionValues = {};
  // Settings of the root, which every command reaches through its ancestors.
  #output: ParserOutput = {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
  };
  #helpAfterError?: string;

  readonly #name: string;

  constructor(name = "") {
    this.#name = name;
  }

  name(): string {
    return this.#name;
  }

  description(text: string): this {
    this.#description = text;
    return this;
  }

  /** The description, as help shows it. */
  get about(): string {
    return this.#description;
  }

  /** Adds `-V, --version`, which prints this and exits 0. */
  version(version: string): this {
    this.#version = version;
    return this.addOption(new Option("-V, --version", "output the version number"));
  }

  /**
   * Adds an option; the third argument is its value parser (then the fourth its default) or its
   * default.
   */
  option(flags: string, description?: string, parseOrDefault?: unknown, dflt?: unknown): this {
    const option = new Option(flags, description);
    if (typeof parseOrDefault === "function") {
      option.parseArg = parseOrDefault as ValueParser;
      option.defaultValue = dflt;
    } else option.defaultValue = parseOrDefault;
    return this.addOption(option);
  }

  addOption(option: Option): this {
    const taken = this.options.find((o) =>
      (option.short && o.is(option.short)) || (option.long && o.is(option.long))
    );
    if (taken) throw new Error(`option '${option.flags}' of '${this.#name}' clashes with '${taken.flags}'`);
    this.options.push(option);
    if (option.defaultValue !== undefined) this.#values[option.attributeName()] = option.defaultValue;
    return this;
  }

  /** Adds and returns a subcommand. */
  command(name: string): Command {
    if (this.commands.some((c) => c.#name === name)) throw new Error(`command '${name}' added twice`);
    const command = new Command(name);
    command.parent = this;
    this.commands.push(command);
    return command;
  }

  /**
   * What the command does, given its option values and itself. The values are not checked against
   * `Flags`: the command declares there the shape its options give them.
   */
  action<Flags = OptionValues>(fn: (opts: Flags, command: Command) => void | Promise<void>): this {
    this.#action = fn as unknown as Action;
    return this;
  }

  /** Runs before the action of this command (or of a subcommand), after parsing succeeded. */
  hook(_event: "preAction", fn: Hook): this {
    this.#preAction.push(fn);
    return this;
  }

  /** Text printed after the generated help, as it is. */
  addHelpText(_position: "after", text: string): this {
    this.#helpAfter.push(text);
    return this;
  }

  /** Where help and errors are written (root only). */
  configureOutput(output: ParserOutput): this {
    this.#output = output;
    return this;
  }

  /** A line printed after every usage error (root only). */
  showHelpAfterError(text: string): this {
    this.#helpAfterError = text;
    return this;
  }

  /** This command's option values (given or default). */
  opts(): OptionValues {
    return this.#values;
  }

  /** This command's option values and its ancestors' (an ancestor's value wins), of the shape `Flags`. */
  optsWithGlobals<Flags = OptionValues>(): Flags {
    return this.#lineage().reduce((all, c) => Object.assign(all, c.#values), {} as OptionValues) as Flags;
  }

  /** Parses the arguments (without the program name) and runs the action they name. */
  async parseAsync(args: readonly string[]): Promise<void> {
    await this.#parse([], [...args]);
  }

  /** The help text, wrapped at `width` columns (without the text added by `addHelpText`). */
  helpInformation(width = 80): string {
    return formatHelp(this, width);
  }

  /** This command, then its parent, up to the root. */
  #lineage(): Command[] {
    return this.parent ? [this, ...this.parent.#lineage()] : [this];
  }

  get #root(): Command {
    return this.#lineage().at(-1)!;
  }

  #findCommand(name: string | undefined): Command | undefined {
    return this.commands.find((c) => c.#name === name);
  }

  #findOption(arg: string): Option | undefined {
    return this.options.find((o) => o.is(arg));
  }

  /** Only passes on to its subcommands (then it also has the `help [command]` command). */
  get #dispatches(): boolean {
    return this.commands.length > 0 && !this.#action;
  }

  /**
   * Commander's order: own options out, then a subcommand if one is named, help if asked for,
   * unknown options and stray words refused, the hooks and the action.
   */
  async #parse(operands: string[], rest: string[]): Promise<void> {
    const parsed = this.#parseOptions(rest);
    operands = [...operands, ...parsed.operands];
    const unknown = parsed.unknown;
    const sub = this.#findCommand(operands[0]);
    if (sub) return sub.#parse(operands.slice(1), unknown);
    if (this.#dispatches && operands[0] === "help") return this.#helpCommand(operands[1]);
    if (this.#dispatches && operands.length === 0 && unknown.length === 0) this.#help(true);
    if (unknown.some((arg) => HELP_FLAGS.includes(arg))) this.#help(false);
    if (this.#dispatches) {
      if (operands.length > 0) this.#unknownCommand(operands[0]);
      if (unknown.length > 0) this.#unknownOption(unknown[0]);
      this.#help(true);
    }
    if (unknown.length > 0) this.#unknownOption(unknown[0]);
    if (operands.length > 0) {
      this.#fail(
        `too many arguments${this.parent ? ` for '${this.#name}'` : ""}. ` +
          `Expected 0 arguments but got ${operands.length}.`,
      );
    }
    for (const c of this.#lineage().reverse()) for (const hook of c.#preAction) await hook(c, this);
    await this.#action?.(this.#values, this);
  }

  /** Takes this command's options out of `args`; the rest are operands and, from the first unknown option on, unknown. */
  #parseOptions(args: string[]): { operands: string[]; unknown: string[] } {
    const operands: string[] = [];
    const unknown: string[] = [];
    let dest = operands;
    let variadic: Option | undefined;
    let group: string | undefined; // what is left of `-abc` once `-a` is taken
    let i = 0;
    while (i < args.length || group) {
      const arg = group ?? args[i++];
      group = undefined;
      if (arg === "--") {
        if (dest === unknown) dest.push(arg);
        dest.push(...args.slice(i));
        break;
      }
      if (variadic && (!maybeOption(arg) || negativeNumber(arg))) {
        this.#set(variadic, arg);
        continue;
      }
      variadic = undefined;
      const option = maybeOption(arg) ? this.#findOption(arg) : undefined;
      if (option) {
        if (option.required) {
          if (i >= args.length) this.#fail(`option '${option.flags}' argument missing`);
          this.#set(option, args[i++]);
        } else if (option.optional && i < args.length && (!maybeOption(args[i]) || negativeNumber(args[i]))) {
          this.#set(option, args[i++]);
        } else this.#set(option, null);
        if (option.variadic) variadic = option;
        continue;
      }
      if (arg.length > 2 && arg[0] === "-" && arg[1] !== "-") {
        const first = this.#findOption(arg.slice(0, 2));
        if (first) {
          if (first.takesValue) this.#set(first, arg.slice(2)); // `-xVALUE`
          else {
            this.#set(first, null);
            group = `-${arg.slice(2)}`;
          }
          continue;
        }
      }
      const equals = /^--[^=]+=/.test(arg) ? arg.indexOf("=") : -1;
      const withValue = equals > 0 ? this.#findOption(arg.slice(0, equals)) : undefined;
      if (withValue?.takesValue) {
        this.#set(withValue, arg.slice(equals + 1));
        continue;
      }
      // Unknown here: it and everything after it may be a subcommand's.
      if (dest === operands && maybeOption(arg) && !(this.commands.length === 0 && negativeNumber(arg))) {
        dest = unknown;
      }
      dest.push(arg);
    }
    return { operands, unknown };
  }

  /** Records a value (`null`: the option was given without one). */
  #set(option: Option, value: string | null): void {
    if (option.long === "--version" && this.#version !== undefined) {
      this.#root.#output.out(this.#version);
      throw new ParserExit(0, "version");
    }
    const key = option.attributeName();
    const previous = this.#values[key];
    let parsed: unknown = value;
    if (value !== null && option.parseArg) {
      try {
        parsed = option.parseArg(value, previous);
      } catch (e) {
        if (!(e instanceof InvalidArgumentError)) throw e;
        this.#fail(`option '${option.flags}' argument '${value}' is invalid. ${e.message}`);
      }
    } else if (value !== null && option.variadic) {
      parsed = Array.isArray(previous) && previous !== option.defaultValue ? [...previous, value] : [value];
    }
    this.#values[key] = parsed ?? (option.required ? "" : !option.negate);
  }

  /** `help` alone is this command's help; `help <name>` that subcommand's. */
  #helpCommand(name: string | undefined): never {
    if (name === undefined) this.#help(false);
    const sub = this.#findCommand(name);
    if (!sub) this.#help(true);
    return sub.#help(false);
  }

  /** Prints the help: asked for, on stdout, exit 0; as the answer to a mistake, on stderr, exit 2. */
  #help(asError: boolean): never {
    const output = this.#root.#output;
    const write = (text: string) => asError ? output.err(text) : output.out(text);
    const width = terminalWidth(asError ? Deno.stderr : Deno.stdout);
    write(formatHelp(this, width).replace(/\n$/, ""));
    for (const text of this.#helpAfter) write(text);
    throw new ParserExit(asError ? 2 : 0, "help");
  }

  #unknownCommand(name: string): never {
    const names = [...this.commands.map((c) => c.#name), ...(this.#dispatches ? ["help"] : [])];
    this.#fail(`unknown command '${name}'${suggestion(name, names)}`);
  }

  #unknownOption(flag: string): never {
    // The options of this command and its ancestors that help lists are the candidates.
    const longs = this.#lineage().flatMap((
      c,
    ) => [...listedOptions(c).flatMap((o) => o.long ?? []), "--help"]);
    this.#fail(`unknown option '${flag}'${flag.startsWith("--") ? suggestion(flag, longs) : ""}`);
  }

  #fail(message: string): never {
    const root = this.#root;
    root.#output.err(`error: ${message}`);
    if (root.#helpAfterError) root.#output.err(root.#helpAfterError);
    throw new ParserExit(2, message);
  }
}

/** Help wraps at the terminal's width, at 80 columns when the text does not go to a terminal. */
function terminalWidth(stream: { isTerminal(): boolean }): number {
  if (!stream.isTerminal()) return 80;
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 80;
  }
}
