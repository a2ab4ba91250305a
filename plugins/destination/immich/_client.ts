/**
 * The HTTP side of `destination.immich`: one place that talks to the server, with timeouts and
 * the error classification the engine relies on (network, 429 and 5xx retryable; 401 a configuration error, 403
 * fatal; other 4xx permanent with the server's message). It never retries or sleeps.
 * @module
 */
import { ConfigError, FatalError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import type { HttpClient } from "../../../core/plugin/types.ts";

export interface ServerVersion {
  major: number;
  minor: number;
  patch: number;
}

export interface ClientOptions {
  /** The API root, e.g. `http://nas:2283/api`. */
  api: string;
  apiKey: string;
  http: HttpClient;
  /** Per request; for uploads, the longest the transfer may stall (default 60 s). */
  timeoutMs?: number;
  /** Aborted when the run is cancelled. */
  signal?: AbortSignal;
}

export interface RequestOptions {
  /** Says what the request was for in error messages, e.g. `uploading IMG_0001.HEIC (9F1C…)`. */
  what: string;
  headers?: Record<string, string>;
  /** Statuses that are answers, not errors (the body is returned as is). */
  accept?: number[];
}

/** A parsed answer: status plus JSON (or text) body. */
export interface Answer<T = unknown> {
  status: number;
  body: T;
  /** The server's clock when it answered (the `Date` header, whole seconds), when it sent one. */
  date?: string;
}

/** The server's own words from an error body (`message` may be a list), or a short text. */
export function serverMessage(body: unknown, fallback: string): string {
  if (body && typeof body === "object" && "message" in body) {
    const m = (body as { message: unknown }).message;
    if (Array.isArray(m)) return m.join("; ");
    if (typeof m === "string") return m;
  }
  if (typeof body === "string" && body.trim() !== "") {
    const title = /<title>([^<]*)<\/title>/i.exec(body);
    return title ? title[1].trim() : body.trim().slice(0, 200);
  }
  return fallback;
}

/**
 * Turns a failed HTTP answer into the error class the engine acts on. Exported for tests.
 *
 * @example
 * ```ts
 * classify(429, { message: "Too many requests" }, "uploading a.jpg"); // RetryableError
 * ```
 */
export function classify(status: number, body: unknown, what: string): Error {
  const said = serverMessage(body, `HTTP ${status}`);
  // A key the server does not know is the user's configuration to fix (exit 2), like a wrong URL;
  // a key without a permission stays fatal, so an import can go on without what it may not do.
  if (status === 401) {
    return new ConfigError(
      `Immich refused the API key while ${what} (401: ${said}); create a new key in Immich under ` +
        `Account Settings > API Keys and set IMMICH_API_KEY`,
    );
  }
  if (status === 403) {
    return new FatalError(
      `the Immich API key may not do this (${what}; 403: ${said}); give the key the missing permission ` +
        `in Immich under Account Settings > API Keys, or use a key with "all"`,
    );
  }
  if (status === 408 || status === 429 || status >= 500) {
    // The status stays on the error, so the upload limit can tell "overwhelmed" (429, 503) apart.
    return Object.assign(new RetryableError(`Immich is busy or failing (${status}: ${said}) while ${what}`), {
      status,
    });
  }
  if (status === 413) {
    return new PermanentError(
      `Immich or a proxy in front of it refused the request as too large (413: ${said}) while ${what}; ` +
        `raise the proxy's body size limit (nginx: client_max_body_size) and retry the asset`,
    );
  }
  return new PermanentError(`Immich refused ${what} (${status}: ${said})`);
}

function isAbort(e: unknown): boolean {
  return e instanceof DOMException && (e.name === "AbortError" || e.name === "TimeoutError");
}

export class ImmichClient {
  readonly api: string;
  readonly #key: string;
  readonly #http: HttpClient;
  readonly timeoutMs: number;
  readonly #signal?: AbortSignal;

  constructor(options: ClientOptions) {
    this.api = options.api.replace(/\/+$/, "");
    this.#key = options.apiKey;
    this.#http = options.http;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.#signal = options.signal;
  }

  /** A client for the same server with another key (the admin key that pauses jobs). */
  withKey(apiKey: string): ImmichClient {
    return new ImmichClient({
      api: this.api,
      apiKey,
      http: this.#http,
      timeoutMs: this.timeoutMs,
      signal: this.#signal,
    });
  }

  /**
   * A client for tidying up after the run (resuming the jobs it paused), which the run's stop must
   * not cut short: the host's `http` ends every request once the run is stopped, so this one fetches
   * on its own, bounded by a timeout of at most 10 s (a second Ctrl-C still exits at once).
   */
  forTidying(): ImmichClient {
    const timeoutMs = Math.min(this.timeoutMs, 10_000);
    return new ImmichClient({
      api: this.api,
      apiKey: this.#key,
      http: (input, { timeoutMs: _, ...init } = {}) =>
        fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
      timeoutMs,
    });
  }

  /** A JSON request. Throws the classified error for any status not accepted. */
  async json<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<T> {
    const answer = await this.request<T>(method, path, body, options);
    return answer.body;
  }

  async request<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<Answer<T>> {
    const headers: Record<string, string> = {
      "x-api-key": this.#key,
      accept: "application/json",
      ...options.headers,
    };
    if (body !== undefined) headers["content-type"] = "application/json";
    return await this.#send<T>(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      timeoutMs: this.timeoutMs,
    }, options);
  }

  /** Posts a body held in memory; the timeout grows by a second per MiB. */
  async post<T>(
    path: string,
    body: Uint8Array,
    headers: Record<string, string>,
    options: RequestOptions,
  ): Promise<Answer<T>> {
    return await this.#send<T>(path, {
      method: "POST",
      headers: { "x-api-key": this.#key, accept: "application/json", ...headers },
      body: body as BodyInit,
      timeoutMs: this.timeoutMs + Math.floor(body.byteLength / (1 << 20)) * 1000,
    }, options);
  }

  /**
   * Streams a request body. The timeout applies to stalls: it restarts whenever the body is read
   * from, so a 4 GB video is not cut off because it takes longer than a small photo.
   */
  async stream<T>(
    path: string,
    body: { stream: ReadableStream<Uint8Array>; onRead(fn: () => void): void },
    headers: Record<string, string>,
    options: RequestOptions,
  ): Promise<Answer<T>> {
    const stall = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => stall.abort(new DOMException(`no progress for ${this.timeoutMs / 1000} s`, "TimeoutError")),
        this.timeoutMs,
      );
    };
    body.onRead(arm);
    arm();
    try {
      return await this.#send<T>(path, {
        method: "POST",
        headers: { "x-api-key": this.#key, accept: "application/json", ...headers },
        body: body.stream,
        signal: stall.signal,
        // The stall timer bounds the request; this only guards against a clock that never fires.
        timeoutMs: 7 * 24 * 3600_000,
      }, options);
    } finally {
      clearTimeout(timer);
    }
  }

  async #send<T>(
    path: string,
    init: RequestInit & { timeoutMs: number },
    options: RequestOptions,
  ): Promise<Answer<T>> {
    const url = `${this.api}${path}`;
    let response: Response;
    let text: string;
    try {
      response = await this.#http(url, init);
      text = await response.text();
    } catch (e) {
      if (this.#signal?.aborted) throw this.#signal.reason ?? e;
      if (isAbort(e)) {
        throw new RetryableError(
          `Immich did not answer in time while ${options.what} (${(e as Error).message})`,
        );
      }
      throw new RetryableError(
        `cannot reach Immich at ${new URL(this.api).origin} while ${options.what} (${
          (e as Error).message
        }); ` +
          `check that the server is running and IMMICH_URL is right`,
      );
    }
    let parsed: unknown = text;
    if (/json/i.test(response.headers.get("content-type") ?? "") && text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (response.ok) {
          throw new RetryableError(
            `Immich sent a broken answer while ${options.what}: ${text.slice(0, 100)}`,
          );
        }
      }
    }
    if (response.ok || options.accept?.includes(response.status)) {
      const date = response.headers.get("date");
      return { status: response.status, body: parsed as T, ...(date ? { date } : {}) };
    }
    throw classify(response.status, parsed, options.what);
  }
}
