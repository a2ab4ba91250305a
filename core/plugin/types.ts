/**
 * The public contract between photos-sync and its plugins: sources, media-type handlers and
 * destinations. A plugin is a plain object; it needs nothing from the host at run time but what
 * the {@link PluginContext} hands it.
 *
 * @example A minimal destination
 * ```ts
 * import type { DestinationPlugin } from "@photos-sync/photos-sync/plugin";
 *
 * const nullDestination = {
 *   kind: "destination", id: "destination.null", apiVersion: 2, version: "1.0.0",
 *   description: "accepts everything, keeps nothing", options: [],
 *   assets: {
 *     capabilities: [],
 *     open() {
 *       return Promise.resolve({
 *         key: "null",
 *         put: (g) => Promise.resolve({ resources: g.files.map((f) => ({ key: f.key, remoteId: f.sha1, duplicate: false })) }),
 *         close: () => Promise.resolve(),
 *       });
 *     },
 *   },
 * } satisfies DestinationPlugin;
 * ```
 * @module
 */
import type { AlbumRef, Asset, PersonInAsset } from "../model/asset.ts";
import type { SideFields, SyncedField } from "../model/synced.ts";
import type { ExportedGroup, Plan } from "../model/plan.ts";
import type { PlanBuilder } from "../model/plan.ts";
import type { OptionSpec, OptionValues } from "./options.ts";
import type { AssetChanges, HeldFile, RemoteAsset, RemoteChanges } from "./remote_types.ts";
export type { AssetChanges, HeldFile, RemoteAsset, RemoteChanges } from "./remote_types.ts";
import type { ColdObject, RestoreAnswer, RestoreAsk, RestoreEstimate, RestoreTier } from "./cold_types.ts";
export type * from "./cold_types.ts";
import type {
  BackupInfo,
  TreeBackupRequest,
  TreeBackupResult,
  TreeRestoreRequest,
  TreeRestoreResult,
  TreeVerifyRequest,
  TreeVerifyResult,
} from "./backup_types.ts";
export type {
  BackupInfo,
  TreeBackupRequest,
  TreeBackupResult,
  TreeProgress,
  TreeRestoreRequest,
  TreeRestoreResult,
  TreeVerifyRequest,
  TreeVerifyResult,
} from "./backup_types.ts";

/** Bumped on any breaking change of this file. The host refuses plugins built for another version. */
export const PLUGIN_API_VERSION = 2;

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
  /** The keys that start with `prefix` (for state written before a plugin kept an index of it). */
  keys?(prefix: string): string[];
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
  state: StateStore;
  http: HttpClient;
  run: SubprocessRunner;
}

// ---------------------------------------------------------------------------------------------
// Sources

/**
 * `download` fetches iCloud-only originals, `delete` moves to Recently Deleted, `write` takes
 * metadata changed at the destination (two-way `sync`), `history` says what changed since a token,
 * `listAlbums` names every album the library has now, empty ones included (so `sync` can tell an
 * album deleted in Photos from one emptied).
 */
export type SourceCapability = "download" | "delete" | "write" | "history" | "listAlbums";

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
   * The library's own id, stable however the library is moved or renamed (a `.photoslibrary`: its
   * store UUID). Optional. When given, the tracker records it for every asset, and a different
   * library under the same `key` is refused instead of making the first one's assets look deleted.
   */
  readonly libraryId?: string;
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
  /** Writes metadata changed at the destination into the library (people stay the library's own). */
  write?(id: string, fields: Omit<SideFields, "people">): Promise<void>;
  /** The ids changed since `token` (undefined, or `all` when the source lost track), and the next token. */
  history?(token: string | undefined): Promise<{ changed: string[] | "all"; token: string }>;
  /** Every user album of the library now, empty ones included; shared albums may be left out. */
  listAlbums?(): Promise<AlbumRef[]>;
}

export interface SourcePlugin extends PluginBase {
  kind: "source";
  capabilities: readonly SourceCapability[];
  /**
   * Set when the source cannot run without the tool's `--library` (handed to `open` as option
   * `library`): the host refuses to open it without one, saying `<id> needs <this>`, so `open`
   * receives a non-empty `library`. `--library` is the tool's, not one plugin's, so it is declared
   * here rather than as an option.
   */
  needsLibrary?: string;
  /**
   * The synced fields its listing reads and (with capability `write`) writes; default: it reads
   * every field and writes none. A field it does not read is never taken for a change in Photos, and
   * one it cannot write waits for a source that can (see `sync`).
   */
  fields?: { read: readonly SyncedField[]; write?: readonly SyncedField[] };
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

/**
 * What an asset destination can do beyond `put` (each is the session method of its name):
 * `check` authenticates at start-up, `update` takes changed metadata (`sync`), `presence` says
 * whether stored assets are still there (`sync`, `cleanup`), `stack` groups an asset's members,
 * `remove` moves to the destination's trash (`sync --propagate-deletions`); for the two-way
 * `sync`: `read` says what it holds of an asset now, `changes` which assets changed since a
 * checkpoint, `albums` sets an asset's albums, `removeAlbums` deletes the albums it made for Photos
 * albums deleted since (`sync --propagate-deletions`), `people` sets an asset's named people and
 * faces; for `archive`: `verify` says what the destination holds of each file, checksum and
 * relations included; for `archive --cold` and `unarchive` from a cold copy: `cold` is four methods,
 * `coldState`, `estimateRestore`, `requestRestore` and `fetchCold` (see {@link ColdObject}).
 * Capabilities are optional: a destination that declares none of the newer ones works as before.
 */
export type AssetCapability =
  | "check"
  | "update"
  | "presence"
  | "stack"
  | "remove"
  | "read"
  | "changes"
  | "albums"
  | "removeAlbums"
  | "people"
  | "verify"
  | "cold";

/**
 * What a backup target can do beyond keeping trees: `check` reports the tool it runs on
 * (`backup --check`), `warmup` asks an archive tier to make objects readable (`backup --restore`).
 */
export type BackupCapability = "check" | "warmup";

export interface RemoteRef {
  key: string;
  remoteId: string;
  /** The destination already had these bytes. */
  duplicate: boolean;
}

export interface PutResult {
  resources: RemoteRef[];
}

/** What the destination says of an asset it was given: still there, in its trash, or gone. */
export type Presence = "present" | "trashed" | "gone";

export interface DestinationInfo {
  /** Human-readable, e.g. "Immich 1.135.3 at https://photos.example". */
  description: string;
  version?: string;
}

/** What every opened destination session has, whichever role it plays. */
export interface DestinationSessionBase {
  /** Identifies this destination in the tracker, e.g. `immich:https://nas:2283`, `folder:/backup/photos`. */
  readonly key: string;
  close(): Promise<void>;
  /** Authenticates and checks permissions; throws FatalError with what to do (capability `check`). */
  check?(): Promise<DestinationInfo>;
}

/** The asset role: keeps single assets with their relations (`import`, `sync`, `cleanup`). */
export interface AssetDestinationSession extends DestinationSessionBase {
  /**
   * The synced fields this session keeps of an asset, given the options it was opened with (Immich
   * with tags off keeps no keywords); default: every field. Only these are recorded as agreed by
   * `import` and `sync`: a field it does not keep is never sent, and never taken for a change at the
   * destination. One kept now but not agreed yet (an option switched on since) is sent by the next
   * `sync`, once. The mirror of {@link SourcePlugin.fields}, on the session because options decide it.
   */
  readonly fields?: { keep: readonly SyncedField[] };
  /** Stores one exported asset with its relations. Idempotent: a second put returns duplicates. */
  put(group: ExportedGroup): Promise<PutResult>;
  /** Applies changed metadata to a stored asset (its primary resource's remote id). */
  update?(remoteId: string, changes: AssetChanges): Promise<void>;
  /**
   * Whether each remote id is still there. Must throw rather than guess: a listing that failed must
   * never look like "everything was deleted".
   */
  presence?(remoteIds: string[]): Promise<Record<string, Presence>>;
  stack?(primaryId: string, memberIds: string[]): Promise<void>;
  /** Moves to the destination's trash (recoverable). */
  remove?(remoteIds: string[]): Promise<void>;
  /** What it holds of each asset now; null for one it no longer has at all. */
  read?(remoteIds: string[]): Promise<Record<string, RemoteAsset | null>>;
  /** The assets changed since `checkpoint` (undefined: since ever), in work proportional to the changes. */
  changes?(checkpoint: string | undefined): Promise<RemoteChanges>;
  /**
   * Makes these exactly the albums the asset is in, of the albums this tool manages: adds it where it
   * is missing, takes it out of the others, renames an album whose title changed.
   */
  albums?(remoteId: string, albums: AlbumRef[]): Promise<void>;
  /** Album names live with each asset (the folder's sidecars): `albums` renames on every member. */
  readonly albumsPerAsset?: boolean;
  /**
   * Deletes the albums it made for these Photos albums (by Photos album id); the assets in them stay.
   * An album already gone is no error.
   */
  removeAlbums?(albumIds: string[]): Promise<void>;
  /** Makes these the named people in the asset, with their faces where given. */
  people?(remoteId: string, people: PersonInAsset[]): Promise<void>;
  /** What it holds of each file, from the destination itself (null: not there at all). */
  verify?(remoteIds: string[]): Promise<Record<string, HeldFile | null>>;
  /**
   * Where and how each file is kept as a cold copy, read from the store itself (capability `cold`);
   * null where the store does not hold it. Must throw rather than guess, like `presence`.
   */
  coldState?(remoteIds: string[]): Promise<Record<string, ColdObject | null>>;
  /**
   * What restoring these objects (their class and stored bytes, as `coldState` told them) in `tier`
   * would cost and how long it would take (capability `cold`). Throws for a tier the class lacks.
   */
  estimateRestore?(
    objects: { storageClass: string; storedBytes: number }[],
    tier: RestoreTier,
  ): Promise<RestoreEstimate>;
  /** Asks an archive tier for readable copies of these files (capability `cold`); never waits. */
  requestRestore?(remoteIds: string[], ask: RestoreAsk): Promise<Record<string, RestoreAnswer>>;
  /**
   * Copies one readable file (decrypted) to the local `path` (capability `cold`). Throws
   * RetryableError while it is still in an archive tier, PermanentError when it is not there.
   */
  fetchCold?(remoteId: string, path: string): Promise<void>;
}

/** The backup role: keeps encrypted directory trees with dated archive areas (`backup`). */
export interface BackupTargetSession extends DestinationSessionBase {
  /**
   * Checks credentials and that the stored backup (if any) is readable with the encryption
   * password, and describes the target. With `create`, marks an empty location as this tool's
   * backup. Throws ConfigError for a wrong password or missing credentials.
   */
  prepareBackup(options: { create: boolean }): Promise<BackupInfo>;
  backupTree(request: TreeBackupRequest): Promise<TreeBackupResult>;
  restoreTree(request: TreeRestoreRequest): Promise<TreeRestoreResult>;
  verifyTree(request: TreeVerifyRequest): Promise<TreeVerifyResult>;
  /** The archive areas that exist, oldest first. */
  archives(): Promise<string[]>;
  /** Deletes one archive area (past its retention). */
  pruneArchive(archive: string): Promise<void>;
  /** Asks an archive tier to make these objects readable (Glacier restore); does not wait. */
  warmup?(remoteIds: string[]): Promise<void>;
}

/** One role a destination plays: what it can do, and how to open a session for it. */
export interface DestinationRole<C extends string, S> {
  capabilities: readonly C[];
  open(options: OptionValues, ctx: PluginContext): Promise<S>;
}

/**
 * A destination plays one role or both: `assets` for `import --to`, `backup` for `backup --to`.
 * A plugin that plays both may return the same object from both `open`s; the host only calls the
 * methods of the role it opened.
 */
export interface DestinationPlugin extends PluginBase {
  kind: "destination";
  assets?: DestinationRole<AssetCapability, AssetDestinationSession>;
  backup?: DestinationRole<BackupCapability, BackupTargetSession>;
}

export type Plugin = SourcePlugin | HandlerPlugin | DestinationPlugin;
