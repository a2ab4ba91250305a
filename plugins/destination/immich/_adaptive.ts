/**
 * How many uploads may be in flight at once, adapted to the server's answers. The engine's
 * concurrency is the ceiling and the start: nothing is held back until the server shows strain.
 *
 * - A 429 or 503 halves the limit at once (the server says it is overwhelmed).
 * - Every {@link SAMPLES} answers, the window's throughput and latency are compared with the last
 *   window's: answers much slower without more throughput for it mean the uploads only queue at
 *   the server, so the limit goes down by one; a lowered limit goes up by one each window whose
 *   answers are not slower, and past the most uploads ever in flight it is lifted.
 *
 * @example
 * ```ts
 * const limit = new AdaptiveLimit();
 * const answer = await limit.run(() => client.post("/assets", body, headers, request));
 * ```
 * @module
 */

/** Answers per window before the limit moves. */
export const SAMPLES = 8;
/** A window whose mean latency is this many times the last one's is slower. */
export const SLOWER = 1.5;
/** Throughput must grow by this factor to count as growth (runs are noisy). */
const GAIN = 1.05;

interface Measured {
  /** Answers per millisecond. */
  throughput: number;
  /** Mean milliseconds per answer. */
  latency: number;
}

/** Whether an error says the server is overwhelmed (429 Too Many Requests, 503 Unavailable). */
export function isBusy(e: unknown): boolean {
  const status = (e as { status?: unknown } | undefined)?.status;
  return status === 429 || status === 503;
}

export class AdaptiveLimit {
  #limit = Infinity;
  #inFlight = 0;
  /** The most uploads seen in flight: the engine's concurrency. */
  #peak = 0;
  readonly #waiting: (() => void)[] = [];
  #window: { started: number; count: number; ms: number };
  #last?: Measured;

  constructor(readonly now: () => number = () => performance.now()) {
    this.#window = { started: now(), count: 0, ms: 0 };
  }

  /** The uploads allowed in flight now (Infinity: as many as the engine runs). */
  get limit(): number {
    return this.#limit;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#inFlight >= this.#limit) await new Promise<void>((r) => this.#waiting.push(r));
    this.#inFlight++;
    this.#peak = Math.max(this.#peak, this.#inFlight);
    const started = this.now();
    try {
      const value = await fn();
      this.#answered(this.now() - started);
      return value;
    } catch (e) {
      if (isBusy(e)) this.#set(Math.floor(Math.min(this.#limit, this.#peak) / 2));
      throw e;
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }

  #answered(ms: number): void {
    const w = this.#window;
    w.count++;
    w.ms += ms;
    if (w.count < SAMPLES) return;
    const measured = { throughput: w.count / Math.max(1, this.now() - w.started), latency: w.ms / w.count };
    const last = this.#last;
    const slower = last !== undefined && measured.latency > SLOWER * last.latency;
    const gained = last === undefined || measured.throughput > GAIN * last.throughput;
    const current = Math.min(this.#limit, this.#peak);
    if (slower && !gained) this.#set(current - 1, measured);
    else if (this.#limit !== Infinity && !slower) this.#set(current + 1, measured);
    else this.#restart(measured);
  }

  /** A new limit (at least 1; above the peak, none), measured afresh from here. */
  #set(limit: number, measured?: Measured): void {
    this.#limit = limit > this.#peak ? Infinity : Math.max(1, limit);
    this.#restart(measured);
    // The waiting uploads look again (each checks the limit before it goes).
    for (const wake of this.#waiting.splice(0)) wake();
  }

  #restart(measured?: Measured): void {
    this.#last = measured;
    this.#window = { started: this.now(), count: 0, ms: 0 };
  }
}
