/**
 * Runs the tasks of one key one after another, tasks of different keys side by side: two puts of
 * the same asset (or two that need the same new album) must not both create it.
 *
 * @example
 * ```ts
 * const once = new OneAtATime();
 * await Promise.all([once.run("a", make), once.run("a", make)]); // the second starts after the first
 * ```
 * @module
 */
export class OneAtATime {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.#tails.get(key) ?? Promise.resolve();
    const result = before.catch(() => {}).then(task);
    const tail = result.catch(() => {});
    this.#tails.set(key, tail);
    // The last task of a key forgets it, so the map does not grow with every asset of a run.
    tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }
}
