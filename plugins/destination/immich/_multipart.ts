/**
 * Builds a `multipart/form-data` body as a stream over files on disk, so an upload holds one chunk
 * in memory whatever the file size. The exact length is computed up front (useful for callers that
 * can send it; Deno's fetch sends streamed bodies chunked).
 * @module
 */

/** A text field or a file part. Files come from `path` (streamed) or `data` (small, in memory). */
export type Part =
  | { name: string; value: string }
  | { name: string; filename: string; contentType: string; path: string; size: number }
  | { name: string; filename: string; contentType: string; data: Uint8Array };

export interface MultipartBody {
  stream: ReadableStream<Uint8Array>;
  contentType: string;
  /** Total bytes of the body. */
  length: number;
}

const CHUNK = 1 << 20;
const encoder = new TextEncoder();

/** A quoted header parameter; quotes, backslashes and line breaks cannot break out of it. */
function quoted(value: string): string {
  return `"${value.replace(/[\r\n]/g, " ").replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function head(boundary: string, part: Part): Uint8Array {
  let text = `--${boundary}\r\nContent-Disposition: form-data; name=${quoted(part.name)}`;
  if ("filename" in part) text += `; filename=${quoted(part.filename)}\r\nContent-Type: ${part.contentType}`;
  return encoder.encode(`${text}\r\n\r\n`);
}

/**
 * @example
 * ```ts
 * const body = multipartBody([{ name: "fileCreatedAt", value: iso },
 *   { name: "assetData", filename: "a.jpg", contentType: "image/jpeg", path: "/tmp/a.jpg", size: 1234 }]);
 * await fetch(url, { method: "POST", body: body.stream, headers: { "content-type": body.contentType } });
 * ```
 */
export function multipartBody(parts: Part[], boundary = `photos-sync-${crypto.randomUUID()}`): MultipartBody {
  // Each piece is bytes to send as they are, or a file to stream.
  const pieces: (Uint8Array | { path: string; size: number })[] = [];
  for (const part of parts) {
    pieces.push(head(boundary, part));
    if ("value" in part) pieces.push(encoder.encode(part.value));
    else if ("data" in part) pieces.push(part.data);
    else pieces.push({ path: part.path, size: part.size });
    pieces.push(encoder.encode("\r\n"));
  }
  pieces.push(encoder.encode(`--${boundary}--\r\n`));
  const length = pieces.reduce((n, p) => n + (p instanceof Uint8Array ? p.byteLength : p.size), 0);

  let index = 0;
  let file: Deno.FsFile | undefined;
  let remaining = 0;
  const close = () => {
    file?.close();
    file = undefined;
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          if (file) {
            // A fresh buffer per chunk: the consumer may still hold the previous one.
            const buffer = new Uint8Array(Math.min(CHUNK, Math.max(remaining, 1)));
            const n = await file.read(buffer);
            if (n === null) {
              if (remaining > 0) throw new Error(`the file shrank while it was being uploaded`);
              close();
              continue;
            }
            remaining -= n;
            if (remaining < 0) throw new Error(`the file grew while it was being uploaded`);
            controller.enqueue(buffer.subarray(0, n));
            return;
          }
          if (index >= pieces.length) {
            controller.close();
            return;
          }
          const piece = pieces[index++];
          if (piece instanceof Uint8Array) {
            controller.enqueue(piece);
            return;
          }
          file = await Deno.open(piece.path, { read: true });
          remaining = piece.size;
        }
      } catch (e) {
        close();
        controller.error(e);
      }
    },
    cancel: close,
  }, { highWaterMark: 0 });
  return { stream, contentType: `multipart/form-data; boundary=${boundary}`, length };
}
