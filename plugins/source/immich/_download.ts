/**
 * Downloading one original from Immich (`GET /assets/{id}/original`), streamed to disk and hashed
 * on the way, so memory stays flat whatever the file's size. Errors are classified as the
 * destination's client does (5xx, 429 and a broken connection retryable; 401 and 403 fatal; other
 * 4xx permanent); the timeout applies to stalls, so a long video is not cut off for being long.
 * @module
 */
import { createHash } from "node:crypto";
import { RetryableError } from "../../../core/plugin/errors.ts";
import type { HttpClient } from "../../../core/plugin/types.ts";
import { classify } from "../../destination/immich/_client.ts";

export interface Downloader {
  /** The API root, e.g. `http://nas:2283/api`. */
  api: string;
  apiKey: string;
  http: HttpClient;
  /** The longest the transfer may stall. */
  timeoutMs: number;
  /** The run's signal: a cancelled run is not a failed download. */
  signal: AbortSignal;
}

/** The stall timer bounds a download; this only guards against a clock that never fires. */
const WEEK_MS = 7 * 24 * 3600_000;

/**
 * Writes the original of Immich asset `id` to `path` (which must not exist yet) and returns its
 * SHA-1 (hex) and size. `what` says what the download was for in error messages.
 */
export async function downloadOriginal(
  from: Downloader,
  id: string,
  path: string,
  what: string,
): Promise<{ sha1: string; size: number }> {
  const stall = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => stall.abort(new DOMException(`no progress for ${from.timeoutMs / 1000} s`, "TimeoutError")),
      from.timeoutMs,
    );
  };
  arm();
  try {
    const response = await from.http(`${from.api}/assets/${id}/original`, {
      headers: { "x-api-key": from.apiKey },
      signal: stall.signal,
      timeoutMs: WEEK_MS,
    }).catch((e) => {
      throw broken(from, e, what);
    });
    if (!response.ok) throw classify(response.status, await errorBody(response), what);
    using file = await Deno.open(path, { write: true, createNew: true });
    const hash = createHash("sha1");
    let size = 0;
    const reader = response.body!.getReader();
    for (;;) {
      const chunk = await reader.read().catch((e) => {
        throw broken(from, e, what);
      });
      if (chunk.done) break;
      arm();
      hash.update(chunk.value);
      size += chunk.value.byteLength;
      await writeAll(file, chunk.value);
      // Written and hashed: detaching gives the piece's memory back now instead of at V8's next
      // collection, which waits for some 64 MB of dead pieces (docs/benchmarks.md, Memory). Each
      // piece of a fetched body has a buffer of its own.
      release(chunk.value);
    }
    const promised = Number(response.headers.get("content-length") ?? size);
    if (promised !== size) {
      throw new RetryableError(`the download broke off after ${size} of ${promised} bytes while ${what}`);
    }
    return { sha1: hash.digest("hex"), size };
  } finally {
    clearTimeout(timer);
  }
}

/** A request or body that failed on the way: retryable, unless the run itself was cancelled. */
function broken(from: Downloader, e: unknown, what: string): unknown {
  if (from.signal.aborted) return from.signal.reason ?? e;
  return new RetryableError(
    `the connection to Immich at ${new URL(from.api).origin} failed while ${what} (${(e as Error).message})`,
  );
}

async function errorBody(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => "");
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function release(piece: Uint8Array): void {
  if (piece.buffer instanceof ArrayBuffer) piece.buffer.transfer(0);
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.byteLength;) done += await file.write(bytes.subarray(done));
}
