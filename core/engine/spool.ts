/**
 * A temporary file of JSON lines. The engine lists the library once, spools the assets that have
 * work to do, and then works through the spool: the total is known before the first upload (so
 * progress can show an ETA) while memory stays flat however large the library is.
 *
 * @example
 * ```ts
 * await using spool = await Spool.create<Asset>(tempDir);
 * for await (const a of source.list()) if (todo(a)) await spool.add(a);
 * for await (const a of spool.read()) await work(a);
 * ```
 * @module
 */
import { lines } from "../plugin/context.ts";

const FLUSH_BYTES = 1 << 20;

export class Spool<T> implements AsyncDisposable {
  #buffer: string[] = [];
  #buffered = 0;
  #count = 0;

  private constructor(readonly path: string) {}

  static async create<T>(dir: string): Promise<Spool<T>> {
    return new Spool<T>(await Deno.makeTempFile({ dir, prefix: "spool-", suffix: ".jsonl" }));
  }

  get count(): number {
    return this.#count;
  }

  async add(item: T): Promise<void> {
    const line = JSON.stringify(item) + "\n";
    this.#buffer.push(line);
    this.#buffered += line.length;
    this.#count++;
    if (this.#buffered >= FLUSH_BYTES) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#buffer.length === 0) return;
    await Deno.writeTextFile(this.path, this.#buffer.join(""), { append: true });
    this.#buffer = [];
    this.#buffered = 0;
  }

  /** Everything added, in order, read back a line at a time. Call after the last add(). */
  async *read(): AsyncGenerator<T> {
    await this.#flush();
    if (this.#count === 0) return;
    const file = await Deno.open(this.path);
    for await (const line of lines(file.readable)) {
      if (line) yield JSON.parse(line);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.path).catch(() => {});
  }
}
