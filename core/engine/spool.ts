/**
 * A first-in first-out pipe of JSON lines through temporary files. The import lists the library
 * into the spool while it works through what was listed, so uploads start with the first assets
 * while memory stays flat however far the listing runs ahead: past 256 KB, what waits goes to a
 * segment file on disk, and each segment is read back (and removed) in turn.
 *
 * @example
 * ```ts
 * await using spool = await Spool.create<Asset>(tempDir);
 * const listing = (async () => {
 *   for await (const a of source.list()) if (todo(a)) await spool.add(a);
 *   spool.end();
 * })();
 * for await (const a of spool.read()) await work(a);
 * await listing;
 * ```
 * @module
 */
import { joinPath } from "../model/path.ts";

/**
 * Lines kept in memory before they go to disk. Small because a line that outlives a few of V8's
 * young-generation collections (1 MB each, V8_FLAGS) moves to the old generation and lingers there
 * as garbage: with a megabyte here the peak of a 100,000-asset import rose by 10 to 20 MB.
 */
const FLUSH_BYTES = 1 << 18;

export class Spool<T> implements AsyncDisposable {
  /** Lines added and not yet on disk nor read, oldest first. */
  #buffer: string[] = [];
  #buffered = 0;
  /** Segment files written and not yet read, oldest first; all older than the buffer. */
  readonly #segments: string[] = [];
  #written = 0;
  #count = 0;
  #ended = false;
  /** The reader waiting for a line, or for the end. */
  #wake?: () => void;

  private constructor(readonly dir: string) {}

  static async create<T>(dir: string): Promise<Spool<T>> {
    return new Spool<T>(await Deno.makeTempDir({ dir, prefix: "spool-" }));
  }

  /** Items added so far (the total, once {@link end} was called). */
  get count(): number {
    return this.#count;
  }

  async add(item: T): Promise<void> {
    const line = JSON.stringify(item) + "\n";
    this.#buffer.push(line);
    this.#buffered += line.length;
    this.#count++;
    if (this.#buffered >= FLUSH_BYTES) await this.#flush();
    this.#notify();
  }

  /** No more items: the reader stops once it has read everything added. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** What waits in memory goes to a new segment file; the reader finds it after the older ones. */
  async #flush(): Promise<void> {
    const lines = this.#buffer;
    this.#buffer = [];
    this.#buffered = 0;
    const path = joinPath(this.dir, `${String(this.#written++).padStart(8, "0")}.jsonl`);
    await Deno.writeTextFile(path, lines.join(""));
    this.#segments.push(path);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /**
   * Every item added, in order, as soon as it is added; ends after {@link end}. Only one reader:
   * what it reads is gone from the spool.
   */
  async *read(): AsyncGenerator<T> {
    for (;;) {
      const segment = this.#segments.shift();
      if (segment !== undefined) {
        const text = await Deno.readTextFile(segment);
        await Deno.remove(segment);
        for (const line of text.split("\n")) if (line) yield JSON.parse(line);
      } else if (this.#buffer.length > 0) {
        // Nothing on disk is older: the lines still in memory are next, and need never be written.
        const lines = this.#buffer;
        this.#buffer = [];
        this.#buffered = 0;
        for (const line of lines) yield JSON.parse(line);
      } else if (this.#ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.end();
    await Deno.remove(this.dir, { recursive: true }).catch(() => {});
  }
}
