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
  const refreshMs = options.refreshMs ?? 5_000;
  const redact = options.redact ?? ((s: string) => s);
  let version: number | undefined;
  let lastRead = 0;
  let lastSent = Date.now();
  let lastKey = "";
  let eventId = 0;
  let closed = false;
  let wake: (() => void) | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  let onAbort: (() => void) | undefined;
  const stop = () => {
    closed = true;
    clearTimeout(timer);
    wake?.();
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
  };
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  const frame = (snapshot: Snapshot) => {
    const data = redact(JSON.stringify(snapshot));
    return encoder.encode(`id: ${++eventId}\nevent: snapshot\ndata: ${data}\n\n`);
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
        try {
          const v = reader.version;
          if (v !== version || now - lastRead >= refreshMs) {
            version = v;
            lastRead = now;
            const snapshot = reader.read();
            const key = JSON.stringify({ ...snapshot, generatedAt: null });
            if (key !== lastKey) {
              lastKey = key;
              lastSent = now;
              controller.enqueue(frame(snapshot));
              return;
            }
          }
        } catch (e) {
          options.onError?.(e);
        }
        if (now - lastSent >= keepAliveMs) {
          lastSent = now;
          controller.enqueue(encoder.encode(": keep-alive\n\n"));
          return;
        }
        await pause(pollMs);
      }
    },
    cancel() {
      stop();
    },
  });
}
