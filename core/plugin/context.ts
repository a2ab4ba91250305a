/**
 * The host's side of {@link PluginContext}: a scoped logger, state in the tracker, an HTTP client
 * with timeouts and a subprocess runner that streams both pipes and keeps secrets out of argv.
 * @module
 */
import type {
  HttpClient,
  Logger,
  PluginContext,
  RunOptions,
  RunResult,
  StateStore,
  SubprocessRunner,
} from "./types.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogSink = (
  level: LogLevel,
  scope: string,
  message: string,
  fields?: Record<string, unknown>,
) => void;

export function scopedLogger(scope: string, sink: LogSink): Logger {
  return {
    debug: (m, f) => sink("debug", scope, m, f),
    info: (m, f) => sink("info", scope, m, f),
    warn: (m, f) => sink("warn", scope, m, f),
    error: (m, f) => sink("error", scope, m, f),
  };
}

/**
 * The secret masking a subprocess runner needs. Declared here, not imported, so the contract
 * depends on nothing else of the host; the config's `Redactor` has this shape.
 */
export interface SecretFilter {
  /** Whether the text contains a registered secret. */
  has(text: string): boolean;
  /** The text with every registered secret masked. */
  redact(text: string): string;
}

/** A filter that knows no secrets, for contexts built without a configuration (tests). */
export const NO_SECRETS: SecretFilter = { has: () => false, redact: (text) => text };

/** The tracker's per-plugin state table, as far as a context uses it; the tracker has this shape. */
export interface StateTable {
  stateGet(pluginId: string, key: string): unknown;
  stateSet(pluginId: string, key: string, value: unknown): void;
  stateDelete(pluginId: string, key: string): void;
  stateKeys(pluginId: string, prefix: string): string[];
}

export function trackerState(tracker: StateTable, pluginId: string): StateStore {
  return {
    get: <T>(key: string) => tracker.stateGet(pluginId, key) as T | undefined,
    set: (key, value) => tracker.stateSet(pluginId, key, value),
    delete: (key) => tracker.stateDelete(pluginId, key),
    keys: (prefix) => tracker.stateKeys(pluginId, prefix),
  };
}

/** An in-memory state store, for plugins used outside a tracked run and for tests. */
export function memoryState(): StateStore {
  const map = new Map<string, unknown>();
  return {
    get: <T>(key: string) => structuredClone(map.get(key)) as T | undefined,
    set: (key, value) => void map.set(key, structuredClone(value)),
    delete: (key) => void map.delete(key),
    keys: (prefix) => [...map.keys()].filter((k) => k.startsWith(prefix)).sort(),
  };
}

/**
 * `fetch` bounded by the run's signal, the caller's and a timeout that covers the body too. Each
 * request has its own controller, unlinked once its body is read whole: `AbortSignal.any` and
 * `AbortSignal.timeout` kept about 0.5 KB per request alive (until the timeout fired, and in the
 * run's signal for good), which grew an import's heap with the library.
 */
export function httpClient(signal: AbortSignal): HttpClient {
  return async (input, init = {}) => {
    const { timeoutMs = 60_000, signal: own, ...rest } = init;
    const request = new AbortController();
    const sources = own ? [signal, own] : [signal];
    const follow = (e: Event) => request.abort((e.target as AbortSignal).reason);
    const timer = setTimeout(
      () => request.abort(new DOMException(`timed out after ${timeoutMs} ms`, "TimeoutError")),
      // Node's timers, which Deno's are now, fire at once for a delay past 2^31 - 1 ms (24.8 days).
      Math.min(timeoutMs, 2 ** 31 - 1),
    );
    Deno.unrefTimer(timer);
    const done = () => {
      clearTimeout(timer);
      for (const s of sources) s.removeEventListener("abort", follow);
    };
    request.signal.addEventListener("abort", done, { once: true });
    for (const s of sources) {
      if (s.aborted) request.abort(s.reason);
      else s.addEventListener("abort", follow, { once: true });
    }
    let response: Response;
    try {
      response = await fetch(input, { ...rest, signal: request.signal });
    } catch (e) {
      done();
      throw e;
    }
    if (!response.body) {
      done();
      return response;
    }
    // Reading the whole body ends the request. Wrapping the body stream instead cost 7 MB of C heap
    // over 10,000 uploads (it leaves Deno's fast path); a body read as a stream ends at the timeout.
    for (const method of ["text", "json", "arrayBuffer", "bytes", "blob", "formData"] as const) {
      const read = response[method].bind(response);
      Object.defineProperty(response, method, { value: () => read().finally(done) });
    }
    return response;
  };
}

export function subprocessRunner(redactor: SecretFilter, signal: AbortSignal): SubprocessRunner {
  return async (command: string, args: string[], options: RunOptions = {}): Promise<RunResult> => {
    if (args.some((a) => redactor.has(a))) {
      throw new Error(
        `refusing to pass a secret to ${command} in its arguments; pass it through env or stdin`,
      );
    }
    const keep = options.keepStderrLines ?? 20;
    let env: Record<string, string> | undefined = options.env;
    let clearEnv = false;
    if (options.unsetEnv?.length) {
      env = { ...Deno.env.toObject(), ...options.env };
      for (const name of options.unsetEnv) delete env[name];
      clearEnv = true;
    }
    const child = new Deno.Command(command, {
      args,
      env,
      clearEnv,
      cwd: options.cwd,
      stdin: options.stdin === undefined ? "null" : "piped",
      stdout: "piped",
      stderr: "piped",
      signal,
    }).spawn();
    if (options.stdin !== undefined) {
      const w = child.stdin.getWriter();
      await w.write(
        typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin,
      );
      await w.close();
    }
    const tail: string[] = [];
    const [status] = await Promise.all([
      child.status,
      eachLine(child.stdout, (l) => options.onStdoutLine?.(l)),
      eachLine(child.stderr, (l) => {
        const line = redactor.redact(l);
        tail.push(line);
        if (tail.length > keep) tail.shift();
        options.onStderrLine?.(line);
      }),
    ]);
    return { code: status.code, stderrTail: tail };
  };
}

/** The lines of a byte stream, as they arrive (without line endings). */
export async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    let nl;
    while ((nl = rest.indexOf("\n")) >= 0) {
      yield rest.slice(0, nl).replace(/\r$/, "");
      rest = rest.slice(nl + 1);
    }
  }
  if (rest) yield rest;
}

/** Calls `fn` for each line of a byte stream, as it arrives. */
export async function eachLine(
  stream: ReadableStream<Uint8Array>,
  fn: (line: string) => void,
): Promise<void> {
  for await (const line of lines(stream)) fn(line);
}

export interface ContextOptions {
  tracker?: StateTable;
  sink: LogSink;
  redactor: SecretFilter;
  signal: AbortSignal;
  tempRoot: string;
  dataDir: string;
}

/** Builds the context for one plugin; its temp dir is a fresh folder under `tempRoot`. */
export async function makeContext(pluginId: string, options: ContextOptions): Promise<PluginContext> {
  const tempDir = await Deno.makeTempDir({ dir: options.tempRoot, prefix: `${pluginId}-` });
  return {
    log: scopedLogger(pluginId, options.sink),
    signal: options.signal,
    tempDir,
    dataDir: options.dataDir,
    state: options.tracker ? trackerState(options.tracker, pluginId) : memoryState(),
    http: httpClient(options.signal),
    run: subprocessRunner(options.redactor, options.signal),
  };
}
