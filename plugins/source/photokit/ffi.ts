/**
 * The native boundary of photos-sync: the only `Deno.dlopen` in the project. It holds the symbol
 * table of libPhotosBridge (its source of truth is `swift/Sources/CPhotosBridge/include/photos_bridge.h`),
 * finds the library, checks its ABI version, reads and releases the strings it returns, and maps
 * its error codes to photos-sync's error classes in one place ({@link bridgeError}).
 *
 * Reading a returned pointer needs the unscoped `--allow-ffi` permission (a path-scoped one lets
 * `dlopen` succeed but not `UnsafePointerView`).
 *
 * @example
 * ```ts
 * const { library, path } = openBridgeLibrary({ path: Deno.env.get("PHOTOS_SYNC_PHOTOKIT_LIB") });
 * const result = await callJson(library, { symbol: "psb_authorize", request: { prompt: false } });
 * library.close();
 * ```
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError, FatalError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";

/** The ABI this build speaks; must equal `PSB_ABI_VERSION` of photos_bridge.h. */
export const ABI_VERSION = 4;

/** The file name of the library on macOS. */
export const LIBRARY_FILE = "libPhotosBridge.dylib";

/**
 * Every symbol of photos_bridge.h, with its C signature. JSON calls are `nonblocking`: they can
 * wait minutes for a prompt or an iCloud download, and run on a worker thread meanwhile.
 */
export const SYMBOLS = {
  /** int32_t psb_abi_version(void) */
  psb_abi_version: { parameters: [], result: "i32" },
  /** void psb_free(char *string) */
  psb_free: { parameters: ["pointer"], result: "void" },
  /** int64_t psb_outstanding(void) */
  psb_outstanding: { parameters: [], result: "i64" },
  /** int32_t psb_cancel(uint64_t token) */
  psb_cancel: { parameters: ["u64"], result: "i32" },
  /** char *psb_authorize(const char *request) */
  psb_authorize: { parameters: ["buffer"], result: "pointer", nonblocking: true },
  /** char *psb_list(const char *request) */
  psb_list: { parameters: ["buffer"], result: "pointer", nonblocking: true },
  /** char *psb_export(const char *request, psb_progress_fn progress) */
  psb_export: { parameters: ["buffer", "function"], result: "pointer", nonblocking: true },
  /** char *psb_download(const char *request, psb_progress_fn progress) */
  psb_download: { parameters: ["buffer", "function"], result: "pointer", nonblocking: true },
  /** char *psb_write(const char *request) */
  psb_write: { parameters: ["buffer"], result: "pointer", nonblocking: true },
  /** char *psb_history(const char *request) */
  psb_history: { parameters: ["buffer"], result: "pointer", nonblocking: true },
  /** char *psb_delete(const char *request) */
  psb_delete: { parameters: ["buffer"], result: "pointer", nonblocking: true },
  /** char *psb_create(const char *request) */
  psb_create: { parameters: ["buffer"], result: "pointer", nonblocking: true },
  /** char *psb_lookup(const char *request) */
  psb_lookup: { parameters: ["buffer"], result: "pointer", nonblocking: true },
  /** char *psb_create_album(const char *request) */
  psb_create_album: { parameters: ["buffer"], result: "pointer", nonblocking: true },
  /** char *psb_albums(const char *request) */
  psb_albums: { parameters: ["buffer"], result: "pointer", nonblocking: true },
} as const satisfies Deno.ForeignLibraryInterface;

/** void (*psb_progress_fn)(uint64_t token, uint32_t index, double fraction) */
export const PROGRESS_CALLBACK = {
  parameters: ["u64", "u32", "f64"],
  result: "void",
} as const satisfies Deno.UnsafeCallbackDefinition;

export type BridgeLibrary = Deno.DynamicLibrary<typeof SYMBOLS>;

/** The JSON calls that take only a request. */
export type JsonSymbol =
  | "psb_authorize"
  | "psb_list"
  | "psb_write"
  | "psb_history"
  | "psb_delete"
  | "psb_create"
  | "psb_lookup"
  | "psb_create_album"
  | "psb_albums";
/** The JSON calls that also take a progress callback. */
export type ProgressSymbol = "psb_export" | "psb_download";

const HOW_TO_GET_IT = `Build it on the Mac with \`swift build -c release --package-path swift\` ` +
  `(it lands in swift/.build/release/) and put it next to the photos-sync binary, or name it with ` +
  `--photokit-lib / PHOTOS_SYNC_PHOTOKIT_LIB. Without it, --source photoslibrary reads the library file directly.`;

/**
 * Where the library is looked for, in order: the path given (flag or environment variable), next to
 * the running executable (a compiled photos-sync), next to this module, and the Swift package's
 * release build folder (running from a checkout).
 */
export function libraryCandidates(explicit?: string): string[] {
  if (explicit) return [resolve(explicit)];
  const candidates = [join(dirname(Deno.execPath()), LIBRARY_FILE)];
  // Inside a compiled binary the module URL is not a file on disk.
  const here = import.meta.url.startsWith("file:") ? fileURLToPath(import.meta.url) : undefined;
  if (here) {
    candidates.push(join(dirname(here), LIBRARY_FILE));
    candidates.push(resolve(dirname(here), "../../../swift/.build/release", LIBRARY_FILE));
  }
  return candidates;
}

/**
 * Loads the library and checks that it speaks {@link ABI_VERSION}. Throws a ConfigError that says
 * where it looked and what to do when the library is missing, cannot be loaded or is of another
 * version.
 */
export function openBridgeLibrary(options: { path?: string } = {}): { library: BridgeLibrary; path: string } {
  const candidates = libraryCandidates(options.path);
  const path = candidates.find((p) => existsSync(p));
  if (!path) {
    throw new ConfigError(
      `the PhotoKit helper ${LIBRARY_FILE} was not found (looked at ${
        candidates.join(", ")
      }). ${HOW_TO_GET_IT}`,
    );
  }
  // Only the version symbol first: a library of another version may lack symbols of this one, and
  // binding them all would fail with a message about a symbol instead of about the version.
  const probe = load(path, { psb_abi_version: SYMBOLS.psb_abi_version });
  let version: number;
  try {
    version = probe.symbols.psb_abi_version();
  } finally {
    probe.close();
  }
  if (version !== ABI_VERSION) {
    throw new ConfigError(
      `the PhotoKit helper ${path} speaks ABI version ${version}, but this photos-sync needs version ` +
        `${ABI_VERSION}. Use the ${LIBRARY_FILE} built from the same release as photos-sync. ${HOW_TO_GET_IT}`,
    );
  }
  return { library: load(path, SYMBOLS), path };
}

function load<S extends Deno.ForeignLibraryInterface>(path: string, symbols: S): Deno.DynamicLibrary<S> {
  try {
    return Deno.dlopen(path, symbols);
  } catch (e) {
    throw new ConfigError(
      `the PhotoKit helper ${path} cannot be loaded (${(e as Error).message}). ${HOW_TO_GET_IT}`,
    );
  }
}

/** A request as the C side reads it: UTF-8 JSON with a terminating NUL. */
export function encodeRequest(request: unknown): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(JSON.stringify(request) + "\0");
}

/**
 * Reads a string the library returned and releases it with `psb_free` (always, even when the
 * text is not what was expected), then unwraps the envelope: the result, or the mapped error.
 */
export function takeResponse(library: BridgeLibrary, pointer: Deno.PointerValue): unknown {
  if (pointer === null) {
    throw new FatalError(
      "the PhotoKit helper returned no answer (it may be out of memory); nothing was changed",
    );
  }
  let text: string;
  try {
    text = Deno.UnsafePointerView.getCString(pointer);
  } finally {
    library.symbols.psb_free(pointer);
  }
  let envelope: { ok?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
  try {
    envelope = JSON.parse(text);
  } catch {
    throw new FatalError(`the PhotoKit helper answered something that is not JSON: ${text.slice(0, 200)}`);
  }
  if (envelope.ok === true) return envelope.result;
  if (envelope.ok === false && envelope.error) {
    throw bridgeError(String(envelope.error.code), String(envelope.error.message ?? ""));
  }
  throw new FatalError(`the PhotoKit helper answered without its envelope: ${text.slice(0, 200)}`);
}

/** One JSON call: a symbol and its request, plus a `psb_progress_fn` for the calls that take one. */
export type JsonCall =
  | { symbol: JsonSymbol; request: unknown }
  | { symbol: ProgressSymbol; request: unknown; progress: Deno.PointerValue };

/** Makes a JSON call and unwraps its answer. The request buffer lives until the call returns. */
export async function callJson(library: BridgeLibrary, call: JsonCall): Promise<unknown> {
  const buffer = encodeRequest(call.request);
  const pointer = "progress" in call
    ? await library.symbols[call.symbol](buffer, call.progress)
    : await library.symbols[call.symbol](buffer);
  return takeResponse(library, pointer);
}

/** The library's error codes (photos_bridge.h), each with its class and what to do about it. */
export const ERROR_CODES = {
  bad_request: FatalError,
  not_authorized: ConfigError,
  not_found: PermanentError,
  // Not permanent: the asset is fine, only not downloaded; recorded as permanent it would wait for
  // `review --retry` and even be offered to `review --delete`.
  network_required: RetryableError,
  network: RetryableError,
  timeout: RetryableError,
  cancelled: RetryableError,
  exists: PermanentError,
  io: RetryableError,
  no_space: FatalError,
  library_unavailable: FatalError,
  declined: FatalError,
  // Refused once, refused for every asset: the run stops (the library's message says what to allow).
  automation_denied: ConfigError,
  unsupported: PermanentError,
  internal: RetryableError,
} as const;

export type BridgeErrorCode = keyof typeof ERROR_CODES;

const ADVICE: Partial<Record<BridgeErrorCode, string>> = {
  bad_request: "this is a bug in photos-sync; please report it with this message",
  not_authorized:
    "allow access in System Settings > Privacy & Security > Photos for the app that runs photos-sync (e.g. Terminal), then run again",
  not_found: "the asset or file is no longer in Photos as it was listed; run again to pick up the change",
  network_required: "the original is only in iCloud; photos-sync downloads it when run with --include-cloud",
  network: "the iCloud download failed; it will be tried again",
  timeout:
    "Photos delivered nothing for too long; it will be tried again (raise --photokit-timeout for slow links)",
  no_space: "the disk is full; free space and run again",
  library_unavailable: "open Photos and make sure the system library is available, then run again",
  declined: "the change was declined in the Photos dialog; nothing was changed",
};

/**
 * The one mapping from the library's error codes to photos-sync's error classes. An unknown code
 * (a newer library) is retryable, like any error the host does not recognise.
 */
export function bridgeError(code: string, message: string): Error {
  const known = code in ERROR_CODES ? code as BridgeErrorCode : undefined;
  const Kind = known ? ERROR_CODES[known] : RetryableError;
  const advice = known ? ADVICE[known] : undefined;
  const error = new Kind(advice ? `${message}; ${advice}` : message);
  return Object.assign(error, { code });
}
