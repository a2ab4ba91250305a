/**
 * The public contract between photos-sync and its plugins: sources, media-type handlers and
 * destinations. A plugin is a plain object; it needs nothing from the host at run time but what
 * the {@link PluginContext} hands it.
 *
 * @example A minimal destination
 * ```ts
 * export default {
 *   kind: "destination", id: "destination.null", apiVersion: 1, version: "1.0.0",
 *   description: "accepts everything, keeps nothing", options: [], capabilities: [],
 *   async open() {
 *     return { put: async (g) => ({ resources: g.files.map((f) => ({ key: f.key, remoteId: f.sha1, duplicate: false })) }),
 *              close: async () => {} };
 *   },
 * } satisfies DestinationPlugin;
 * ```
 * @module
 */
import type { AlbumRef, Asset, CaptureDate } from "../model/asset.ts";
import type { ExportedGroup, Plan } from "../model/plan.ts";
import type { PlanBuilder } from "../model/plan.ts";
import type { OptionSpec, OptionValues } from "./options.ts";

/** Bumped on any breaking change of this file. The host refuses plugins built for another version. */
export const PLUGIN_API_VERSION = 1;

export type PluginKind = "source" | "handler" | "destination";

/** What every plugin declares about itself. */
export interface PluginBase {
  kind: PluginKind;
  /** Namespaced, e.g. `destination.immich`; the prefix must equal `kind`. */
  id: string;
  /** Must equal the host's {@link PLUGIN_API_VERSION}. */
  apiVersion: number;
  /** The plugin's own version (semver). */
  version: string;
  description: string;
  options: readonly OptionSpec[];
  /** Limits the plugin to these operating systems (`Deno.build.os` values). */
  platforms?: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Context

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Per-plugin key/value state kept in the tracker (JSON values). */
export interface StateStore {
  get<T = unknown>(key: string): T | undefined;
  set(key: string, value: unknown): void;
  delete(key: string): void;
}

export interface HttpRequestInit extends RequestInit {
  /** Aborts the request after this many milliseconds (default 60 000). */
  timeoutMs?: number;
}

/** `fetch` with the run's abort signal and a timeout; no retries (the engine retries). */
export type HttpClient = (input: string | URL, init?: HttpRequestInit) => Promise<Response>;

export interface RunOptions {
  env?: Record<string, string>;
  /** Variables to remove from the inherited environment. */
  unsetEnv?: string[];
  cwd?: string;
  stdin?: string | Uint8Array;
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** How many trailing stderr lines to keep for the error message (default 20). */
  keepStderrLines?: number;
}

export interface RunResult {
  code: number;
  /** The last lines of stderr, already redacted. */
  stderrTail: string[];
}

/**
 * Runs a program, streaming both pipes. Refuses arguments that contain a secret: secrets go to
 * child processes through `env` or `stdin` only.
 */
export type SubprocessRunner = (command: string, args: string[], options?: RunOptions) => Promise<RunResult>;

/** Everything a plugin gets from the host. */
export interface PluginContext {
  log: Logger;
  /** Aborted when the run is cancelled (Ctrl-C, fatal error elsewhere). */
  signal: AbortSignal;
  /** A private directory for this plugin, removed when the run ends. */
  tempDir: string;
  /** The tool's data directory (tracker, sidecar store). */
  dataDir: string;
  /** True when nothing may be changed anywhere. */
  dryRun: boolean;
  state: StateStore;
  http: HttpClient;
  run: SubprocessRunner;
}

// ---------------------------------------------------------------------------------------------
// Sources

export type SourceCapability = "download" | "delete" | "setFavorite" | "create" | "watch";

/** A file the source wrote (or already holds) for one planned resource. */
export interface SourceFile {
  key: string;
  /** Absolute path. A source may return a path it already keeps on disk; the host only reads it. */
  path: string;
}

export interface ExportRequest {
  asset: Asset;
  plan: Plan;
  /** A fresh directory private to this asset and attempt. */
  dir: string;
  /** Whether the source may download from the network (iCloud). */
  allowNetwork: boolean;
}

export interface SourceSession {
  /**
   * The namespace of the asset ids this source yields, recorded in the tracker. Sources that yield
   * the same ids for the same assets share it (PhotoKit and the library reader both use `photos`),
   * so switching between them imports nothing twice.
   */
  readonly key: string;
  /**
   * Facts about the library as a whole (format version, schema names, album counts), for `scan`
   * and diagnostics; plain JSON. Optional: not every source has any.
   */
  readonly info?: Record<string, unknown>;
  /** Every asset of the library, streamed, newest first where the source can. */
  list(): AsyncIterable<Asset>;
  /** Makes the planned resources available on disk. Missing ones: PermanentError. */
  export(request: ExportRequest): Promise<SourceFile[]>;
  close(): Promise<void>;
  /** Fetches iCloud-only originals so that a later export is local. */
  download?(assets: Asset[]): Promise<void>;
  /** Moves assets to Recently Deleted, in one batch. */
  delete?(ids: string[]): Promise<{ deleted: string[]; notFound: string[] }>;
  setFavorite?(id: string, favorite: boolean): Promise<void>;
  /** Creates an asset from files (restore). Returns the new id. */
  create?(files: { path: string; role: "original" | "motion" }[]): Promise<string>;
  /** Yields asset ids that changed, until the signal aborts. */
  watch?(signal: AbortSignal): AsyncIterable<string>;
}

export interface SourcePlugin extends PluginBase {
  kind: "source";
  capabilities: readonly SourceCapability[];
  open(options: OptionValues, ctx: PluginContext): Promise<SourceSession>;
}

// ---------------------------------------------------------------------------------------------
// Handlers

export interface HandlerPlugin extends PluginBase {
  kind: "handler";
  /** Handlers run in ascending order; ties in registration order. */
  order: number;
  /** Whether this handler has something to say about the asset. */
  applies(asset: Asset): boolean;
  /** Adds resources, relations, tags or incompleteness to the plan. Must not do I/O. */
  plan(asset: Asset, plan: PlanBuilder, options: OptionValues): void;
}

// ---------------------------------------------------------------------------------------------
// Destinations

export type DestinationCapability =
  | "find"
  | "update"
  | "presence"
  | "link"
  | "stack"
  | "albums"
  | "remove"
  | "restore"
  | "warmup"
  | "check";

export interface RemoteRef {
  key: string;
  remoteId: string;
  /** The destination already had these bytes. */
  duplicate: boolean;
}

export interface PutResult {
  resources: RemoteRef[];
}

/** Metadata `sync` pushes when it changed in the source since the last import or sync. */
export interface AssetChanges {
  favorite?: boolean;
  hidden?: boolean;
  captured?: CaptureDate;
}

/** What the destination says of an asset it was given: still there, in its trash, or gone. */
export type Presence = "present" | "trashed" | "gone";

export interface DestinationInfo {
  /** Human-readable, e.g. "Immich 1.135.3 at https://photos.example". */
  description: string;
  version?: string;
}

export interface DestinationSession {
  /** Identifies this destination in the tracker, e.g. `immich:https://nas:2283`, `folder:/backup/photos`. */
  readonly key: string;
  /** Stores one exported asset with its relations. Idempotent: a second put returns duplicates. */
  put(group: ExportedGroup): Promise<PutResult>;
  close(): Promise<void>;
  /** Authenticates and checks permissions; throws FatalError with what to do. */
  check?(): Promise<DestinationInfo>;
  /** The remote id of content with this SHA-1, if present. */
  find?(sha1: string): Promise<string | undefined>;
  /** Applies changed metadata to a stored asset (its primary resource's remote id). */
  update?(remoteId: string, changes: AssetChanges): Promise<void>;
  /**
   * Whether each remote id is still there. Must throw rather than guess: a listing that failed must
   * never look like "everything was deleted".
   */
  presence?(remoteIds: string[]): Promise<Record<string, Presence>>;
  /** Links a motion video to its still after the fact (repair). */
  link?(stillId: string, motionId: string): Promise<void>;
  stack?(primaryId: string, memberIds: string[]): Promise<void>;
  albums?(remoteId: string, albums: AlbumRef[]): Promise<void>;
  /** Moves to the destination's trash (recoverable). */
  remove?(remoteIds: string[]): Promise<void>;
  restore?(remoteIds: string[], dir: string): Promise<void>;
  warmup?(remoteIds: string[]): Promise<void>;
}

export interface DestinationPlugin extends PluginBase {
  kind: "destination";
  capabilities: readonly DestinationCapability[];
  open(options: OptionValues, ctx: PluginContext): Promise<DestinationSession>;
}

export type Plugin = SourcePlugin | HandlerPlugin | DestinationPlugin;
