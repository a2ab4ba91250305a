/**
 * Runs an async function over an async iterable with at most `concurrency` calls in flight, pulling
 * from the iterable only as slots free up, so a large listing never piles up in memory.
 *
 * @example
 * ```ts
 * await forEachConcurrent(source.list(), 4, async (asset) => { await importOne(asset); });
 * ```
 * @module
 */
export async function forEachConcurrent<T>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const limit = Math.max(1, Math.floor(concurrency));
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  try {
    for await (const item of items) {
      if (failure) break;
      const p: Promise<void> = fn(item).catch((error) => {
        failure ??= { error };
      }).finally(() => running.delete(p));
      running.add(p);
      if (running.size >= limit) await Promise.race(running);
    }
  } finally {
    // Also when the listing itself throws: let the work in flight finish before reporting.
    await Promise.all(running);
  }
  if (failure) throw failure.error;
}
