/**
 * A streaming `multipart/form-data` reader for the emulator: file parts are handed over chunk by
 * chunk as they arrive, so a 2 GB upload never sits in memory (Hono's `parseBody()` buffers it all).
 * @module
 */
export interface PartHeaders {
  name: string;
  filename?: string;
  contentType?: string;
}

/** Thrown for a body that is not well-formed multipart. */
export class MultipartError extends Error {
  override name = "MultipartError";
}

/** The boundary of a `multipart/form-data` content type, or undefined. */
export function boundaryOf(contentType: string | null | undefined): string | undefined {
  const match = /^multipart\/form-data\s*;(?:.*;)?\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(
    contentType ?? "",
  );
  return match ? (match[1] ?? match[2]) : undefined;
}

/**
 * Calls `onPart` for each part in order; the returned sink receives the part's bytes. Resolves
 * when the closing boundary has been read. `onBytes` sees the running total (for body limits).
 */
export async function readMultipart(
  body: ReadableStream<Uint8Array>,
  boundary: string,
  onPart: (headers: PartHeaders) => (chunk: Uint8Array) => void | Promise<void>,
  onBytes?: (total: number) => void,
): Promise<void> {
  const reader = body.getReader();
  const encoder = new TextEncoder();
  // Seeing the body as if it began with CRLF makes the first delimiter look like every other one.
  let buf: Uint8Array = encoder.encode("\r\n");
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  let total = 0;
  let ended = false;

  const fill = async (): Promise<boolean> => {
    if (ended) return false;
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      return false;
    }
    total += value.byteLength;
    onBytes?.(total);
    if (buf.length === 0) buf = value;
    else {
      const joined = new Uint8Array(buf.length + value.length);
      joined.set(buf);
      joined.set(value, buf.length);
      buf = joined;
    }
    return true;
  };
  const need = async (n: number) => {
    while (buf.length < n) {
      if (!(await fill())) throw new MultipartError("the multipart body ended early");
    }
  };

  try {
    // Skip any preamble up to the first delimiter.
    for (;;) {
      const at = find(buf, delimiter);
      if (at >= 0) {
        buf = buf.subarray(at + delimiter.length);
        break;
      }
      if (buf.length > delimiter.length) buf = buf.subarray(buf.length - delimiter.length);
      if (!(await fill())) throw new MultipartError("no multipart boundary found in the body");
    }
    for (;;) {
      await need(2);
      if (buf[0] === 0x2d && buf[1] === 0x2d) {
        // "--": the closing delimiter. Read the epilogue too, so the connection is left clean.
        while (await fill()) buf = buf.subarray(buf.length);
        return;
      }
      // Headers end at the first empty line.
      let end: number;
      while ((end = find(buf, EMPTY_LINE)) < 0) {
        if (buf.length > 16 * 1024) throw new MultipartError("part headers are too long");
        if (!(await fill())) throw new MultipartError("the multipart body ended inside part headers");
      }
      const headers = parseHeaders(new TextDecoder().decode(buf.subarray(0, end)));
      buf = buf.subarray(end + 4);
      const sink = onPart(headers);
      for (;;) {
        const at = find(buf, delimiter);
        if (at >= 0) {
          if (at > 0) await sink(buf.subarray(0, at));
          buf = buf.subarray(at + delimiter.length);
          break;
        }
        const safe = buf.length - delimiter.length + 1;
        if (safe > 0) {
          await sink(buf.subarray(0, safe));
          buf = buf.subarray(safe);
        }
        if (!(await fill())) throw new MultipartError("the multipart body ended inside a part");
      }
    }
  } finally {
    reader.releaseLock();
  }
}

const EMPTY_LINE = new TextEncoder().encode("\r\n\r\n");

/**
 * The first index of `needle` in `haystack`, or -1: Boyer-Moore-Horspool, which looks at about one
 * byte in `needle.length` of a file's content (node:buffer's `indexOf` is several times slower in
 * Deno, and a search by first byte stops every 256 bytes of random data).
 */
function find(haystack: Uint8Array, needle: Uint8Array): number {
  const n = needle.length;
  let shifts = SHIFTS.get(needle);
  if (!shifts) {
    shifts = new Uint32Array(256).fill(n);
    for (let i = 0; i < n - 1; i++) shifts[needle[i]] = n - 1 - i;
    SHIFTS.set(needle, shifts);
  }
  const lastByte = needle[n - 1];
  for (let i = 0; i <= haystack.length - n;) {
    const b = haystack[i + n - 1];
    if (b === lastByte) {
      let j = n - 2;
      while (j >= 0 && haystack[i + j] === needle[j]) j--;
      if (j < 0) return i;
    }
    i += shifts[b];
  }
  return -1;
}

const SHIFTS = new WeakMap<Uint8Array, Uint32Array>();

function parseHeaders(text: string): PartHeaders {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "content-type") contentType = value;
    if (key !== "content-disposition") continue;
    for (const param of value.split(";").slice(1)) {
      const eq = param.indexOf("=");
      if (eq < 0) continue;
      const k = param.slice(0, eq).trim().toLowerCase();
      let v = param.slice(eq + 1).trim();
      if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\"/g, '"');
      if (k === "name") name = v;
      else if (k === "filename") filename = v;
      else if (k === "filename*") filename = decodeURIComponent(v.replace(/^utf-8''/i, ""));
    }
  }
  if (name === undefined) throw new MultipartError("a part has no content-disposition name");
  return { name, filename, contentType };
}
