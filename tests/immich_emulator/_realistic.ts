/**
 * The emulator's realistic mode, for benchmarks: the work a real Immich server does for each upload,
 * which the plain emulator skips (it keeps uploads in memory and answers at once). Measured on a real
 * 1.135.3 server on a 2-core machine, the plain emulator took uploads about 5x faster.
 *
 * - each upload is written to disk and hashed (SHA-1) while it arrives, before the API sees it;
 * - a row per created asset goes into a SQLite database on disk (asset and EXIF tables);
 * - metadata extraction runs per asset as a background job after the answer: CPU work of
 *   `extractMs` milliseconds (a calibrated stand-in for reading EXIF and writing thumbnails) on a
 *   worker thread, so it competes for the cores as Immich's job process does; while the
 *   `metadataExtraction` queue is paused, the jobs wait.
 *
 * @example
 * ```ts
 * await using immich = await startEmulator({ realistic: { extractMs: 50 } });
 * ```
 * @module
 */
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";

export interface RealisticOptions {
  /** CPU milliseconds of metadata extraction per created asset (default {@link EXTRACT_MS}). */
  extractMs?: number;
}

/**
 * Calibrated on this kind of 2-core machine: 200 photos of 1.4 MB at concurrency 4 then take 9 to 12 s
 * for either client (3.5x to 4x the plain emulator), as a real 1.135.3 server took 10 to 16 s.
 */
export const EXTRACT_MS = 50;

type Handler = (request: Request) => Response | Promise<Response>;

export interface Realistic {
  fetch: Handler;
  /** Uploads written to disk and rows inserted, and metadata extractions finished. */
  counts(): { stored: number; extracted: number };
  /** Drops the jobs still waiting and removes the files and the database. */
  close(): Promise<void>;
}

/** Wraps the emulator's handler; `paused` tells whether a job queue is paused. */
export async function realistic(
  inner: Handler,
  paused: (queue: string) => boolean,
  options: RealisticOptions = {},
): Promise<Realistic> {
  const extractMs = options.extractMs ?? EXTRACT_MS;
  const dir = await Deno.makeTempDir({ prefix: "immich-emulator-realistic-" });
  const db = new DatabaseSync(join(dir, "immich.db"));
  db.exec(`CREATE TABLE asset (id TEXT PRIMARY KEY, checksum TEXT, path TEXT, size INTEGER);
    CREATE TABLE exif (asset_id TEXT PRIMARY KEY, extracted_at TEXT)`);
  const jobs = extractionJobs(db, extractMs, paused);
  const fetch = async (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (request.method !== "POST" || pathname !== "/api/assets" || !request.body) return await inner(request);
    const stored = await store(request.body, dir);
    const body = (await Deno.open(stored.path, { read: true })).readable;
    const response = await inner(
      new Request(request.url, { method: "POST", headers: request.headers, body }),
    );
    if (response.status === 201) {
      const { id } = await response.clone().json() as { id: string };
      db.prepare("INSERT OR REPLACE INTO asset VALUES (?, ?, ?, ?)").run(
        id,
        stored.sha1,
        stored.path,
        stored.size,
      );
      jobs.add(id);
    } else {
      await Deno.remove(stored.path);
    }
    return response;
  };
  const count = (table: string) => Number(db.prepare(`SELECT count(*) AS n FROM ${table}`).get()!.n);
  return {
    fetch,
    counts: () => ({ stored: count("asset"), extracted: count("exif") }),
    close: async () => {
      jobs.stop();
      db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Pieces of a body gathered before one write to disk. */
const WRITE_BATCH = 1 << 20;

/**
 * Writes a request body to a file in `dir`, hashing it on the way. Pieces are gathered and written
 * a megabyte at a time behind the reading, as Node's write streams buffer: a read loop that waits
 * for the disk stalls Deno.serve's reading of a chunked body from another process (a 100 MB upload
 * took 14 s instead of 2 s), which a Node server does not do.
 */
async function store(
  body: ReadableStream<Uint8Array>,
  dir: string,
): Promise<{ path: string; sha1: string; size: number }> {
  const path = join(dir, crypto.randomUUID());
  const hash = createHash("sha1");
  let size = 0;
  using file = await Deno.open(path, { write: true, createNew: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let written = Promise.resolve();
  const flush = () => {
    const batch = new Uint8Array(pendingBytes);
    let at = 0;
    for (const piece of pending) at += (batch.set(piece, at), piece.byteLength);
    pending = [];
    pendingBytes = 0;
    written = written.then(async () => {
      for (let off = 0; off < batch.byteLength;) off += await file.write(batch.subarray(off));
    });
  };
  try {
    for await (const chunk of body) {
      hash.update(chunk);
      size += chunk.byteLength;
      pending.push(chunk);
      pendingBytes += chunk.byteLength;
      if (pendingBytes >= WRITE_BATCH) flush();
    }
    flush();
  } finally {
    await written;
  }
  return { path, sha1: hash.digest("hex"), size };
}

/**
 * The worker's code: busy for the milliseconds it is sent, then says so. A thread of its own, so
 * the extraction competes for the cores the way Immich's job process does, not for the API's turns.
 */
const WORKER = `self.onmessage = (e) => {
  const until = performance.now() + e.data.ms;
  while (performance.now() < until) {}
  self.postMessage(e.data.id);
};`;

/** Metadata extraction of each asset added, one after another, on a worker thread. */
function extractionJobs(db: DatabaseSync, extractMs: number, paused: (queue: string) => boolean) {
  const url = URL.createObjectURL(new Blob([WORKER], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  const queue: string[] = [];
  let busy = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = () => {
    timer = undefined;
    if (busy || queue.length === 0) return;
    // A paused queue keeps its jobs, as Immich's does, until it is resumed.
    if (paused("metadataExtraction")) return void (timer = setTimeout(next, 50));
    busy = true;
    worker.postMessage({ id: queue.shift(), ms: extractMs });
  };
  worker.onmessage = (e: MessageEvent<string>) => {
    busy = false;
    db.prepare("INSERT OR REPLACE INTO exif VALUES (?, ?)").run(e.data, new Date().toISOString());
    next();
  };
  return {
    add(id: string) {
      queue.push(id);
      if (timer === undefined) next();
    },
    stop() {
      clearTimeout(timer);
      queue.length = 0;
      worker.terminate();
      URL.revokeObjectURL(url);
    },
  };
}
