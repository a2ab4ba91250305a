/**
 * Options declared as data. One declaration gives the command-line flag, the environment variable,
 * the `--help` line and the README table, so the four can never disagree.
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

export type OptionType = "string" | "number" | "boolean" | "path" | "list";
export type OptionValue = string | number | boolean | string[];

export interface OptionSpec {
  /** kebab-case, unique within its plugin. */
  name: string;
  help: string;
  type: OptionType;
  default?: OptionValue;
  required?: boolean;
  /** Never printed, logged, stored or passed in process arguments. */
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
      return s;
    }
  }
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
    const flag = layers.flags[flagName(pluginId, spec)];
    const names = envNames(pluginId, spec);
    const fromEnv = names.map((n) => layers.env[n]).find((v) => v !== undefined && v !== "");
    const fromFile = names.map((n) => layers.envFile[n]).find((v) => v !== undefined && v !== "");
    let raw: OptionValue | undefined;
    if (flag !== undefined) [raw, origins[spec.name]] = [flag, "flag"];
    else if (fromEnv !== undefined) [raw, origins[spec.name]] = [fromEnv, "env"];
    else if (fromFile !== undefined) [raw, origins[spec.name]] = [fromFile, "env-file"];
    else if (spec.default !== undefined) [raw, origins[spec.name]] = [spec.default, "default"];
    if (raw === undefined) {
      if (spec.required) missing.push(`${spec.name} (--${flagName(pluginId, spec)} or ${names.join(" / ")})`);
      continue;
    }
    values[spec.name] = parseOptionValue(spec, raw, pluginId);
  }
  if (missing.length > 0) {
    throw new ConfigError(
      `${pluginId} needs ${missing.join(", ")}; set it as a flag, in the environment or in .env`,
    );
  }
  return { values, origins };
}
