/**
 * Group commit: concurrent callers' items go to the server together. While one batch is in
 * flight, new items queue up and leave as the next batch, so batches grow with the load and a
 * lone caller waits for nothing (no timer, no window to tune).
 *
 * @example
 * ```ts
 * const checks = new GroupCommit((sums: string[]) => bulkCheck(sums), { maxBatch: 1000 });
 * const result = await checks.add(sha1); // shares a request with other put() calls in flight
 * ```
 * @module
 */

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<I, O> {
  readonly #queue: Waiting<I, O>[] = [];
  #running = false;

  /**
   * `run` answers one batch, in order. An answer that is an Error fails only its caller; a throw
   * fails the whole batch.
   */
  constructor(
    readonly run: (items: I[]) => Promise<(O | Error)[]>,
    readonly options: { maxBatch: number },
  ) {}

  add(item: I): Promise<O> {
    const { promise, resolve, reject } = Promise.withResolvers<O>();
    this.#queue.push({ item, resolve, reject });
    if (!this.#running) {
      this.#running = true;
      // Let callers that are resuming in this same turn join the first batch.
      queueMicrotask(() => void this.#drain());
    }
    return promise;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.options.maxBatch);
        try {
          const results = await this.run(batch.map((w) => w.item));
          batch.forEach((w, i) => {
            const result = results[i];
            if (result instanceof Error) w.reject(result);
            else w.resolve(result);
          });
        } catch (e) {
          for (const w of batch) w.reject(e);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
