/**
 * One option of `parser.ts`: its flags, whether it takes a value, its default, its value parser.
 * @module
 */

/** Turns the text given for an option into its value; `previous` is the value so far. */
export type ValueParser = (value: string, previous: unknown) => unknown;

/**
 * One option, from flags such as `-v, --verbose`, `--home <dir>` (a value), `--verify [source]`
 * (a value that may be left out: then `true`), `--uuid <id...>` (every following plain word) or
 * `--no-color` (sets `color` to false). Unlike commander's, a `--no-x` implies no default `true`:
 * it is declared next to `--x`, where commander's has none either, for a setting with three states.
 */
export class Option {
  readonly short?: string;
  readonly long?: string;
  /** Takes a value that must be there. */
  readonly required: boolean;
  /** Takes a value that may be left out. */
  readonly optional: boolean;
  readonly variadic: boolean;
  /** `--no-x`: sets `x` to false. */
  readonly negate: boolean;
  defaultValue: unknown = undefined;
  parseArg?: ValueParser;
  hidden = false;

  constructor(readonly flags: string, readonly description = "") {
    const parts = flags.split(/[ |,]+/);
    if (/^-[^-]$/.test(parts[0])) this.short = parts.shift();
    if (/^--[^-]/.test(parts[0] ?? "")) this.long = parts.shift();
    if (!this.short && !this.long) throw new Error(`option flags "${flags}" name no -x or --name`);
    this.required = flags.includes("<");
    this.optional = flags.includes("[");
    this.variadic = /\w\.\.\.[>\]]$/.test(flags);
    this.negate = this.long?.startsWith("--no-") ?? false;
  }

  /** The value when the option is not given (listed in help for options that take a value). */
  default(value: unknown): this {
    this.defaultValue = value;
    return this;
  }

  /** Accepted, but not listed in help. */
  hideHelp(): this {
    this.hidden = true;
    return this;
  }

  /** The key of the parsed value: the long name in camel case (`--dry-run` -> `dryRun`, `--no-x` -> `x`). */
  attributeName(): string {
    const name = (this.long ?? this.short!).replace(this.negate ? /^--no-/ : /^-+/, "");
    return name.replace(/-(.)/g, (_, c: string) => c.toUpperCase());
  }

  is(arg: string): boolean {
    return arg === this.short || arg === this.long;
  }

  get takesValue(): boolean {
    return this.required || this.optional;
  }
}
