/**
 * Later commands remember the last import: its source, library, destination and their non-secret
 * options are kept in the tracker, and a command run later without them gets them as defaults.
 * Flags, the environment and `.env` still win; secrets are never kept.
 * @module
 */
import { type Config, CORE_OPTIONS } from "../config/mod.ts";
import { resolvePath } from "../model/path.ts";
import { envNames, type OptionSpec, type OptionValue, resolveOptions } from "../plugin/options.ts";
import type { Plugin } from "../plugin/types.ts";

/** The core options a run is pointed with. */
const POINTING = new Set(["source", "library", "to"]);
/** The name under which the destination's tracker key is kept. */
export const DESTINATION_KEY = "destination-key";
/** The name under which the source's tracker key (its asset id namespace, e.g. `photos`) is kept. */
export const SOURCE_KEY = "source-key";
/** The name under which what the key was opened with is kept (see {@link destinationFingerprint}). */
export const DESTINATION_FINGERPRINT = "destination-fingerprint";

/** Options that may be kept: never secrets, nor what a credential store may fill. */
function keepable(specs: readonly OptionSpec[]): OptionSpec[] {
  return specs.filter((s) => !s.secret && !s.credential);
}

function stored(spec: OptionSpec, value: OptionValue): string {
  if (Array.isArray(value)) return value.join(",");
  return spec.type === "path" ? resolvePath(String(value)) : String(value);
}

/** The options of one plugin (or core) that a user set, by environment-variable name; no secrets. */
function setOptions(config: Config, pluginId: string, specs: readonly OptionSpec[], only?: Set<string>) {
  const kept = keepable(specs).filter((s) => !only || only.has(s.name));
  const { values, origins } = resolveOptions(pluginId, kept, config.layers);
  const out: Record<string, string> = {};
  for (const spec of kept) {
    const value = values[spec.name];
    if (value === undefined || origins[spec.name] === "default") continue;
    out[envNames(pluginId, spec)[0]] = stored(spec, value);
  }
  return out;
}

/** What this run points at: the source, library, destination and their options (no secrets). */
export function pointing(config: Config, source: Plugin, destination: Plugin): Record<string, string> {
  return {
    ...setOptions(config, "core", CORE_OPTIONS as readonly OptionSpec[], POINTING),
    ...setOptions(config, source.id, source.options),
    ...setOptions(config, destination.id, destination.options),
  };
}

/** Identifies a destination and its non-secret options, so a remembered key is used only for it. */
export function destinationFingerprint(config: Config, destination: Plugin): string | undefined {
  const kept = keepable(destination.options);
  try {
    const { values } = resolveOptions(destination.id, kept, config.layers);
    const named = kept.map((s) => [s.name, values[s.name] === undefined ? null : stored(s, values[s.name]!)]);
    return JSON.stringify([destination.id, named]);
  } catch {
    // A required option is missing: opening the destination will say which.
    return undefined;
  }
}

/**
 * Adds what the last import ran with below the `.env` file (so everything the user sets still
 * wins) and resolves the core options again.
 */
export function applyRemembered(config: Config, values: Record<string, string>): void {
  const envFile = config.layers.envFile;
  for (const [name, value] of Object.entries(values)) {
    if (name.startsWith("PHOTOS_SYNC_") && envFile[name] === undefined) envFile[name] = value;
  }
  const { values: core, origins } = resolveOptions("core", CORE_OPTIONS, config.layers);
  Object.assign(config.core, core, { home: config.home });
  Object.assign(config.origins, origins);
}
