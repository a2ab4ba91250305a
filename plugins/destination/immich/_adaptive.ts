/**
 * How many uploads may be in flight at once, adapted to the server's answers. Uploads start at
 * {@link START} in flight and rise toward the engine's concurrency while throughput rises.
 *
 * - A 429 or 503 halves the limit at once (the server says it is overwhelmed).
 * - Every window of answers ({@link PER_UPLOAD} per upload in flight) is compared with the last, by
 *   the work answered ({@link uploadSize}: a big file counts for more than a small one):
 *   - after a rise, throughput that did not grow with it means the extra uploads only queue at the
 *     server: the limit steps back and holds for {@link PATIENCE} windows before it tries again;
 *   - answers much slower for no more throughput lower the limit by one;
 *   - otherwise, while more uploads wait than the limit lets go, it rises by half ({@link RISE}).
 *
 * @example
 * ```ts
 * const limit = new AdaptiveLimit();
 * const answer = await limit.run(() => client.post("/assets", body, headers, request), uploadSize(file.size));
 * ```
 * @module
 */

/** Uploads in flight to begin with: the engine's old fixed default, at which a real 1.135.3 server was measured. */
export const START = 4;
/** Answers per upload in flight in a window: fewer are too noisy to tell what a rise bought. */
export const PER_UPLOAD = 16;
/** A window whose mean latency is this many times the last one's is slower. */
export const SLOWER = 1.5;
/** A rise multiplies the limit by this: one more upload's gain hid in a window's noise (the bench). */
export const RISE = 1.5;
/** Windows to hold after a rise that bought nothing (a server's load changes, so it tries again). */
export const PATIENCE = 4;

/**
 * An upload's work in small uploads' worth: one for the request (a row, a file, an answer) plus one
 * for every {@link BYTES_PER_UPLOAD} it sends. A rough weight, not measured on a real server; what
 * matters is that a window of big files does not read as a slower server.
 */
export function uploadSize(bytes: number): number {
  return 1 + bytes / BYTES_PER_UPLOAD;
}
/** The bytes that weigh as much as one request. */
export const BYTES_PER_UPLOAD = 4 << 20;

interface Measured {
  /** Work answered per millisecond, in small uploads' worth. */
  throughput: number;
  /** Milliseconds per small upload's worth of work. */
  latency: number;
  /** The limit the window ran at. */
  limit: number;
}

/** Whether an error says the server is overwhelmed (429 Too Many Requests, 503 Unavailable). */
export function isBusy(e: unknown): boolean {
  const status = (e as { status?: unknown } | undefined)?.status;
  return status === 429 || status === 503;
}

export class AdaptiveLimit {
  #limit: number;
  #inFlight = 0;
  /** The most uploads wanted at once, in flight and waiting: the engine's concurrency. */
  #demand = 0;
  readonly #waiting: (() => void)[] = [];
  /** The answers since the window started; none before the first answer (the pipe is filling). */
  #window?: { started: number; count: number; ms: number; work: number };
  #last?: Measured;
  #patience = 0;

  constructor(start: number = START, readonly now: () => number = () => performance.now()) {
    this.#limit = Math.max(1, start);
  }

  /** The uploads allowed in flight now. */
  get limit(): number {
    return this.#limit;
  }

  /** Runs one upload whose work is `size` small uploads' worth (see {@link uploadSize}). */
  async run<T>(fn: () => Promise<T>, size = 1): Promise<T> {
    this.#demand = Math.max(this.#demand, this.#inFlight + this.#waiting.length + 1);
    while (this.#inFlight >= this.#limit) await new Promise<void>((r) => this.#waiting.push(r));
    this.#inFlight++;
    const started = this.now();
    try {
      const value = await fn();
      this.#answered(this.now() - started, size);
      return value;
    } catch (e) {
      if (isBusy(e)) this.#set(Math.floor(Math.min(this.#limit, this.#demand) / 2));
      throw e;
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }

  #answered(ms: number, size: number): void {
    const w = this.#window;
    if (!w) return this.#restart();
    w.count++;
    w.ms += ms;
    w.work += size;
    if (w.count < PER_UPLOAD * this.#limit) return;
    const measured = {
      throughput: w.work / Math.max(1, this.now() - w.started),
      latency: w.ms / w.work,
      limit: this.#limit,
    };
    const last = this.#last;
    // At a server that keeps up, throughput grows with the limit; half of that counts as growth.
    const gained = last !== undefined &&
      measured.throughput > (1 + 0.5 * (measured.limit / last.limit - 1)) * last.throughput;
    const slower = last !== undefined && measured.latency > SLOWER * last.latency;
    if (last && measured.limit > last.limit && !gained) {
      this.#patience = PATIENCE;
      this.#set(last.limit);
    } else if (slower && !gained) {
      this.#set(this.#limit - 1, measured);
    } else if (this.#patience > 0) {
      this.#patience--;
      this.#restart(measured);
    } else if (this.#demand > this.#limit) {
      this.#set(Math.min(this.#demand, Math.ceil(this.#limit * RISE)), measured);
    } else {
      this.#restart(measured);
    }
  }

  /** A new limit (at least 1), measured afresh from here against `measured`. */
  #set(limit: number, measured?: Measured): void {
    this.#limit = Math.max(1, limit);
    this.#restart(measured);
    // The waiting uploads look again (each checks the limit before it goes).
    for (const wake of this.#waiting.splice(0)) wake();
  }

  #restart(measured?: Measured): void {
    this.#last = measured;
    this.#window = { started: this.now(), count: 0, ms: 0, work: 0 };
  }
}
