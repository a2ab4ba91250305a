/**
 * The server-sent-events stream: polls the tracker (a `PRAGMA data_version` check costs
 * microseconds) and sends a `snapshot` event whenever what it shows changed. The stream ends when
 * the client goes away or the server stops.
 *
 * @example
 * ```ts
 * return new Response(snapshotEvents(reader, { signal }), { headers: { "content-type": "text/event-stream" } });
 * ```
 * @module
 */
import type { Snapshot, SnapshotReader } from "./snapshot.ts";

export interface EventStreamOptions {
  /** How often to look at the tracker, in ms (default 500). */
  pollMs?: number;
  /** A comment line after this long without an event keeps proxies from closing the stream (default 15 s). */
  keepAliveMs?: number;
  /**
   * Re-reads the snapshot this often even when the tracker did not change (default 5 s): a run
   * whose process died shows as interrupted without any write.
   */
  refreshMs?: number;
  /** Ends the stream (server shutdown). */
  signal?: AbortSignal;
  /** Applied to every event's text before it is sent. */
  redact?: (text: string) => string;
  /** Called when reading the tracker failed; the stream goes on. */
  onError?: (error: unknown) => void;
}

const encoder = new TextEncoder();

/** The stream of `snapshot` events, the first one at once. */
export function snapshotEvents(
  reader: SnapshotReader,
  options: EventStreamOptions = {},
): ReadableStream<Uint8Array> {
  const pollMs = options.pollMs ?? 500;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const redact = options.redact ?? ((s: string) => s);
  const watch = new SnapshotWatch(reader, options.refreshMs ?? 5_000);
  const pause = new Pause();
  let lastSent = Date.now();
  let eventId = 0;
  let closed = false;

  let onAbort: (() => void) | undefined;
  const stop = () => {
    closed = true;
    pause.stop();
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (options.signal?.aborted) {
        closed = true;
        controller.close();
        return;
      }
      onAbort = () => {
        if (closed) return;
        stop();
        try {
          controller.close();
        } catch {
          // Already closed by a cancel racing the abort.
        }
      };
      options.signal?.addEventListener("abort", onAbort, { once: true });
      // A browser reconnects after this long if the connection drops.
      controller.enqueue(encoder.encode("retry: 2000\n\n"));
    },
    async pull(controller) {
      while (!closed) {
        const now = Date.now();
        let snapshot: Snapshot | undefined;
        try {
          snapshot = watch.changed(now);
        } catch (e) {
          options.onError?.(e);
        }
        if (snapshot) {
          lastSent = now;
          const data = redact(JSON.stringify(snapshot));
          controller.enqueue(encoder.encode(`id: ${++eventId}\nevent: snapshot\ndata: ${data}\n\n`));
          return;
        }
        if (now - lastSent >= keepAliveMs) {
          lastSent = now;
          controller.enqueue(encoder.encode(": keep-alive\n\n"));
          return;
        }
        await pause.wait(pollMs);
      }
    },
    cancel() {
      stop();
    },
  });
}

/** Tells at each look whether the snapshot changed since the last one it returned. */
class SnapshotWatch {
  #version: number | undefined;
  #lastRead = 0;
  #lastKey = "";

  constructor(readonly reader: SnapshotReader, readonly refreshMs: number) {}

  /**
   * The snapshot, when it differs from the last one returned (its time aside). The tracker is read
   * only when another process wrote to it or the refresh is due.
   */
  changed(now: number): Snapshot | undefined {
    const version = this.reader.version;
    if (version === this.#version && now - this.#lastRead < this.refreshMs) return undefined;
    this.#version = version;
    this.#lastRead = now;
    const snapshot = this.reader.read();
    const key = JSON.stringify({ ...snapshot, generatedAt: null });
    if (key === this.#lastKey) return undefined;
    this.#lastKey = key;
    return snapshot;
  }
}

/** The wait between looks; `stop` ends it at once, so a closing stream does not linger. */
class Pause {
  #wake: (() => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.#timer = setTimeout(resolve, ms);
    });
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#wake?.();
  }
}
