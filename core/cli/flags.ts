/**
 * Flags generated from option declarations, and the way back from parsed flags to option layers.
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "commander";
import { CORE_OPTIONS } from "../config/mod.ts";
import { envNames, flagName, type OptionSpec, secretFileFlag } from "../plugin/options.ts";
import type { Plugin } from "../plugin/types.ts";

type CoreName = typeof CORE_OPTIONS[number]["name"];

/** Adds the named core options (`--source`, `--to`, ...) as flags. */
export function addCoreFlags(cmd: Command, names: readonly CoreName[]): Command {
  for (const name of names) {
    const spec: OptionSpec = CORE_OPTIONS.find((o) => o.name === name)!;
    cmd.addOption(new Option(`--${name} <value>`, optionHelp("core", spec)));
  }
  return cmd;
}

/** Adds a flag for each option of these plugins (help text names the environment variables). */
export function addPluginFlags(cmd: Command, plugins: readonly Plugin[]): Command {
  const seen = new Set(cmd.options.map((o) => o.long));
  for (const plugin of plugins) {
    for (const spec of plugin.options) {
      const long = `--${flagName(plugin.id, spec)}`;
      if (seen.has(long)) continue;
      seen.add(long);
      if (spec.secret) {
        if (seen.has(`--${secretFileFlag(plugin.id, spec)}`)) continue;
        seen.add(`--${secretFileFlag(plugin.id, spec)}`);
        addSecretFlags(cmd, plugin.id, spec);
        continue;
      }
      cmd.addOption(
        new Option(spec.type === "boolean" ? long : `${long} <value>`, optionHelp(plugin.id, spec)),
      );
    }
  }
  return cmd;
}

/**
 * A secret gets `--<flag>-file <path>`; its plain flag stays, hidden from --help, only so that using
 * it is refused with a message that says where the secret goes instead.
 */
function addSecretFlags(cmd: Command, pluginId: string, spec: OptionSpec): void {
  cmd.addOption(new Option(`--${flagName(pluginId, spec)} <value>`).hideHelp());
  cmd.addOption(
    new Option(
      `--${secretFileFlag(pluginId, spec)} <path>`,
      `${spec.help}, read from this file (${pluginId}; or env ${
        envNames(pluginId, spec).join(" / ")
      }, or <env>_FILE)`,
    ),
  );
}

function optionHelp(pluginId: string, spec: OptionSpec): string {
  const env = envNames(pluginId, spec);
  const dflt = spec.default !== undefined && !spec.secret ? `, default ${JSON.stringify(spec.default)}` : "";
  return `${spec.help} (${pluginId}; env ${env.join(" / ")}${dflt})`;
}

/**
 * Every flag given to this command and its parents, keyed by flag name (`--folder-path` ->
 * `folder-path`), which is how options are resolved.
 */
export function flagValues(cmd: Command): Record<string, string | boolean | undefined> {
  const flags: Record<string, string | boolean | undefined> = {};
  for (let c: Command | null = cmd; c; c = c.parent) {
    const values = c.opts();
    for (const option of c.options) {
      const value = values[option.attributeName()];
      const name = option.long?.replace(/^--/, "");
      if (!name || value === undefined || name in flags) continue;
      if (Array.isArray(value)) {
        if (value.length > 0) flags[name === "plugin" ? "plugins" : name] = value.join(",");
      } else flags[name] = value as string | boolean;
    }
  }
  return flags;
}

/**
 * A commander parser for a count flag: refuses anything but a whole number in the range at parse
 * time, before a data directory or tracker is touched (`--limit 0` once meant "no limit").
 */
export function countFlag(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => string {
  return (value) => {
    const n = Number(value.trim());
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
      throw new InvalidArgumentError(`give a whole number ${range}; leave the flag out for no limit.`);
    }
    return value;
  };
}
