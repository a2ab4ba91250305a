/**
 * What the CLI reads before it parses: the configuration the raw arguments point at, the plugin
 * files to load and the plugins chosen for each role. Light on purpose (no parser, no plugin): the
 * full CLI and the `--help` fast path (`quick_help.ts`) both start here.
 * @module
 */
import { type Config, loadConfig } from "../config/mod.ts";
import type { PluginChoice } from "./flags.ts";

/** The value(s) of a global flag in raw arguments (`--x v` or `--x=v`), before parsing. */
export function rawFlag(args: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--") break;
    if (args[i] === `--${name}` && i + 1 < args.length) values.push(args[++i]);
    else if (args[i].startsWith(`--${name}=`)) values.push(args[i].slice(name.length + 3));
  }
  return values;
}

export interface BeforeParsing {
  config: Config;
  /** Third-party plugin files named by `--plugin` or PHOTOS_SYNC_PLUGINS. */
  pluginFiles: string[];
  /** The source, destination and backup target the command line or configuration names. */
  chosen: PluginChoice;
}

/** The configuration the raw arguments name (flags > environment > `.env` > defaults). */
export async function readBeforeParsing(
  args: string[],
  env: Record<string, string | undefined> | undefined,
): Promise<BeforeParsing> {
  const files = rawFlag(args, "plugin");
  const config = await loadConfig({
    env,
    flags: {
      home: rawFlag(args, "home").at(-1),
      "env-file": rawFlag(args, "env-file").at(-1),
      plugins: files.length ? files.join(",") : undefined,
      // `--to` names the destination, and for `backup` the backup target (both options read it).
      source: rawFlag(args, "source").at(-1),
      to: rawFlag(args, "to").at(-1),
    },
  });
  const { source, to, "backup-to": backupTo } = config.core;
  const chosen = { source: String(source), to: String(to), "backup-to": String(backupTo) };
  const pluginFiles = (config.core.plugins as string[] | undefined) ?? [];
  return { config, pluginFiles, chosen };
}
