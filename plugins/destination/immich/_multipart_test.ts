import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readMultipart } from "../../../tests/immich_emulator/_multipart.ts";
import { boundaryOf } from "../../../tests/immich_emulator/_multipart.ts";
import { multipartBody, multipartBytes, type Part } from "./_multipart.ts";

/**
 * A body's bytes read as fetch reads them: each piece is copied (fetch hands it to the socket's
 * queue) before the next is asked for, which releases it.
 */
async function received(stream: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  const copies: Uint8Array<ArrayBuffer>[] = [];
  for await (const piece of stream) copies.push(piece.slice());
  return new Uint8Array(await new Blob(copies).arrayBuffer());
}

/** What a streaming multipart reader makes of a body: fields as text, files by SHA-1 and size. */
async function parse(body: ReadableStream<Uint8Array>, contentType: string) {
  const out: Record<string, string> = {};
  await readMultipart(body, boundaryOf(contentType)!, (part) => {
    const hash = createHash("sha1");
    let size = 0;
    let text = "";
    return (chunk) => {
      hash.update(chunk);
      size += chunk.byteLength;
      if (part.filename === undefined) text += new TextDecoder().decode(chunk);
      out[part.filename === undefined ? part.name : `${part.name}:${part.filename}`] =
        part.filename === undefined ? text : `${size} ${hash.copy().digest("hex")}`;
    };
  });
  return out;
}

Deno.test("a streamed multipart body carries fields and files byte for byte, in the computed length", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const big = new Uint8Array(3 * (64 << 10) + 123);
    crypto.getRandomValues(big.subarray(0, 65536));
    await Deno.writeFile(`${dir}/v.mov`, big);
    const parts: Part[] = [
      { name: "fileCreatedAt", value: "2024-05-01T12:00:00.000+02:00" },
      { name: "filename", value: 'Café "quoted".MOV' },
      {
        name: "assetData",
        filename: 'Cafe "quoted".MOV',
        contentType: "video/quicktime",
        path: `${dir}/v.mov`,
        size: big.length,
      },
      {
        name: "sidecarData",
        filename: "x.xmp",
        contentType: "application/rdf+xml",
        data: new TextEncoder().encode("<x/>"),
      },
    ];
    const body = multipartBody(parts);
    const bytes = await received(body.stream);
    assert.equal(bytes.length, body.length);
    const fields = await parse(new Blob([bytes]).stream(), body.contentType);
    assert.deepEqual(fields, {
      fileCreatedAt: "2024-05-01T12:00:00.000+02:00",
      filename: 'Café "quoted".MOV',
      'assetData:Cafe "quoted".MOV': `${big.length} ${createHash("sha1").update(big).digest("hex")}`,
      "sidecarData:x.xmp": `4 ${createHash("sha1").update("<x/>").digest("hex")}`,
    });
    // The one-buffer form is the same body.
    const whole = await multipartBytes(parts, "fixed");
    const streamed = multipartBody(parts, "fixed");
    assert.deepEqual(whole.bytes, await received(streamed.stream));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a streamed body hands out a new buffer for each piece of a file and releases it when the next is asked for", async () => {
  // Deno's fetch keeps a view of each piece until the socket takes it (docs/benchmarks.md, Memory):
  // a piece filled again in place would send the wrong bytes; one not released waits for a collection.
  const dir = await Deno.makeTempDir();
  try {
    const file = new Uint8Array(4 * (64 << 10));
    for (let i = 0; i < 4; i++) file.fill(i + 1, i * (64 << 10), (i + 1) * (64 << 10));
    await Deno.writeFile(`${dir}/v.mov`, file);
    const body = multipartBody([
      {
        name: "assetData",
        filename: "v.mov",
        contentType: "video/quicktime",
        path: `${dir}/v.mov`,
        size: file.length,
      },
    ]);
    const pieces: { piece: Uint8Array; first: number; size: number }[] = [];
    for await (const piece of body.stream) pieces.push({ piece, first: piece[0], size: piece.byteLength });
    const ofFile = pieces.filter((p) => p.size === 64 << 10);
    assert.deepEqual(
      ofFile.map((p) => p.first),
      [1, 2, 3, 4],
      "each piece held its own bytes when handed out",
    );
    assert.equal(new Set(ofFile.map((p) => p.piece.buffer)).size, 4, "four buffers, none reused");
    assert.deepEqual(
      ofFile.map((p) => p.piece.byteLength),
      [0, 0, 0, 0],
      "each released once the next was asked for",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a streamed body arrives byte for byte through Deno's fetch at a server that makes it wait", async () => {
  // Pieces pile up in fetch's queue while the server is not reading: they must stay intact there
  // although the body released them (a body that refilled its buffers fails this).
  const dir = await Deno.makeTempDir();
  const file = new Uint8Array(8 << 20);
  for (let at = 0; at < file.length; at += 65536) crypto.getRandomValues(file.subarray(at, at + 65536));
  await Deno.writeFile(`${dir}/v.mov`, file);
  const body = multipartBody(
    [{
      name: "assetData",
      filename: "v.mov",
      contentType: "video/quicktime",
      path: `${dir}/v.mov`,
      size: file.length,
    }],
    "fixed",
  );
  const expected = createHash("sha1").update(
    (await multipartBytes(
      [{ name: "assetData", filename: "v.mov", contentType: "video/quicktime", data: file }],
      "fixed",
    )).bytes,
  ).digest("hex");
  await using server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const hash = createHash("sha1");
    for await (const chunk of request.body!) hash.update(chunk);
    return new Response(hash.digest("hex"));
  });
  try {
    const answer = await fetch(`http://127.0.0.1:${server.addr.port}/`, {
      method: "POST",
      body: body.stream,
      headers: { "content-type": body.contentType },
    });
    assert.equal(await answer.text(), expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a file that changes size while it is being uploaded fails the body instead of sending a wrong file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.jpg`, "grown since it was hashed");
    const parts: Part[] = [{
      name: "assetData",
      filename: "a.jpg",
      contentType: "image/jpeg",
      path: `${dir}/a.jpg`,
      size: 5,
    }];
    await assert.rejects(multipartBytes(parts), /changed size \(5 to 25 bytes\)/);
    await assert.rejects(
      new Response(multipartBody(parts).stream).arrayBuffer(),
      /grew while it was being uploaded/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a body built into a finished upload's buffer is the same body, in that buffer", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/a.jpg`, "photo bytes");
    const parts: Part[] = [{ name: "filename", value: "a.jpg" }, {
      name: "assetData",
      filename: "a.jpg",
      contentType: "image/jpeg",
      path: `${dir}/a.jpg`,
      size: 11,
    }];
    const target = new Uint8Array(4096).fill(7);
    const reused = await multipartBytes(parts, "fixed", target);
    assert.equal(reused.bytes.buffer, target.buffer);
    assert.deepEqual(reused.bytes, (await multipartBytes(parts, "fixed")).bytes);
    const small = new Uint8Array(8);
    assert.notEqual(
      (await multipartBytes(parts, "fixed", small)).bytes.buffer,
      small.buffer,
      "too small: a new one",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
