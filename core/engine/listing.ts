/**
 * Reads a library once per run, however many times the run lists it: the first complete
 * `list()` is spooled to a JSON-lines file in the run's temp dir as it streams, and every later
 * `list()` replays that file. Memory stays flat both ways (one asset in flight); a replay does
 * not touch the library (no query, no file checks), and every pass sees the same snapshot.
 *
 * Opt-in, for commands that list more than once: spooling costs the first pass a
 * `JSON.stringify` per asset.
 *
 * @example
 * ```ts
 * const session = listOnce(await plugin.open(options, ctx), { dir: tempRoot });
 * for await (const a of session.list()) {}  // reads the library, spools
 * for await (const a of session.list()) {}  // replays the spool
 * ```
 * @module
 */
import { join } from "node:path";
import type { Asset } from "../model/asset.ts";
import type { SourceSession } from "../plugin/types.ts";

/** Options of {@link listOnce}. */
export interface ListOnceOptions {
  /** A private directory of the run for the spool file; removed with the run. */
  dir: string;
}

const OPTIONAL = ["download", "delete", "setFavorite", "create", "watch"] as const;
const FLUSH_BYTES = 1 << 20;
const encoder = new TextEncoder();

/** A session whose `list()` reads the underlying source once; see the module doc. */
export function listOnce(session: SourceSession, { dir }: ListOnceOptions): SourceSession {
  const spool = join(dir, `listing-${crypto.randomUUID()}.jsonl`);
  let state: "empty" | "recording" | "ready" = "empty";

  async function* record(): AsyncGenerator<Asset> {
    state = "recording";
    const file = Deno.openSync(spool, { write: true, create: true, truncate: true });
    let complete = false;
    try {
      let buffer = "";
      for await (const asset of session.list()) {
        buffer += JSON.stringify(asset) + "\n";
        if (buffer.length >= FLUSH_BYTES) {
          writeAll(file, buffer);
          buffer = "";
        }
        yield asset;
      }
      writeAll(file, buffer);
      complete = true;
    } finally {
      file.close();
      // A listing cut short (error, cancel, a consumer that stopped) is not the library.
      state = complete ? "ready" : "empty";
      if (!complete) Deno.removeSync(spool);
    }
  }

  const wrapper: SourceSession = {
    get key() {
      return session.key;
    },
    get info() {
      return session.info;
    },
    list(): AsyncIterable<Asset> {
      if (state === "ready") return replay(spool);
      // A second listing while the first is still running reads the source on its own.
      return state === "recording" ? session.list() : record();
    },
    export: (request) => session.export(request),
    async close() {
      await Deno.remove(spool).catch(() => {});
      await session.close();
    },
  };
  for (const name of OPTIONAL) {
    const method = session[name];
    if (typeof method === "function") Object.assign(wrapper, { [name]: method.bind(session) });
  }
  return wrapper;
}

function writeAll(file: Deno.FsFile, text: string): void {
  const bytes = encoder.encode(text);
  for (let written = 0; written < bytes.length;) written += file.writeSync(bytes.subarray(written));
}

/** The spooled assets, one line at a time. */
async function* replay(path: string): AsyncGenerator<Asset> {
  const file = await Deno.open(path);
  const decoder = new TextDecoder();
  const chunk = new Uint8Array(FLUSH_BYTES);
  let rest = "";
  try {
    for (let read = await file.read(chunk); read !== null; read = await file.read(chunk)) {
      const text = rest + decoder.decode(chunk.subarray(0, read), { stream: true });
      const lines = text.split("\n");
      rest = lines.pop()!;
      for (const line of lines) if (line) yield JSON.parse(line) as Asset;
    }
    if (rest) yield JSON.parse(rest) as Asset;
  } finally {
    file.close();
  }
}
