/**
 * Builds a `multipart/form-data` body: for big files as a stream over the file on disk, so an
 * upload holds one chunk in memory whatever the file size; for small ones as one buffer, read
 * straight into place (a streamed body goes out chunked in several small writes, which costs a
 * delayed-ACK round trip of tens of milliseconds per request on loopback; one buffer costs none).
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
  /** Registers a function called whenever the consumer takes the next piece (to watch for stalls). */
  onRead(fn: () => void): void;
}

const CHUNK = 64 << 10;
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

/** The pieces of a body: bytes sent as they are, and files. */
function pieces(parts: Part[], boundary: string): (Uint8Array | { path: string; size: number })[] {
  const out: (Uint8Array | { path: string; size: number })[] = [];
  for (const part of parts) {
    out.push(head(boundary, part));
    if ("value" in part) out.push(encoder.encode(part.value));
    else if ("data" in part) out.push(part.data);
    else out.push({ path: part.path, size: part.size });
    out.push(encoder.encode("\r\n"));
  }
  out.push(encoder.encode(`--${boundary}--\r\n`));
  return out;
}

const lengthOf = (list: ReturnType<typeof pieces>) =>
  list.reduce((n, p) => n + (p instanceof Uint8Array ? p.byteLength : p.size), 0);

/**
 * The whole body in one buffer, each file read straight into its place. For files small enough to
 * hold in memory; into `target` when it is big enough (a buffer of an upload that has finished).
 *
 * @example
 * ```ts
 * const { bytes, contentType } = await multipartBytes([{ name: "a", value: "1" }]);
 * ```
 */
export async function multipartBytes(
  parts: Part[],
  boundary = `photos-sync-${crypto.randomUUID()}`,
  target?: Uint8Array,
): Promise<{ bytes: Uint8Array; contentType: string }> {
  const list = pieces(parts, boundary);
  const length = lengthOf(list);
  const bytes = target && target.byteLength >= length ? target.subarray(0, length) : new Uint8Array(length);
  let at = 0;
  for (const piece of list) {
    if (piece instanceof Uint8Array) {
      bytes.set(piece, at);
      at += piece.byteLength;
    } else {
      at = await readInto(piece, bytes, at);
    }
  }
  return { bytes, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Reads a file into its place in the body, no second buffer; a size other than the one hashed
 * means the file changed meanwhile. Returns where the next piece starts.
 */
async function readInto(
  piece: { path: string; size: number },
  bytes: Uint8Array,
  at: number,
): Promise<number> {
  using file = await Deno.open(piece.path, { read: true });
  const end = at + piece.size;
  const changed = async () =>
    new Error(
      `the file changed size (${piece.size} to ${
        (await file.stat()).size
      } bytes) while it was being uploaded`,
    );
  while (at < end) {
    const n = await file.read(bytes.subarray(at, end));
    if (n === null) throw await changed();
    at += n;
  }
  if (await file.read(new Uint8Array(1)) !== null) throw await changed();
  return end;
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
  const list = pieces(parts, boundary);
  const length = lengthOf(list);

  let index = 0;
  let read = () => {};
  let file: Deno.FsFile | undefined;
  let remaining = 0;
  let handedOut: ArrayBuffer | undefined;
  const close = () => {
    file?.close();
    file = undefined;
  };
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      read();
      // Deno's fetch gives each piece to the request's own queue, which keeps its memory alive,
      // before it asks for the next one; detaching frees that memory as soon as the socket has
      // sent it instead of at V8's next collection, which waits for some 64 MB of dead pieces
      // (four big videos at once went past 100 MB). So a consumer must be done with a piece, or
      // have copied it, when it asks for the next.
      handedOut?.transfer(0);
      handedOut = undefined;
      try {
        for (;;) {
          if (file) {
            // A fresh buffer per piece: Deno's fetch keeps a view of each until the socket takes it.
            const buffer = new Uint8Array(Math.min(CHUNK, Math.max(remaining, 1)));
            handedOut = buffer.buffer;
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
          if (index >= list.length) {
            controller.close();
            return;
          }
          const piece = list[index++];
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
  return {
    stream,
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    onRead: (fn) => void (read = fn),
  };
}
