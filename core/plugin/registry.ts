/**
 * The one registry of plugins. Built-ins are passed in explicitly (see `plugins/mod.ts`);
 * third-party plugins arrive through the loader. Nothing registers itself by being imported.
 *
 * @example
 * ```ts
 * const registry = new Registry([folderDestination, livePhotoHandler]);
 * registry.destination("destination.folder");
 * ```
 * @module
 */
import { checkOptionSpec, flagName } from "./options.ts";
import {
  type AssetCapability,
  type BackupCapability,
  type DestinationPlugin,
  type HandlerPlugin,
  type Plugin,
  PLUGIN_API_VERSION,
  type PluginKind,
  type SourceCapability,
  type SourcePlugin,
} from "./types.ts";
import { ConfigError } from "./errors.ts";

const ID = /^(source|handler|destination)\.[a-z][a-z0-9_]*$/;

const SOURCE_CAPABILITIES: readonly SourceCapability[] = [
  "download",
  "delete",
  "write",
  "history",
  "listAlbums",
];
const ASSET_CAPABILITIES: readonly AssetCapability[] = [
  "check",
  "update",
  "presence",
  "stack",
  "remove",
  "read",
  "changes",
  "albums",
  "removeAlbums",
  "people",
  "verify",
  "cold",
];
const BACKUP_CAPABILITIES: readonly BackupCapability[] = ["check", "warmup"];

/** What a session must have whatever it declares, per kind of session. */
const REQUIRED = {
  source: ["list", "export", "close"],
  assets: ["put", "close"],
  backup: ["prepareBackup", "backupTree", "restoreTree", "verifyTree", "archives", "pruneArchive", "close"],
} as const;

/** The session methods of a capability that is more than the one method of its name. */
const METHODS_OF: Readonly<Record<string, readonly string[]>> = {
  cold: ["coldState", "estimateRestore", "requestRestore", "fetchCold"],
};

/** The kinds of session the host opens: a source, or a destination in one of its roles. */
export type SessionKind = keyof typeof REQUIRED;

/**
 * Checks the shape of something that claims to be a plugin; returns every problem found
 * (empty when it is fine). `where` names it in messages (a file path or "built-in").
 */
export function validatePlugin(candidate: unknown, where: string): string[] {
  const problems: string[] = [];
  if (typeof candidate !== "object" || candidate === null) {
    return [`${where}: a plugin must be an object (the module's default export), got ${typeof candidate}`];
  }
  const p = candidate as Record<string, unknown>;
  const id = typeof p.id === "string" ? p.id : "(no id)";
  const name = `${where} ${id}`;
  if (!["source", "handler", "destination"].includes(p.kind as string)) {
    problems.push(
      `${name}: kind must be "source", "handler" or "destination", got ${JSON.stringify(p.kind)}`,
    );
  }
  if (typeof p.id !== "string" || !ID.test(p.id)) {
    problems.push(`${name}: id must look like "<kind>.<name>" in lower case, e.g. "destination.s3"`);
  } else if (p.id.split(".")[0] !== p.kind) {
    problems.push(`${name}: id must start with its kind "${p.kind}."`);
  }
  if (p.apiVersion !== PLUGIN_API_VERSION) {
    problems.push(
      `${name}: built for plugin API version ${JSON.stringify(p.apiVersion)}, ` +
        `but this photos-sync speaks version ${PLUGIN_API_VERSION}; use a release of the plugin made for it`,
    );
  }
  for (const field of ["version", "description"]) {
    if (typeof p[field] !== "string" || p[field] === "") {
      problems.push(`${name}: ${field} must be a non-empty string`);
    }
  }
  if (!Array.isArray(p.options)) problems.push(`${name}: options must be an array (may be empty)`);
  else {
    for (const spec of p.options) {
      try {
        checkOptionSpec(id, spec);
      } catch (e) {
        problems.push(`${name}: ${(e as Error).message}`);
      }
    }
  }
  const fn = (key: string) => {
    if (typeof p[key] !== "function") problems.push(`${name}: ${key}() is missing`);
  };
  if (p.kind === "handler") {
    fn("applies");
    fn("plan");
    if (typeof p.order !== "number") problems.push(`${name}: order must be a number`);
  } else if (p.kind === "source") {
    fn("open");
    checkCapabilities(p.capabilities, SOURCE_CAPABILITIES, name, problems);
  } else if (p.kind === "destination") {
    checkRoles(p, name, problems);
  }
  return problems;
}

function checkCapabilities(
  capabilities: unknown,
  known: readonly string[],
  name: string,
  problems: string[],
): void {
  if (!Array.isArray(capabilities)) {
    problems.push(`${name}: capabilities must be an array (may be empty)`);
    return;
  }
  for (const c of capabilities) {
    if (!known.includes(c)) problems.push(`${name}: unknown capability ${JSON.stringify(c)}`);
  }
}

function checkRoles(p: Record<string, unknown>, name: string, problems: string[]): void {
  if ("capabilities" in p || "open" in p) {
    problems.push(
      `${name}: a destination declares its roles (plugin API version 2): move open() and capabilities ` +
        `into assets: { capabilities, open } (import) or backup: { capabilities, open } (backup)`,
    );
    return;
  }
  if (p.assets === undefined && p.backup === undefined) {
    problems.push(`${name}: a destination plays at least one role: assets, backup or both`);
  }
  for (const [role, known] of [["assets", ASSET_CAPABILITIES], ["backup", BACKUP_CAPABILITIES]] as const) {
    const spec = p[role] as Record<string, unknown> | undefined;
    if (spec === undefined) continue;
    if (typeof spec !== "object" || spec === null || typeof spec.open !== "function") {
      problems.push(`${name}: ${role} must be { capabilities, open() }`);
      continue;
    }
    checkCapabilities(spec.capabilities, known, `${name} ${role}`, problems);
  }
}

/**
 * Checks that an opened session has a method for every capability declared for it, and returns a
 * view of it with only the required and the declared methods. The host can then branch on whether a
 * method exists, and that is the same as branching on the declared capability; a plugin that plays
 * two roles with one object shows each role only its own methods.
 */
export function checkSession<S extends { key: string }>(
  plugin: { id: string },
  kind: SessionKind,
  capabilities: readonly string[],
  session: S,
): S {
  const methods = session as unknown as Record<string, unknown>;
  const wanted = [...REQUIRED[kind], ...capabilities.flatMap((c) => METHODS_OF[c] ?? [c])];
  const missing = wanted.filter((m) => typeof methods[m] !== "function");
  if (missing.length > 0) {
    throw new Error(
      `${plugin.id} declares or needs ${missing.join(", ")} but its session has no such method`,
    );
  }
  const view: Record<string, unknown> = { key: session.key };
  // A source's facts about its library are data, not a capability: they travel with the view.
  if (methods.info !== undefined) view.info = methods.info;
  if (typeof methods.libraryId === "string") view.libraryId = methods.libraryId;
  // So are the synced fields a destination keeps (see `AssetDestinationSession.fields`).
  if (methods.fields !== undefined) view.fields = methods.fields;
  if (methods.albumsPerAsset === true) view.albumsPerAsset = true;
  for (const m of wanted) view[m] = (methods[m] as (...a: unknown[]) => unknown).bind(session);
  return view as unknown as S;
}

/** The name a user types: `immich` for `destination.immich`. */
export function shortName(plugin: { id: string; kind: string }): string {
  return plugin.id.slice(plugin.kind.length + 1);
}

/** Whether a plugin may run on this operating system. */
export function runsHere(plugin: Plugin): boolean {
  return !plugin.platforms || plugin.platforms.includes(Deno.build.os);
}

export class Registry {
  readonly #plugins = new Map<string, Plugin>();
  readonly #flags = new Map<string, string>();

  constructor(builtins: readonly Plugin[] = []) {
    for (const p of builtins) this.register(p, "built-in");
  }

  /** Adds a plugin; throws on a malformed plugin, a wrong apiVersion, a duplicate id or flag. */
  register(plugin: Plugin, where = "plugin"): void {
    const problems = validatePlugin(plugin, where);
    if (problems.length > 0) throw new ConfigError(problems.join("\n"));
    if (this.#plugins.has(plugin.id)) {
      throw new ConfigError(`${where}: a plugin with id ${plugin.id} is already registered`);
    }
    for (const spec of plugin.options) {
      const flag = flagName(plugin.id, spec);
      const owner = this.#flags.get(flag);
      if (owner) {
        throw new ConfigError(`${where}: ${plugin.id} option flag --${flag} is already used by ${owner}`);
      }
    }
    for (const spec of plugin.options) this.#flags.set(flagName(plugin.id, spec), plugin.id);
    this.#plugins.set(plugin.id, plugin);
  }

  all(): Plugin[] {
    return [...this.#plugins.values()];
  }

  ofKind<K extends PluginKind>(kind: K): Extract<Plugin, { kind: K }>[] {
    return this.all().filter((p): p is Extract<Plugin, { kind: K }> => p.kind === kind);
  }

  /** Handlers in the order they shape a plan. */
  handlers(): HandlerPlugin[] {
    return this.ofKind("handler").map((h, i) => ({ h, i })).sort((a, b) => a.h.order - b.h.order || a.i - b.i)
      .map((
        x,
      ) => x.h);
  }

  source(name: string): SourcePlugin {
    return this.#get("source", name);
  }

  destination(name: string): DestinationPlugin {
    return this.#get("destination", name);
  }

  /** A destination that keeps assets (`import --to`); says so when the named one only keeps backups. */
  assetDestination(name: string): DestinationPlugin & { assets: NonNullable<DestinationPlugin["assets"]> } {
    const p = this.destination(name);
    if (!p.assets) {
      throw new ConfigError(
        `${p.id} keeps backups, not assets: use it with \`photos-sync backup --to ${shortName(p)}\`; ` +
          `to import, choose one of: ${this.#named((x) => x.assets !== undefined)}`,
      );
    }
    return p as DestinationPlugin & { assets: NonNullable<DestinationPlugin["assets"]> };
  }

  /** A destination that keeps backups (`backup --to`); says so when the named one only keeps assets. */
  backupTarget(name: string): DestinationPlugin & { backup: NonNullable<DestinationPlugin["backup"]> } {
    const p = this.destination(name);
    if (!p.backup) {
      throw new ConfigError(
        `${p.id} cannot keep backups; backup targets: ${this.#named((x) => x.backup !== undefined)}`,
      );
    }
    return p as DestinationPlugin & { backup: NonNullable<DestinationPlugin["backup"]> };
  }

  #named(test: (p: DestinationPlugin) => boolean): string {
    return this.ofKind("destination").filter(test).map(shortName).join(", ") || "none";
  }

  #get<K extends "source" | "destination">(kind: K, name: string): Extract<Plugin, { kind: K }> {
    const id = name.includes(".") ? name : `${kind}.${name}`;
    const p = this.#plugins.get(id);
    if (!p || p.kind !== kind) {
      const known = this.all().filter((x) => x.kind === kind).map((x) => x.id.slice(kind.length + 1)).join(
        ", ",
      );
      throw new ConfigError(`unknown ${kind} "${name}"; known: ${known || "none"}`);
    }
    if (!runsHere(p)) {
      throw new ConfigError(`${p.id} runs only on ${p.platforms!.join(", ")}, not on ${Deno.build.os}`);
    }
    return p as Extract<Plugin, { kind: K }>;
  }
}
