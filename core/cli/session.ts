/**
 * What every command that touches the library or a destination sets up and tears down: config,
 * the plugin registry (built-ins plus third-party files), the data directory, the tracker, the run
 * lock, plugin contexts and a temp root that is removed at the end.
 * @module
 */
import { type Config, loadConfig, policyOf } from "../config/mod.ts";
import { resolvePath } from "../model/path.ts";
import type { PlanPolicy } from "../model/policy.ts";
import {
  type CredentialStore,
  credentialStore,
  type CredentialStoreKind,
  defaultItemTitle,
  fillCredentials,
  missingCredentialsHelp,
} from "../config/credentials.ts";
import { envFileWarning, makePrivateDir, makeTrackerPrivate } from "../config/private_files.ts";
import { subprocessRunner } from "../plugin/context.ts";
import type { OptionValues } from "../plugin/options.ts";
import type { HandlerEntry } from "../engine/import_run.ts";
import { ConfigError, FatalError } from "../plugin/errors.ts";
import { makeContext } from "../plugin/context.ts";
import { loadPluginFile } from "../plugin/loader.ts";
import { checkSession, Registry, type SessionKind } from "../plugin/registry.ts";
import { DRY_RUN, HookTimings, type WrapOptions, wrapSession } from "../engine/wrap.ts";
import type {
  AssetDestinationSession,
  BackupTargetSession,
  DestinationPlugin,
  Plugin,
  PluginContext,
  SourcePlugin,
  SourceSession,
} from "../plugin/types.ts";
import { Tracker } from "../tracker/mod.ts";
import { bindLibrary, remember, remembered } from "../tracker/identity.ts";
import {
  applyRemembered,
  DESTINATION_FINGERPRINT,
  DESTINATION_KEY,
  destinationFingerprint,
  pointing,
  SOURCE_KEY,
} from "./remembered.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { logSink, type Output } from "./output.ts";
import type { StopSignals } from "./stop_signals.ts";
import { makeTempRoot, removeOrphanTempRoots } from "./temp_root.ts";

export interface SessionOptions {
  /** Every plugin of this run: the built-ins and the third-party files already loaded. */
  plugins: readonly Plugin[];
  output: Output;
  /** Flag values by flag name, from the command line. */
  flags: Record<string, string | boolean | undefined>;
  env?: Record<string, string | undefined>;
  /** Command name, shown to a second run that finds the lock taken. */
  command: string;
  /** Take the run lock (commands that write). */
  lock?: boolean;
  dryRun?: boolean;
  verbose?: boolean;
  /** Stop on SIGINT and SIGTERM through {@link Session.abort} (long commands). */
  stops?: StopSignals;
}

export class Session {
  readonly #closers: (() => Promise<void> | void)[] = [];
  readonly abort = new AbortController();
  /** Calls and time per plugin hook of this command, for the metrics. */
  readonly timings = new HookTimings();
  /** Told of every retry of a plugin call (the import reports them as progress events). */
  onRetry?: WrapOptions["onRetry"];

  private constructor(
    readonly config: Config,
    readonly registry: Registry,
    readonly tracker: Tracker,
    readonly options: SessionOptions,
  ) {}

  #tempRoot?: string;

  /**
   * The command's private temp folder, made on first use (a `status` makes none); removed when the
   * session closes.
   */
  get tempRoot(): string {
    if (this.#tempRoot !== undefined) return this.#tempRoot;
    try {
      this.#tempRoot = makeTempRoot();
    } catch (e) {
      throw new FatalError(
        `cannot create a temporary directory (${(e as Error).message}); free space or set TMPDIR`,
      );
    }
    return this.#tempRoot;
  }

  static async open(options: SessionOptions): Promise<Session> {
    const config = await loadConfig({ flags: options.flags, env: options.env });
    const registry = new Registry(options.plugins);
    config.guardSecrets(registry.all());
    makePrivateDir(config.home);
    const warning = envFileWarning(config.envFile);
    if (warning) options.output.err(warning);
    const tracker = Tracker.open(`${config.home}/tracker.db`);
    makeTrackerPrivate(`${config.home}/tracker.db`);
    applyRemembered(config, remembered(tracker));
    // Every command clears what killed runs left, so a look after a kill -9 frees the space too.
    removeOrphanTempRoots();
    const session = new Session(config, registry, tracker, options);
    session.#closers.push(() => tracker.close());
    session.#closers.push(() => {
      if (session.#tempRoot !== undefined) {
        return Deno.remove(session.#tempRoot, { recursive: true }).catch(() => {});
      }
    });
    if (options.lock) {
      try {
        tracker.acquireLock("run", options.command);
      } catch (e) {
        await session.close();
        throw e;
      }
      const stopBeating = startHeartbeat(30_000, () => tracker.heartbeatLock("run"));
      session.#closers.unshift(() => {
        stopBeating();
        tracker.releaseLock("run");
      });
    }
    // Listening ends last of all, so a second signal while closing still stops at once.
    if (options.stops) {
      session.#closers.push(options.stops.listen(session.abort, options.command)[Symbol.dispose]);
    }
    return session;
  }

  get dryRun(): boolean {
    return this.options.dryRun ?? false;
  }

  #context(pluginId: string) {
    return makeContext(pluginId, {
      tracker: this.tracker,
      sink: logSink(this.options.output, this.options.verbose ? "debug" : "info"),
      redactor: this.config.redactor,
      signal: this.abort.signal,
      tempRoot: this.tempRoot,
      dataDir: this.config.home,
    });
  }

  #source?: Promise<{ id: string; plugin: SourcePlugin; session: SourceSession }>;
  #destination?: Promise<{ id: string; session: AssetDestinationSession; description: string }>;

  /** Opens the source named by `--source` (once per session), handing it `--library` as `library`. */
  openSource(): Promise<{ id: string; plugin: SourcePlugin; session: SourceSession }> {
    return this.#source ??= this.#openSource();
  }

  /** Opens the destination named by `--to` (once per session) and runs its start-up check. */
  openDestination(): Promise<{ id: string; session: AssetDestinationSession; description: string }> {
    return this.#destination ??= this.#openDestination();
  }

  /** Opens a source by name besides `--source`'s (`archive --cold` reads Immich too); not remembered. */
  openSourceNamed(name: string): Promise<{ id: string; plugin: SourcePlugin; session: SourceSession }> {
    return this.#openSource(name);
  }

  async #openSource(name = String(this.config.core.source)): Promise<
    { id: string; plugin: SourcePlugin; session: SourceSession }
  > {
    const plugin = this.registry.source(name);
    const library = this.config.core.library;
    if (plugin.needsLibrary && (typeof library !== "string" || library.trim() === "")) {
      throw new ConfigError(`${plugin.id} needs ${plugin.needsLibrary}`);
    }
    const values = { ...this.config.pluginOptions(plugin), library };
    const opened = await plugin.open(values, await this.#context(plugin.id));
    const session = this.#wrap(plugin, "source", plugin.capabilities, opened);
    if (session.libraryId) {
      const location = values.library ? resolvePath(String(values.library)) : session.libraryId;
      bindLibrary(this.tracker, { source: session.key, libraryId: session.libraryId, location }, this);
    }
    return { id: plugin.id, plugin, session };
  }

  /**
   * Keeps what this run points at (source, library, destination, their non-secret options and the
   * destination's tracker key), so later commands default to it. Call once both are open.
   */
  async rememberPointing(): Promise<void> {
    if (this.dryRun) return;
    const source = await this.openSource();
    const destination = await this.openDestination();
    const plugin = this.registry.assetDestination(destination.id);
    const fingerprint = destinationFingerprint(this.config, plugin);
    remember(this.tracker, {
      ...pointing(this.config, source.plugin, plugin),
      [DESTINATION_KEY]: destination.session.key,
      [SOURCE_KEY]: source.session.key,
      ...(fingerprint ? { [DESTINATION_FINGERPRINT]: fingerprint } : {}),
    });
  }

  /**
   * The tracker key of the destination `--to` names, without opening it, when it is the one the
   * last import used: commands that only read the tracker (review) need no server.
   */
  rememberedDestinationKey(): string | undefined {
    const values = remembered(this.tracker);
    const plugin = this.registry.assetDestination(String(this.config.core.to));
    const fingerprint = destinationFingerprint(this.config, plugin);
    if (!fingerprint || values[DESTINATION_FINGERPRINT] !== fingerprint) return undefined;
    return values[DESTINATION_KEY];
  }

  async #openDestination(): Promise<{ id: string; session: AssetDestinationSession; description: string }> {
    const { plugin, session } = await this.openAssetDestination(String(this.config.core.to));
    const info = session.check ? await session.check() : { description: plugin.id };
    return { id: plugin.id, session, description: info.description };
  }

  /** The run's policy (`--edited`, `--bursts`, `--hidden-visibility`), handed to every plan. */
  policy(): PlanPolicy {
    return policyOf(this.config.core);
  }

  /**
   * The credential store chosen by `--backup-credentials` for a destination: 1Password (item
   * `--backup-op-item`, default `Immich Backup <Name>`, in `--backup-op-vault`), the Keychain, or
   * the environment only.
   */
  credentialStore(plugin: DestinationPlugin): CredentialStore {
    const core = this.config.core;
    const path = this.config.layers.env.PATH;
    return credentialStore(core["backup-credentials"] as CredentialStoreKind, {
      run: subprocessRunner(this.config.redactor, this.abort.signal),
      vault: core["backup-op-vault"] as string,
      item: (core["backup-op-item"] as string | undefined) ?? defaultItemTitle(plugin.id),
      env: path ? { PATH: path } : undefined,
    });
  }

  /**
   * A destination's options with its credentials filled from the credential store, and the
   * credential options still missing.
   */
  async destinationOptions(
    plugin: DestinationPlugin,
  ): Promise<{ values: OptionValues; missing: string[]; store: CredentialStore }> {
    const store = this.credentialStore(plugin);
    const values = this.config.pluginOptions(plugin);
    if (!plugin.options.some((o) => o.credential)) return { values, missing: [], store };
    return { ...await fillCredentials(plugin, { values, store, redactor: this.config.redactor }), store };
  }

  /** Opens the asset role of a destination by name, credentials included. */
  async openAssetDestination(
    name: string,
  ): Promise<{ plugin: DestinationPlugin; session: AssetDestinationSession; values: OptionValues }> {
    const plugin = this.registry.assetDestination(name);
    const { values, opened } = await this.#openRole(plugin, (v, ctx) => plugin.assets.open(v, ctx));
    return { plugin, session: this.#wrap(plugin, "assets", plugin.assets.capabilities, opened), values };
  }

  /** Opens the backup role of a destination by name, credentials included. */
  async openBackupTarget(
    name: string,
  ): Promise<{ plugin: DestinationPlugin; session: BackupTargetSession; values: OptionValues }> {
    const plugin = this.registry.backupTarget(name);
    const { values, opened } = await this.#openRole(plugin, (v, ctx) => plugin.backup.open(v, ctx));
    return { plugin, session: this.#wrap(plugin, "backup", plugin.backup.capabilities, opened), values };
  }

  /** Opens one role; says where to put the credentials it lacks when that is why it failed. */
  async #openRole<S>(
    plugin: DestinationPlugin,
    open: (values: OptionValues, ctx: PluginContext) => Promise<S>,
  ): Promise<{ values: OptionValues; opened: S }> {
    const { values, missing, store } = await this.destinationOptions(plugin);
    refuseMissingRequired(plugin, { missing, store });
    try {
      return { values, opened: await open(values, await this.#context(plugin.id)) };
    } catch (e) {
      if ((e as { kind?: string }).kind === "config" && missing.length > 0) {
        throw new ConfigError(
          `${(e as Error).message}. ${missingCredentialsHelp(plugin, { missing, store })}`,
        );
      }
      throw e;
    }
  }

  /** The one wrapping of every session this command opens (see core/engine/wrap.ts); closed at the end. */
  #wrap<S extends { key: string; close(): Promise<void> }>(
    plugin: Plugin,
    kind: SessionKind,
    capabilities: readonly string[],
    opened: S,
  ): S {
    const session = wrapSession(plugin, checkSession(plugin, kind, capabilities, opened), {
      timings: this.timings,
      retry: { signal: this.abort.signal },
      onRetry: (event) => this.onRetry?.(event),
      dryRun: this.dryRun ? DRY_RUN : undefined,
    });
    this.#closers.unshift(() => session.close());
    return session;
  }

  handlers(): HandlerEntry[] {
    return this.registry.handlers().map((plugin) => ({ plugin, options: this.config.pluginOptions(plugin) }));
  }

  async close(): Promise<void> {
    for (const close of this.#closers.splice(0)) {
      try {
        await close();
      } catch {
        // Closing must not mask the error that ended the command.
      }
    }
  }
}

/**
 * A required credential that neither the options nor the credential store gave is refused here,
 * as any required option is: the plugin receives its declared values checked.
 */
function refuseMissingRequired(
  plugin: DestinationPlugin,
  options: { missing: readonly string[]; store: CredentialStore },
): void {
  const needed = options.missing.filter((name) => plugin.options.some((o) => o.name === name && o.required));
  if (needed.length === 0) return;
  throw new ConfigError(
    `${plugin.id} needs ${needed.join(", ")}. ${
      missingCredentialsHelp(plugin, { ...options, missing: needed })
    }`,
  );
}

/** Built-ins plus third-party plugin files, in one registry. */
export async function buildRegistry(builtins: readonly Plugin[], files: string[]): Promise<Registry> {
  const registry = new Registry(builtins);
  for (const file of files) {
    const path = resolvePath(file);
    registry.register(await loadPluginFile(path), `plugin ${path}`);
  }
  return registry;
}
