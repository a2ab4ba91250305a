/**
 * Retry with exponential back-off and full jitter, for retryable errors only. Plugins never retry
 * or sleep themselves; the engine wraps their calls with this.
 *
 * @example
 * ```ts
 * await retry(() => destination.put(group), { attempts: 3, baseMs: 1000, signal });
 * ```
 * @module
 */
import { errorKind } from "../plugin/errors.ts";

export interface RetryOptions {
  /** Total tries, including the first (default 3). */
  attempts?: number;
  /** Pause before the second try; doubles each time (default 1000 ms). */
  baseMs?: number;
  /** Upper bound of one pause (default 30 000 ms). */
  maxMs?: number;
  signal?: AbortSignal;
  /** Called before each pause, e.g. to log. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Replaceable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The pause before try number `attempt + 1`: random in [0, min(max, base * 2^(attempt-1))]. */
export function backoffMs(
  attempt: number,
  options: { baseMs?: number; maxMs?: number; random?: () => number },
) {
  const cap = Math.min(options.maxMs ?? 30_000, (options.baseMs ?? 1000) * 2 ** (attempt - 1));
  return Math.round((options.random ?? Math.random)() * cap);
}

export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 3;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1;; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= attempts || errorKind(e) !== "retryable" || options.signal?.aborted) throw e;
      const delay = backoffMs(attempt, options);
      options.onRetry?.(e, attempt, delay);
      await wait(delay, options.signal);
    }
  }
}
