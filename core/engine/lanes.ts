/**
 * Lanes: one stream of work split into queues that each run at their own concurrency, so slow iCloud
 * downloads never hold up local exports and uploads. Each queue is bounded; a full lane makes the
 * producer wait (back-pressure) instead of piling work up in memory.
 *
 * @example
 * ```ts
 * await runLanes(spool.read(), (a) => needsDownload(a) ? "cloud" : "local", {
 *   local: { concurrency: 4, work: importOne },
 *   cloud: { concurrency: 1, work: downloadThenImport },
 * });
 * ```
 * @module
 */
import { forEachConcurrent } from "./pool.ts";

export interface Lane<T> {
  concurrency: number;
  work: (item: T) => Promise<void>;
  /** Items that may wait in the lane's queue (default 64). */
  capacity?: number;
}

/** A bounded async queue: push() waits while it is full; iteration ends after close(). */
export class AsyncQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  readonly #consumers: ((r: IteratorResult<T>) => void)[] = [];
  readonly #producers: (() => void)[] = [];
  #closed = false;

  constructor(readonly capacity: number) {}

  async push(item: T): Promise<boolean> {
    while (this.#items.length >= this.capacity && !this.#closed) {
      await new Promise<void>((resolve) => this.#producers.push(resolve));
    }
    if (this.#closed) return false;
    const consumer = this.#consumers.shift();
    if (consumer) consumer({ value: item, done: false });
    else this.#items.push(item);
    return true;
  }

  close(): void {
    this.#closed = true;
    for (const c of this.#consumers.splice(0)) c({ value: undefined, done: true });
    for (const p of this.#producers.splice(0)) p();
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        if (this.#items.length > 0) {
          const value = this.#items.shift()!;
          this.#producers.shift()?.();
          return Promise.resolve({ value, done: false });
        }
        if (this.#closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.#consumers.push(resolve));
      },
    };
  }
}

/**
 * Feeds each item to the lane `route` names. Resolves when every lane is done; if a lane's work
 * throws, the other lanes finish what they hold, no new items are taken, and the error is rethrown.
 */
export async function runLanes<T>(
  items: AsyncIterable<T> | Iterable<T>,
  route: (item: T) => string,
  lanes: Record<string, Lane<T>>,
): Promise<void> {
  const queues = new Map<string, AsyncQueue<T>>();
  let failure: { error: unknown } | undefined;
  const running = Object.entries(lanes).map(([name, lane]) => {
    const queue = new AsyncQueue<T>(lane.capacity ?? 64);
    queues.set(name, queue);
    return forEachConcurrent(queue, lane.concurrency, lane.work).catch((error) => {
      failure ??= { error };
      for (const q of queues.values()) q.close();
    });
  });
  try {
    for await (const item of items) {
      if (failure) break;
      const name = route(item);
      const queue = queues.get(name);
      if (!queue) throw new Error(`no lane named ${name}`);
      await queue.push(item);
    }
  } finally {
    for (const q of queues.values()) q.close();
    await Promise.all(running);
  }
  if (failure) throw failure.error;
}
