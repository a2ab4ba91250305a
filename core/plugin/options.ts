/**
 * Options declared as data. One declaration gives the command-line flag, the environment variable,
 * the `--help` line and the docs/configuration.md table, so the four can never disagree.
 *
 * @example
 * ```ts
 * const options = [
 *   { name: "url", help: "Immich server URL", type: "string", required: true, env: ["IMMICH_URL"] },
 *   { name: "api-key", help: "Immich API key", type: "string", required: true, secret: true },
 * ] as const satisfies OptionSpec[];
 * ```
 * @module
 */
import { ConfigError } from "./errors.ts";

/**
 * The shortest secret accepted. Masking a shorter one would garble ordinary text (a key "ab" would
 * turn every "ab" of every message into `***`), so {@link checkSecretLength} refuses those with a message.
 * Here rather than in the config's redactor so the contract imports nothing of the host.
 */
export const MIN_SECRET_LENGTH = 8;

export type OptionType = "string" | "number" | "boolean" | "path" | "list";
export type OptionValue = string | number | boolean | string[];

export interface OptionSpec {
  /** kebab-case, unique within its plugin. */
  name: string;
  help: string;
  type: OptionType;
  /**
   * A boolean without one has three states: not given (undefined: the plugin decides), true and
   * false; the CLI then also accepts `--no-<flag>` for false, as for a boolean that defaults to true.
   */
  default?: OptionValue;
  required?: boolean;
  /**
   * Never printed, logged, stored or passed in process arguments. Read from the environment, `.env`,
   * a file (`<ENV>_FILE`, `--<flag>-file`) or a credential store; given as a flag it is refused.
   */
  secret?: boolean;
  /**
   * May come from the credential store the user chose (1Password, Keychain) when no flag or
   * environment variable sets it; its field there is the option name with `_` for `-`.
   */
  credential?: boolean;
  /** Allowed values for a string option. */
  choices?: readonly string[];
  /** The smallest and largest whole number a number option accepts (both inclusive). */
  range?: readonly [number, number];
  /**
   * Extra environment variable names read before the derived one (e.g. the predecessor's
   * `IMMICH_URL`). The derived name is always accepted too.
   */
  env?: readonly string[];
  /** Overrides the derived flag name (without the leading dashes). */
  flag?: string;
}

/** Resolved values, keyed by option name. */
export type OptionValues = Record<string, OptionValue | undefined>;

/** The value type one declaration resolves to: a string option with choices to their union. */
type ValueOf<S extends OptionSpec> = S["type"] extends "number" ? number
  : S["type"] extends "boolean" ? boolean
  : S["type"] extends "list" ? string[]
  : S extends { choices: readonly (infer C extends string)[] } ? C
  : string;

/** Declarations the host always gives a value: required ones (it refuses to open without) and defaulted ones. */
type Given<S extends OptionSpec> = S extends { required: true } | { default: OptionValue } ? S["name"]
  : never;

/**
 * The values a plugin receives for these declarations, parsed and checked by the host (type,
 * choices, range, required) before `open`: a plugin checks none of them again.
 *
 * @example
 * ```ts
 * const OPTIONS = [
 *   { name: "path", type: "path", required: true, help: "root folder" },
 *   { name: "depth", type: "number", default: 2, range: [1, 9], help: "levels of folders" },
 *   { name: "label", type: "string", help: "optional label" },
 * ] as const satisfies readonly OptionSpec[];
 * const values: OptionsOf<typeof OPTIONS> = { path: "/srv/photos", depth: 2 };
 * values.label?.toUpperCase();
 * ```
 */
export type OptionsOf<Specs extends readonly OptionSpec[]> =
  & { [S in Specs[number] as Given<S>]: ValueOf<S> }
  & { [S in Specs[number] as Exclude<S["name"], Given<S>>]?: ValueOf<S> };

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

export function checkOptionSpec(owner: string, spec: OptionSpec): void {
  if (!NAME.test(spec.name)) throw new Error(`${owner}: option name "${spec.name}" must be kebab-case`);
  if (!spec.help) throw new Error(`${owner}: option "${spec.name}" needs help text`);
  if (spec.choices && spec.type !== "string") {
    throw new Error(`${owner}: option "${spec.name}" has choices but is not a string`);
  }
  if (spec.default !== undefined) parseOptionValue(spec, spec.default, `${owner} default`);
}

/** `destination.immich` + `api-key` -> `PHOTOS_SYNC_IMMICH_API_KEY`. */
export function derivedEnvName(pluginId: string, spec: OptionSpec): string {
  const short = pluginId === "core" ? "" : `${pluginId.split(".").at(-1)}_`;
  return `PHOTOS_SYNC_${short}${spec.name}`.toUpperCase().replaceAll("-", "_");
}

/** Every environment variable that sets this option, in the order they are consulted. */
export function envNames(pluginId: string, spec: OptionSpec): string[] {
  return [derivedEnvName(pluginId, spec), ...(spec.env ?? [])];
}

/** `destination.immich` + `api-key` -> `immich-api-key`. */
export function flagName(pluginId: string, spec: OptionSpec): string {
  if (spec.flag) return spec.flag;
  return pluginId === "core" ? spec.name : `${pluginId.split(".").at(-1)}-${spec.name}`;
}

/** `destination.immich` + `api-key` -> `immich-api-key-file`: names a file that holds the secret. */
export function secretFileFlag(pluginId: string, spec: OptionSpec): string {
  return `${flagName(pluginId, spec)}-file`;
}

/** A secret given as a flag: `ps` shows it to every user and the shell keeps it in its history. */
function secretFlagRefused(pluginId: string, spec: OptionSpec): ConfigError {
  const env = envNames(pluginId, spec).at(-1)!;
  return new ConfigError(
    `--${flagName(pluginId, spec)} would show the secret in \`ps\` and your shell history, so it is not ` +
      `accepted; set ${env} in the environment or in .env in the data directory, or put it in a file ` +
      `readable only by you and name it with ${env}_FILE or --${secretFileFlag(pluginId, spec)}` +
      (spec.credential ? ", or keep it in the credential store (--backup-credentials)" : ""),
  );
}

/** Refuses a secret too short to mask: masking "ab" would turn every "ab" of every message into `***`. */
function checkSecretLength(spec: OptionSpec, value: string, where: string): void {
  if (value.length >= MIN_SECRET_LENGTH) return;
  throw new ConfigError(
    `${where}: ${spec.name} is ${value.length} characters long; a secret needs at least ` +
      `${MIN_SECRET_LENGTH} so it can be masked in messages without masking ordinary words; use the full key or a longer password`,
  );
}

/** The contents of a file named by `where` (a flag or variable), without its final line break. */
function readSecretFile(path: string, where: string): string {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (e) {
    throw new ConfigError(
      `${where} names ${path}, which cannot be read (${(e as Error).message}); fix the path`,
    );
  }
  const value = text.replace(/\r?\n$/, "");
  if (value === "") throw new ConfigError(`${where} names ${path}, which is empty; put the secret in it`);
  return value;
}

interface Found {
  raw: OptionValue;
  where: string;
  origin: OptionOrigin;
}

const given = (v: string | undefined): v is string => v !== undefined && v !== "";

/** A value from one layer of variables: the variable itself, or for a secret, the file `<NAME>_FILE` names. */
function fromVariables(
  spec: OptionSpec,
  names: readonly string[],
  layer: Record<string, string | undefined>,
  origin: OptionOrigin,
): Found | undefined {
  const direct = names.find((n) => given(layer[n]));
  if (direct) return { raw: layer[direct]!, where: direct, origin };
  const file = spec.secret ? names.map((n) => `${n}_FILE`).find((n) => given(layer[n])) : undefined;
  return file ? { raw: readSecretFile(layer[file]!, file), where: layer[file]!, origin } : undefined;
}

/** Where one option's value comes from: flags > environment > `.env` file > defaults. */
function findValue(pluginId: string, spec: OptionSpec, layers: OptionLayers): Found | undefined {
  const flag = layers.flags[flagName(pluginId, spec)];
  const names = envNames(pluginId, spec);
  if (spec.secret) {
    if (flag !== undefined) throw secretFlagRefused(pluginId, spec);
    const file = layers.flags[secretFileFlag(pluginId, spec)];
    if (typeof file === "string") {
      const where = `--${secretFileFlag(pluginId, spec)}`;
      return { raw: readSecretFile(file, where), where: file, origin: "flag" };
    }
  } else if (flag !== undefined) return { raw: flag, where: pluginId, origin: "flag" };
  const found = fromVariables(spec, names, layers.env, "env") ??
    fromVariables(spec, names, layers.envFile, "env-file");
  if (found) return found;
  return spec.default !== undefined ? { raw: spec.default, where: pluginId, origin: "default" } : undefined;
}

/**
 * Every secret value these options are given, from any layer (files read), each long enough to
 * mask; throws when a secret comes as a flag. For registering with the redactor before any output.
 */
export function secretValues(pluginId: string, specs: readonly OptionSpec[], layers: OptionLayers): string[] {
  const out: string[] = [];
  for (const spec of specs) {
    if (!spec.secret) continue;
    const found = findValue(pluginId, spec, layers);
    if (found === undefined || found.origin === "default") continue;
    checkSecretLength(spec, String(found.raw), found.where);
    out.push(String(found.raw));
    // Values that lost to another layer are masked too: an old key in .env must not show either.
    for (const name of envNames(pluginId, spec)) {
      out.push(...[layers.env[name], layers.envFile[name]].filter(given));
    }
  }
  return out;
}

/** Converts a raw value (string from env/flag, or a typed default) into the option's type. */
export function parseOptionValue(spec: OptionSpec, raw: OptionValue, where: string): OptionValue {
  const bad = (what: string) =>
    new ConfigError(
      `${where}: ${spec.name} must be ${what}, got ${spec.secret ? "(hidden)" : JSON.stringify(raw)}`,
    );
  switch (spec.type) {
    case "number": {
      const n = typeof raw === "number" ? raw : Number(String(raw).trim());
      if (String(raw).trim() === "" || !Number.isFinite(n)) throw bad("a number");
      if (spec.range && !(Number.isInteger(n) && n >= spec.range[0] && n <= spec.range[1])) {
        throw bad(`a whole number from ${spec.range[0]} to ${spec.range[1]}`);
      }
      return n;
    }
    case "boolean": {
      if (typeof raw === "boolean") return raw;
      const s = String(raw).trim().toLowerCase();
      if (["1", "true", "yes", "on"].includes(s)) return true;
      if (["0", "false", "no", "off", ""].includes(s)) return false;
      throw bad("true or false");
    }
    case "list":
      return Array.isArray(raw) ? raw : String(raw).split(",").map((s) => s.trim()).filter(Boolean);
    case "path": {
      // Shells expand `~` only at the start of a word, so `--library=~/x` and .env values arrive raw.
      const s = String(raw);
      const home = Deno.env.get("HOME");
      return home && (s === "~" || s.startsWith("~/")) ? home + s.slice(1) : s;
    }
    case "string": {
      const s = String(raw);
      if (spec.choices && !spec.choices.includes(s)) throw bad(`one of ${spec.choices.join(", ")}`);
      if (spec.secret) checkSecretLength(spec, s, where);
      return s;
    }
  }
}

/**
 * The values the host would give a plugin for these declarations when only `given` is set: each
 * parsed, defaults filled in, a missing required one refused. For callers that open a plugin
 * themselves (tests, other plugins); the CLI resolves flags, environment and `.env` instead.
 *
 * @example
 * ```ts
 * const OPTIONS = [
 *   { name: "url", type: "string", required: true, help: "server" },
 *   { name: "timeout", type: "number", default: 60, help: "seconds" },
 * ] as const satisfies readonly OptionSpec[];
 * optionValues("destination.nas", OPTIONS, { url: "http://nas" }); // { url: "http://nas", timeout: 60 }
 * ```
 */
export function optionValues<Specs extends readonly OptionSpec[]>(
  pluginId: string,
  specs: Specs,
  given: Partial<OptionsOf<Specs>>,
): OptionsOf<Specs> {
  const raw = given as OptionValues;
  const values: OptionValues = {};
  const missing = specs.filter((s) => s.required && raw[s.name] === undefined).map((s) => s.name);
  if (missing.length > 0) throw new ConfigError(`${pluginId} needs ${missing.join(", ")}`);
  for (const spec of specs) {
    const value = raw[spec.name] ?? spec.default;
    if (value !== undefined) values[spec.name] = parseOptionValue(spec, value, pluginId);
  }
  return values as OptionsOf<Specs>;
}

/** Where each value came from, for `--help`-style explanations and tests. */
export type OptionOrigin = "flag" | "env" | "env-file" | "default";

export interface OptionLayers {
  /** Values given as flags, keyed by flag name. */
  flags: Record<string, string | boolean | undefined>;
  /** The process environment. */
  env: Record<string, string | undefined>;
  /** Values from the `.env` file. */
  envFile: Record<string, string | undefined>;
}

/** `--folder-path or PHOTOS_SYNC_FOLDER_PATH`; a secret's file flag or variables instead of its flag. */
function howToSet(pluginId: string, spec: OptionSpec): string {
  const names = envNames(pluginId, spec).join(" / ");
  return spec.secret
    ? `${names}, or a file named by --${secretFileFlag(pluginId, spec)}`
    : `--${flagName(pluginId, spec)} or ${names}`;
}

/**
 * Resolves one plugin's options: flags > environment > `.env` file > defaults.
 * Throws a ConfigError naming every missing required option and where it can be set.
 */
export function resolveOptions(
  pluginId: string,
  specs: readonly OptionSpec[],
  layers: OptionLayers,
): { values: OptionValues; origins: Record<string, OptionOrigin> } {
  const values: OptionValues = {};
  const origins: Record<string, OptionOrigin> = {};
  const missing: string[] = [];
  for (const spec of specs) {
    const found = findValue(pluginId, spec, layers);
    if (found === undefined) {
      if (spec.required) missing.push(`${spec.name} (${howToSet(pluginId, spec)})`);
      continue;
    }
    origins[spec.name] = found.origin;
    values[spec.name] = parseOptionValue(spec, found.raw, spec.secret ? found.where : pluginId);
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `${pluginId} needs ${missing.join(", ")}; set it as a flag, in the environment or in .env`,
    );
  }
  return { values, origins };
}
