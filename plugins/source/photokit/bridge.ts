/**
 * A typed bridge over libPhotosBridge (see `ffi.ts`): one method per call of photos_bridge.h, with
 * tokens for cancellation through an AbortSignal, progress delivered per call, listings streamed in
 * pages, and a `close()` that waits for calls in flight before unloading the library (unloading
 * code that a worker thread still runs would crash the process).
 *
 * @example
 * ```ts
 * const bridge = PhotosBridge.open({ path: "/opt/photos-sync/libPhotosBridge.dylib" });
 * try {
 *   if ((await bridge.authorize(true)) !== "authorized") throw new Error("no access");
 *   for await (const page of bridge.list({ includeHidden: true })) console.log(page.length);
 * } finally {
 *   await bridge.close();
 * }
 * ```
 * @module
 */
import { RetryableError } from "../../../core/plugin/errors.ts";
import {
  type BridgeLibrary,
  callJson,
  type JsonSymbol,
  openBridgeLibrary,
  PROGRESS_CALLBACK,
  type ProgressSymbol,
} from "./ffi.ts";

export type AuthorizationStatus = "authorized" | "limited" | "denied" | "restricted" | "not_determined";

/** One resource of an asset as PhotoKit describes it (`PHAssetResource`). */
export interface NativeResource {
  /** The `PHAssetResourceType` case name, e.g. `photo`, `pairedVideo`; `unknown:<n>` for newer ones. */
  type: string;
  filename: string;
  uti: string;
  /** The type conforms to public.camera-raw-image. */
  raw: boolean;
  /** The data is on this Mac (false: only in iCloud); absent or null when PhotoKit does not say. */
  local?: boolean | null;
}

/** One asset as PhotoKit describes it (`PHAsset`); see psb_list in photos_bridge.h. */
export interface NativeAsset {
  localIdentifier: string;
  mediaType: "image" | "video" | "audio" | "unknown";
  mediaSubtypes: string[];
  sourceTypes: string[];
  creationDate?: string | null;
  /** Seconds east of UTC where the asset was captured, when this macOS lets the helper read it. */
  timeZoneOffset?: number | null;
  /** The capture zone's name (`America/Los_Angeles`, `GMT-0500`), likewise. */
  timeZoneName?: string | null;
  modificationDate?: string | null;
  pixelWidth?: number;
  pixelHeight?: number;
  duration?: number;
  favorite: boolean;
  hidden: boolean;
  burstIdentifier?: string | null;
  burstSelectionTypes?: string[];
  representsBurst?: boolean;
  location?: { latitude: number; longitude: number } | null;
  albums?: { localIdentifier: string; title: string; folders: string[] }[];
  resources: NativeResource[];
}

/** The fields psb_write takes (photos_bridge.h); absent: left as it is, null: cleared. */
export interface NativeFields {
  favorite?: boolean;
  hidden?: boolean;
  /** ISO-8601; null is refused ("unsupported"): Photos cannot clear a creation date. */
  creationDate?: string | null;
  /** Checked against the asset's capture zone, which PhotoKit cannot change. */
  timeZoneOffset?: number | null;
  location?: { latitude: number; longitude: number } | null;
  /** The user albums the asset ends up in, by album local identifier or UUID. */
  albums?: string[];
  title?: string | null;
  caption?: string | null;
  keywords?: string[];
}

/** A resource type psb_create takes (a `PHAssetResourceType` case name). */
export type CreatableType =
  | "photo"
  | "video"
  | "pairedVideo"
  | "alternatePhoto"
  | "fullSizePhoto"
  | "fullSizeVideo"
  | "adjustmentData"
  | "adjustmentBasePhoto"
  | "adjustmentBaseVideo"
  | "adjustmentBasePairedVideo"
  | "fullSizePairedVideo";

/** What psb_create takes: the files of one asset by resource type, and psb_write's fields. */
export interface CreateCall {
  resources: { type: CreatableType; path: string; filename?: string }[];
  /** The capture zone is not among them: Photos reads it from the file. */
  fields: Omit<NativeFields, "timeZoneOffset">;
}

/** psb_lookup's answer: the ids given, split by whether the library has them (request order). */
export interface Found {
  found: string[];
  notFound: string[];
}

/** Local identifiers inserted, updated and deleted since a token. */
export interface NativeChanges {
  inserted: string[];
  updated: string[];
  deleted: string[];
}

/** psb_history's answer: `all` when the history could not answer for the token given. */
export interface NativeHistory {
  next: string;
  all: boolean;
  assets: NativeChanges;
  albums: NativeChanges;
}

export interface ListOptions {
  includeHidden?: boolean;
  includeAllBursts?: boolean;
  includeSharedAlbums?: boolean;
  /** Assets per call (default 200): large enough to amortise the call, small enough to stream. */
  pageSize?: number;
}

/** Names one resource of an asset: one of these resource types, with this original filename. */
export interface ResourceSelector {
  types: readonly string[];
  filename: string;
}

export interface ExportCall {
  /** Bare UUID or local identifier. */
  id: string;
  resources: (ResourceSelector & { path: string })[];
  allowNetwork: boolean;
  /** Seconds one resource may go without data or progress (default 300). */
  timeoutSeconds?: number;
}

export interface LongCallOptions {
  signal?: AbortSignal;
  /** Called with the index of the resource in the request and a fraction 0..1. */
  onProgress?: (index: number, fraction: number) => void;
}

type ProgressHandler = (index: number, fraction: number) => void;

export class PhotosBridge {
  readonly #library: BridgeLibrary;
  readonly #callback: Deno.UnsafeCallback<typeof PROGRESS_CALLBACK>;
  readonly #progress = new Map<number, ProgressHandler>();
  readonly #running = new Map<number, Promise<unknown>>();
  readonly #untracked = new Set<Promise<unknown>>();
  readonly #cursors = new Set<string>();
  #nextToken = 1;
  #closed = false;

  private constructor(library: BridgeLibrary, readonly path: string) {
    this.#library = library;
    // One callback for the bridge's lifetime, dispatching by token: a callback per call could be
    // closed while PhotoKit still holds it. Thread-safe because PhotoKit calls it from its queues;
    // unref'd so that it alone never keeps the process alive.
    this.#callback = Deno.UnsafeCallback.threadSafe(PROGRESS_CALLBACK, (token, index, fraction) => {
      this.#progress.get(Number(token))?.(index, fraction);
    });
    this.#callback.unref();
  }

  /** Loads the library (see `openBridgeLibrary` for where it is looked for). */
  static open(options: { path?: string } = {}): PhotosBridge {
    const { library, path } = openBridgeLibrary(options);
    return new PhotosBridge(library, path);
  }

  /** Photos access; with `prompt`, asks the user when they have not decided yet. */
  async authorize(prompt: boolean): Promise<AuthorizationStatus> {
    const result = await this.#call("psb_authorize", { prompt }) as { status: AuthorizationStatus };
    return result.status;
  }

  /** The library's assets, newest first, page by page; stopping early releases the listing. */
  async *list(options: ListOptions = {}): AsyncGenerator<NativeAsset[]> {
    const limit = options.pageSize ?? 200;
    let page = await this.#call("psb_list", {
      limit,
      includeHidden: options.includeHidden ?? false,
      includeAllBursts: options.includeAllBursts ?? false,
      includeSharedAlbums: options.includeSharedAlbums ?? false,
    }) as { assets: NativeAsset[]; cursor: string | null };
    try {
      for (;;) {
        if (page.cursor) this.#cursors.add(page.cursor);
        yield page.assets;
        if (!page.cursor) return;
        const cursor = page.cursor;
        page = await this.#call("psb_list", { cursor, limit }) as typeof page;
        this.#cursors.delete(cursor);
      }
    } finally {
      if (page.cursor && this.#cursors.delete(page.cursor) && !this.#closed) {
        await this.#call("psb_list", { cursor: page.cursor, close: true });
      }
    }
  }

  /** Writes the named resources of one asset to their paths; returns the sizes in request order. */
  async export(call: ExportCall, options: LongCallOptions = {}): Promise<{ path: string; size: number }[]> {
    const result = await this.#long("psb_export", { ...call }, options) as {
      files: { path: string; size: number }[];
    };
    return result.files;
  }

  /** Fetches resources from iCloud without writing them anywhere. */
  download(
    assets: { id: string; resources: ResourceSelector[] }[],
    options: LongCallOptions & { timeoutSeconds?: number } = {},
  ): Promise<{ downloaded: string[]; notFound: string[] }> {
    const request = { assets, timeoutSeconds: options.timeoutSeconds };
    return this.#long("psb_download", request, options) as Promise<
      { downloaded: string[]; notFound: string[] }
    >;
  }

  /** Writes these fields into one asset, all or nothing; returns the names of the fields written. */
  async write(id: string, fields: NativeFields): Promise<string[]> {
    const result = await this.#call("psb_write", { id, fields }) as { written: string[] };
    return result.written;
  }

  /** What changed since `since` (the `next` of an earlier answer); null asks for a first token. */
  history(since: string | null): Promise<NativeHistory> {
    return this.#call("psb_history", { since }) as Promise<NativeHistory>;
  }

  /** Moves the assets to Recently Deleted in one change. */
  delete(ids: string[]): Promise<{ deleted: string[]; notFound: string[] }> {
    return this.#call("psb_delete", { ids }) as Promise<{ deleted: string[]; notFound: string[] }>;
  }

  /**
   * Creates one asset from these resources (the files are copied into the library) with these
   * fields, in one change; returns its local identifier.
   */
  async create(call: CreateCall): Promise<string> {
    const result = await this.#call("psb_create", call) as { localIdentifier: string };
    return result.localIdentifier;
  }

  /** Which of these assets the library has (Recently Deleted does not count), without listing it. */
  lookup(ids: string[]): Promise<Found> {
    return this.#call("psb_lookup", { ids }) as Promise<Found>;
  }

  /** The assets of these ids the library has, as list() describes them but without their albums. */
  async describe(ids: string[]): Promise<NativeAsset[]> {
    const result = await this.#call("psb_lookup", { ids, describe: true }) as { assets: NativeAsset[] };
    return result.assets;
  }

  /** Which of these albums are the user's own albums in the library (the albums create() takes). */
  async lookupAlbums(albums: string[]): Promise<Found> {
    const result = await this.#call("psb_lookup", { ids: [], albums }) as { albums: Found };
    return result.albums;
  }

  /** Creates a user album inside its folders (found by title, or created); returns its local identifier. */
  async createAlbum(title: string, folders: string[] = []): Promise<string> {
    const result = await this.#call("psb_create_album", { title, folders }) as { localIdentifier: string };
    return result.localIdentifier;
  }

  /** Every user album of the library now, empty ones included (not smart or shared albums). */
  async albums(): Promise<{ localIdentifier: string; title: string; folders: string[] }[]> {
    const result = await this.#call("psb_albums", {}) as {
      albums: { localIdentifier: string; title: string; folders: string[] }[];
    };
    return result.albums;
  }

  /** Strings and listings the library still holds for us; zero once everything was released. */
  outstanding(): number {
    this.#assertOpen();
    return Number(this.#library.symbols.psb_outstanding());
  }

  /**
   * Cancels what is running, waits for every call to return, releases open listings, then unloads
   * the library. Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const token of this.#running.keys()) this.#library.symbols.psb_cancel(BigInt(token));
    await Promise.allSettled([...this.#running.values(), ...this.#untracked]);
    for (const cursor of this.#cursors) {
      await callJson(this.#library, { symbol: "psb_list", request: { cursor, close: true } }).catch(() => {});
    }
    this.#cursors.clear();
    this.#callback.close();
    this.#library.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("the PhotoKit bridge is closed");
  }

  /** A short call: no token, not cancellable; tracked so that close() waits for it. */
  #call(symbol: JsonSymbol, request: unknown): Promise<unknown> {
    this.#assertOpen();
    const promise = callJson(this.#library, { symbol, request });
    this.#untracked.add(promise);
    const forget = () => this.#untracked.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  /** A long call: a token for cancellation, progress routed to `onProgress`. */
  async #long(
    symbol: ProgressSymbol,
    request: Record<string, unknown>,
    options: LongCallOptions,
  ): Promise<unknown> {
    this.#assertOpen();
    const { signal, onProgress } = options;
    if (signal?.aborted) throw new RetryableError(`${symbol.slice(4)} cancelled before it started`);
    const token = this.#nextToken++;
    if (onProgress) this.#progress.set(token, onProgress);
    const onAbort = () => this.#library.symbols.psb_cancel(BigInt(token));
    signal?.addEventListener("abort", onAbort, { once: true });
    const promise = callJson(this.#library, {
      symbol,
      request: { ...request, token },
      progress: this.#callback.pointer,
    });
    this.#running.set(token, promise);
    try {
      return await promise;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#running.delete(token);
      this.#progress.delete(token);
    }
  }
}
