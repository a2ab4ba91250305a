/**
 * A background job sees only `<home>/.env` (not the shell that installed it), so `schedule
 * install` checks there that a sync would know what to read and where to send it.
 *
 * @example
 * ```ts
 * checkScheduledConfig({ home, envFile: config.layers.envFile, plugins }); // throws a ConfigError
 * ```
 * @module
 */
import { parseEnvFile } from "../config/env_file.ts";
import { CORE_OPTIONS } from "../config/mod.ts";
import { ConfigError } from "../plugin/errors.ts";
import { type OptionLayers, type OptionSpec, resolveOptions } from "../plugin/options.ts";
import { Registry } from "../plugin/registry.ts";
import type { Plugin } from "../plugin/types.ts";

/** Throws when `.env` names no library (PhotoKit needs none) or not all its destination needs. */
export function checkScheduledConfig(
  options: { home: string; envFile: Record<string, string | undefined>; plugins: readonly Plugin[] },
): void {
  const where = `${options.home}/.env`;
  const layers: OptionLayers = { flags: {}, env: {}, envFile: options.envFile };
  const fail = (what: string) =>
    new ConfigError(
      `the background sync would fail: ${what}. Background jobs read only ${where}, not this shell's ` +
        `environment or flags; put the settings there and install again`,
    );
  const core = resolveOptions("core", CORE_OPTIONS, layers).values;
  if (core.source !== "photokit" && core.library === undefined) {
    throw fail(`${where} names no library; add PHOTOS_SYNC_LIBRARY=/path/to/the/library`);
  }
  const registry = new Registry(options.plugins);
  const destination = registry.destination(String(core.to));
  // A credential store may hold the credentials, so only the other required options must be set.
  const specs: OptionSpec[] = destination.options.map((s) => (s.credential ? { ...s, required: false } : s));
  try {
    resolveOptions(destination.id, specs, layers);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const need = e.message.replace(/^\S+ needs /, "").replace(
      /; set it as a flag, in the environment or in \.env$/,
      "",
    );
    throw fail(`${where} does not hold all that the destination ${core.to} (PHOTOS_SYNC_TO) needs: ${need}`);
  }
}

/** `<home>/.env` as the jobs will read it (empty when absent), whatever `--env-file` says for this run. */
export async function jobsEnvFile(home: string): Promise<Record<string, string>> {
  const path = `${home}/.env`;
  try {
    return parseEnvFile(await Deno.readTextFile(path), path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    throw e;
  }
}
