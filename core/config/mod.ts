/**
 * Configuration: flags > environment > `.env` file > defaults, for the tool's own options and for
 * every plugin's. Secret values are registered with the redactor as soon as they are seen.
 *
 * @example
 * ```ts
 * const config = await loadConfig({ flags: { concurrency: "8" } });
 * config.core.concurrency;                         // 8
 * config.pluginOptions(registry.destination("folder"));
 * ```
 * @module
 */
import {
  BURST_POLICIES,
  DEFAULT_POLICY,
  EDIT_POLICIES,
  HIDDEN_VISIBILITIES,
  type PlanPolicy,
  SHARED_LIBRARY_POLICIES,
} from "../model/policy.ts";
import { ConfigError } from "../plugin/errors.ts";
import {
  type OptionLayers,
  type OptionOrigin,
  type OptionSpec,
  type OptionValues,
  resolveOptions,
  secretValues,
} from "../plugin/options.ts";
import type { Plugin } from "../plugin/types.ts";
import { parseEnvFile } from "./env_file.ts";
import { Redactor } from "./redact.ts";
import { joinPath } from "../model/path.ts";

/** The tool's own options (plugins declare theirs on the plugin). */
export const CORE_OPTIONS = [
  {
    name: "home",
    type: "path",
    help: "data directory (tracker, sidecars, logs, .env); read from flag or environment only",
  },
  { name: "env-file", type: "path", help: "the .env file to read (default: <home>/.env)" },
  {
    name: "source",
    type: "string",
    help: "where assets come from: photokit (macOS), photoslibrary, folder, or a plugin's name",
    default: Deno.build.os === "darwin" ? "photokit" : "photoslibrary",
  },
  {
    name: "library",
    type: "path",
    help: "the .photoslibrary bundle or folder to read (PhotoKit: the system library when unset)",
  },
  { name: "to", type: "string", help: "destination: immich, folder, or a plugin's name", default: "immich" },
  {
    name: "concurrency",
    type: "number",
    help: "most assets processed at once (Immich uploads start at 4 and rise while the server keeps up)",
    default: 8,
    range: [1, 64],
  },
  {
    name: "edited",
    type: "string",
    help: "which versions of an edited asset travel: both (stacked, the edit on top), originals, or edited",
    choices: EDIT_POLICIES,
    default: DEFAULT_POLICY.edited,
  },
  {
    name: "bursts",
    type: "string",
    help: "which burst frames travel: picked (those the library shows) or all",
    choices: BURST_POLICIES,
    default: DEFAULT_POLICY.bursts,
  },
  {
    name: "hidden-visibility",
    type: "string",
    help: "how assets hidden in Photos are shown at the destination: archive, locked, hidden or timeline",
    choices: HIDDEN_VISIBILITIES,
    default: DEFAULT_POLICY.hidden,
  },
  {
    name: "shared-library",
    type: "string",
    help: "assets of the iCloud Shared Library: tag (on the timeline, tagged with who added them) or skip",
    choices: SHARED_LIBRARY_POLICIES,
    default: DEFAULT_POLICY.sharedLibrary,
  },
  { name: "plugins", type: "list", help: "third-party plugin files to load (comma-separated)" },
  {
    name: "serve-token",
    type: "string",
    secret: true,
    help: "token `serve` requires on every request; needed to listen on anything but loopback",
  },
  {
    name: "backup-immich-path",
    type: "path",
    help: "Immich's upload location, backed up by `backup`",
    env: ["BACKUP_IMMICH_PATH"],
  },
  {
    name: "backup-stats-interval",
    type: "number",
    help: "seconds between backup progress updates and heartbeats; a run silent for 3 times this is stalled",
    default: 60,
    env: ["BACKUP_STATS_INTERVAL"],
  },
  {
    name: "backup-max-retries",
    type: "number",
    help: "attempts per backup job",
    default: 3,
    env: ["BACKUP_MAX_RETRIES"],
  },
  {
    name: "backup-to",
    type: "string",
    help: "backup destination: b2, glacier, or a plugin's name",
    default: "b2",
    env: ["BACKUP_TO"],
    flag: "to",
  },
  {
    name: "backup-retention-days",
    type: "number",
    help: "days replaced and deleted files are kept in the backup's archive areas (0: forever)",
    default: 90,
    env: ["BACKUP_RETENTION_DAYS"],
  },
  {
    name: "backup-credentials",
    type: "string",
    help: "where backup credentials come from",
    default: "1password",
    choices: ["1password", "keychain", "env"],
    env: ["BACKUP_CREDENTIALS"],
  },
  {
    name: "backup-op-vault",
    type: "string",
    help: "1Password vault of the backup credentials",
    default: "Private",
    env: ["BACKUP_OP_VAULT"],
  },
  {
    name: "backup-op-item",
    type: "string",
    help:
      "1Password item (and Keychain service) of the backup credentials (default: Immich Backup <Destination>)",
    env: ["BACKUP_OP_ITEM"],
  },
] as const satisfies readonly OptionSpec[];

/** The run's plan policy from the resolved core options. */
export function policyOf(core: OptionValues): PlanPolicy {
  return {
    edited: (core.edited as PlanPolicy["edited"] | undefined) ?? DEFAULT_POLICY.edited,
    bursts: (core.bursts as PlanPolicy["bursts"] | undefined) ?? DEFAULT_POLICY.bursts,
    hidden: (core["hidden-visibility"] as PlanPolicy["hidden"] | undefined) ?? DEFAULT_POLICY.hidden,
    sharedLibrary: (core["shared-library"] as PlanPolicy["sharedLibrary"] | undefined) ??
      DEFAULT_POLICY.sharedLibrary,
  };
}

export interface Config {
  /** The data directory; created on first use. */
  home: string;
  /** The .env file consulted (it may not exist). */
  envFile: string;
  core: OptionValues;
  origins: Record<string, OptionOrigin>;
  layers: OptionLayers;
  redactor: Redactor;
  /** Resolves a plugin's options from the same layers. */
  pluginOptions(plugin: Plugin): OptionValues;
  /** Registers every secret these plugins could receive, so no output can show it. */
  guardSecrets(plugins: readonly Plugin[]): void;
}

/**
 * Default data directory for this OS (a missing HOME counts as empty: `loadConfig` first fills it
 * in from the OS's user database).
 */
export function defaultHome(env: Record<string, string | undefined>): string {
  const home = env.HOME ?? "";
  if (home.trim() === "") {
    throw new ConfigError(
      "HOME is empty, so there is no data directory to use; set HOME, PHOTOS_SYNC_HOME or --home to a folder",
    );
  }
  if (Deno.build.os === "darwin") return joinPath(home, "Library", "Application Support", "photos-sync");
  return joinPath(env.XDG_DATA_HOME || joinPath(home, ".local", "share"), "photos-sync");
}

export interface LoadConfigOptions {
  /** Flag values keyed by flag name (without dashes). */
  flags?: Record<string, string | boolean | undefined>;
  /** Defaults to the process environment. */
  env?: Record<string, string | undefined>;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const flags = options.flags ?? {};
  const env = options.env ?? Deno.env.toObject();
  const home = String(
    flags["home"] ?? env.PHOTOS_SYNC_HOME ?? defaultHome({ ...env, HOME: await userHome(env) }),
  );
  if (home.trim() === "") throw emptyHomeError(flags["home"] !== undefined ? "--home" : "PHOTOS_SYNC_HOME");
  // Synchronous, as the rest of start-up: an asynchronous call costs a hop to Deno's blocking threads.
  if (isFile(home)) {
    throw new ConfigError(`the data directory ${home} is a file, not a folder; set --home to a folder`);
  }
  const envFile = String(flags["env-file"] ?? env.PHOTOS_SYNC_ENV_FILE ?? joinPath(home, ".env"));
  let fileValues: Record<string, string> = {};
  try {
    fileValues = parseEnvFile(Deno.readTextFileSync(envFile), envFile);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError(
        `${envFile} cannot be read (${(e as Error).message}); fix its permissions or remove it`,
      );
    }
    if (flags["env-file"] !== undefined || env.PHOTOS_SYNC_ENV_FILE !== undefined) {
      throw new ConfigError(`the .env file ${envFile} does not exist; check the path`);
    }
  }
  const layers: OptionLayers = { flags, env, envFile: fileValues };
  const { values: core, origins } = resolveOptions("core", CORE_OPTIONS, layers);
  core.home = home;
  const redactor = new Redactor();
  for (const value of secretValues("core", CORE_OPTIONS, layers)) redactor.add(value);
  return {
    home,
    envFile,
    core,
    origins,
    layers,
    redactor,
    pluginOptions(plugin) {
      registerSecrets(plugin, layers, redactor);
      // A required credential may still come from the credential store: the session refuses it
      // once the store was read (Session.openBackupTarget and openAssetDestination).
      const specs = plugin.options.map((s) => (s.credential && s.required ? { ...s, required: false } : s));
      return resolveOptions(plugin.id, specs, layers).values;
    },
    guardSecrets(plugins) {
      for (const plugin of plugins) registerSecrets(plugin, layers, redactor);
    },
  };
}

/**
 * HOME, or where the OS says the user's home is when the environment has no HOME (`node:os` is
 * loaded only then: it costs every start-up a few milliseconds).
 */
async function userHome(env: Record<string, string | undefined>): Promise<string> {
  return env.HOME ?? (await import("node:os")).homedir();
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** An empty data directory would put the tracker at `/tracker.db` or in the current folder. */
function emptyHomeError(setBy: string): ConfigError {
  return new ConfigError(
    `${setBy} is empty; give the data directory as a path (or leave ${setBy} unset for the default)`,
  );
}

/** Refuses secrets given as flags or too short to mask, before anything is written or printed. */
function registerSecrets(plugin: Plugin, layers: OptionLayers, redactor: Redactor): void {
  for (const value of secretValues(plugin.id, plugin.options, layers)) redactor.add(value);
}
