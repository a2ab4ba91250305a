/**
 * Flags generated from option declarations, and the way back from parsed flags to option layers.
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "./parser.ts";
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

/** A part a plugin plays in a command, named by the core option that picks the plugin for it. */
export type PluginRole = "source" | "to" | "backup-to";

/**
 * The plugin named for each role (flags > environment > `.env` > defaults), read before parsing so
 * that `--help` can list the options of those plugins only.
 */
export type PluginChoice = Partial<Record<PluginRole, string>>;

/** Which of the plugins' options `--help` lists: those of the plugins chosen for these roles. */
export interface ShownPlugins {
  choice: PluginChoice;
  roles: readonly PluginRole[];
}

/**
 * Adds a flag for each option of these plugins (help text names the environment variables). Only
 * the options of the plugins chosen for `shown.roles` appear in `--help`; the others stay accepted,
 * hidden (a script may pass them), and a line after the options says how to list them.
 */
export function addPluginFlags(cmd: Command, plugins: readonly Plugin[], shown: ShownPlugins): Command {
  const seen = new Set(cmd.options.map((o) => o.long));
  const chosen = chosenIds(shown);
  for (const plugin of plugins) {
    const hidden = !chosen.has(plugin.id);
    for (const spec of plugin.options) {
      const long = `--${flagName(plugin.id, spec)}`;
      if (seen.has(long)) continue;
      seen.add(long);
      if (spec.secret) {
        if (seen.has(`--${secretFileFlag(plugin.id, spec)}`)) continue;
        seen.add(`--${secretFileFlag(plugin.id, spec)}`);
        addSecretFlags(cmd, plugin.id, spec, hidden);
        continue;
      }
      const option = new Option(
        spec.type === "boolean" ? long : `${long} <value>`,
        optionHelp(plugin.id, spec),
      );
      cmd.addOption(hidden ? option.hideHelp() : option);
      const negated = negatedFlag(plugin.id, spec);
      if (negated) cmd.addOption(hidden ? negated.hideHelp() : negated);
    }
  }
  const notListed = notListedHelp(plugins, shown, chosen);
  if (notListed) cmd.addHelpText("after", notListed);
  return cmd;
}

const ROLE_KIND = { source: "source", to: "destination", "backup-to": "destination" } as const;
const ROLE_NAME = { source: "sources", to: "destinations", "backup-to": "backup targets" } as const;

/** Plugin ids the choice names, the way the registry resolves them (`folder` -> `destination.folder`). */
function chosenIds(shown: ShownPlugins): Set<string> {
  const ids = new Set<string>();
  for (const role of shown.roles) {
    const name = shown.choice[role];
    if (name) ids.add(name.includes(".") ? name : `${ROLE_KIND[role]}.${name}`);
  }
  return ids;
}

/** Whether a plugin can play this role: `--to` takes asset destinations, `--backup-to` backup targets. */
function playsRole(plugin: Plugin, role: PluginRole): boolean {
  if (plugin.kind !== ROLE_KIND[role]) return false;
  if (plugin.kind !== "destination" || role === "source") return true;
  return (role === "backup-to" ? plugin.backup : plugin.assets) !== undefined;
}

/** One line per role whose other plugins have options not listed: which they are and how to see them. */
function notListedHelp(plugins: readonly Plugin[], shown: ShownPlugins, chosen: Set<string>): string {
  const lines: string[] = [];
  for (const role of shown.roles) {
    const others = plugins.filter((p) => playsRole(p, role) && !chosen.has(p.id) && p.options.length > 0);
    if (others.length === 0) continue;
    const names = others.map((p) => p.id.slice(p.kind.length + 1)).join(", ");
    const flag = role === "source" ? "--source" : "--to";
    lines.push(
      `Options of the other ${
        ROLE_NAME[role]
      } (${names}) are not listed; run with ${flag} <name> --help to see them.`,
    );
  }
  return lines.length ? `\n${lines.join("\n")}` : "";
}

/**
 * A secret gets `--<flag>-file <path>`; its plain flag stays, hidden from --help, only so that using
 * it is refused with a message that says where the secret goes instead.
 */
function addSecretFlags(cmd: Command, pluginId: string, spec: OptionSpec, hidden: boolean): void {
  cmd.addOption(new Option(`--${flagName(pluginId, spec)} <value>`).hideHelp());
  const file = new Option(
    `--${secretFileFlag(pluginId, spec)} <path>`,
    `${spec.help}, read from this file (${pluginId}; or env ${
      envNames(pluginId, spec).join(" / ")
    }, or <env>_FILE)`,
  );
  cmd.addOption(hidden ? file.hideHelp() : file);
}

/**
 * `--no-<flag>` for a boolean that is not off unless given (unset means "decide", or it defaults to
 * true): there, leaving the flag out is not the same as false. Booleans off by default get none.
 */
function negatedFlag(pluginId: string, spec: OptionSpec): Option | undefined {
  if (spec.type !== "boolean" || spec.default === false) return undefined;
  const flag = flagName(pluginId, spec);
  return new Option(`--no-${flag}`, `turns --${flag} off (env ${envNames(pluginId, spec)[0]}=false)`);
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
      // `--no-x` and `--x` share one value, kept under `x`: false, true or not given.
      const name = option.long?.replace(option.negate ? /^--no-/ : /^--/, "");
      if (!name || value === undefined || name in flags) continue;
      if (Array.isArray(value)) {
        if (value.length > 0) flags[name === "plugin" ? "plugins" : name] = value.join(",");
      } else flags[name] = value as string | boolean;
    }
  }
  return flags;
}

/**
 * A value parser for a count flag: refuses anything but a whole number in the range at parse
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
