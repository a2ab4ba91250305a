import assert from "node:assert/strict";
import { boundaryOf, MultipartError, readMultipart } from "./_multipart.ts";

const body = (boundary: string) =>
  `preamble\r\n--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\nfirst\r\n` +
  `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="x.jpg"\r\nContent-Type: image/jpeg\r\n\r\n` +
  `bytes with --${boundary.slice(0, 5)} inside\r\n--${boundary}--\r\nepilogue`;

async function read(text: string, boundary: string, cut: number) {
  const bytes = new TextEncoder().encode(text);
  const chunks = [bytes.subarray(0, cut), bytes.subarray(cut)];
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      const next = chunks.shift();
      if (next) c.enqueue(next);
      else c.close();
    },
  });
  const parts: string[] = [];
  await readMultipart(stream, boundary, (h) => {
    const i = parts.push(`${h.name}${h.filename ? `(${h.filename})` : ""}=`) - 1;
    return (chunk) => void (parts[i] += new TextDecoder().decode(chunk));
  });
  return parts;
}

Deno.test("the streaming multipart reader finds every part wherever the body is cut into chunks", async () => {
  const boundary = "----b0undary";
  const text = body(boundary);
  for (let cut = 0; cut <= text.length; cut++) {
    assert.deepEqual(
      await read(text, boundary, cut),
      ["a=first", "f(x.jpg)=bytes with ------b inside"],
      `cut at ${cut}`,
    );
  }
});

Deno.test("a body that ends inside a part is an error, and the boundary is read from the content type", async () => {
  const boundary = "xyz";
  await assert.rejects(read(body(boundary).slice(0, 80), boundary, 10), MultipartError);
  assert.equal(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b"'), "a b");
  assert.equal(boundaryOf("multipart/form-data; boundary=abc"), "abc");
  assert.equal(boundaryOf("application/json"), undefined);
});
