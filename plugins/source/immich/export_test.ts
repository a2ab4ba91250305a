/** `source.immich`'s export: downloads checked by SHA-1, failures classified, nothing outside `dir`. */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { hashFile } from "../../../core/model/hash.ts";
import type { Asset } from "../../../core/model/asset.ts";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { errorKind, messageOf } from "../../../core/plugin/errors.ts";
import { remote } from "../../destination/immich/_test_fixtures.ts";
import { type FilledServer, filledServer, openSource } from "./_test_server.ts";
import type { ImmichSource } from "./_session.ts";
import { downloadOriginal } from "./_download.ts";

async function listed(t: FilledServer, id: string, options: { timeout?: number } = {}) {
  const session = await openSource(t, options);
  for await (const a of session.list()) if (a.id === id) return { session, asset: a };
  throw new Error(`${id} is not listed`);
}

/** The original and every other resource the asset has, as the handlers would plan them. */
function planAll(asset: Asset) {
  const plan = new PlanBuilder(asset);
  for (const r of asset.resources.slice(1)) plan.add(r.role, r);
  return plan.build();
}

async function exportOf(session: ImmichSource, asset: Asset, t: FilledServer) {
  const dir = await Deno.makeTempDir({ dir: t.ctx.tempDir });
  const files = await session.export({ asset, plan: planAll(asset), dir, allowNetwork: false });
  return { dir, files };
}

Deno.test("a Live Photo exports its still and video byte for byte, inside the directory given", async () => {
  await using t = await filledServer("1.135.3");
  const { session, asset } = await listed(t, t.ids.live);
  const { dir, files } = await exportOf(session, asset, t);
  assert.deepEqual(files.map((f) => f.key), ["original", "motion"]);
  for (const [file, id] of [[files[0], t.ids.live], [files[1], t.ids.motion]] as const) {
    assert.equal(dirname(file.path), dir);
    assert.equal((await hashFile(file.path)).sha1, remote(t.server, id).checksum);
  }
});

Deno.test("a download whose SHA-1 is not Immich's fails permanently, naming the file", async () => {
  await using t = await filledServer("3.2.2");
  const { session, asset } = await listed(t, t.ids.live);
  // Same length, other bytes: a file damaged on the server's disk.
  const video = remote(t.server, t.ids.motion);
  await Deno.writeFile(video.path!, new Uint8Array(video.size).fill(0x2a));
  await assert.rejects(exportOf(session, asset, t), (e) => {
    assert.equal(errorKind(e), "permanent");
    assert.match(
      messageOf(e),
      /motion IMG_0001\.MOV downloaded from Immich .* has SHA-1 [0-9a-f]{40}, but Immich records/,
    );
    return true;
  });
});

Deno.test("a 5xx, a broken connection and a stall are retryable; an asset Immich lost is permanent", async () => {
  await using t = await filledServer("1.135.3");
  const { session, asset } = await listed(t, t.ids.hidden, { timeout: 1 });
  const kindOf = async () => errorKind(await exportOf(session, asset, t).then(() => undefined, (e) => e));
  const emulator = t.server.emulator;
  emulator.faults = [{ method: "GET", path: "/original$", status: 503 }];
  assert.equal(await kindOf(), "retryable");
  emulator.faults = [{ method: "GET", path: "/original$", drop: "after" }];
  assert.equal(await kindOf(), "retryable");
  emulator.faults = [{ method: "GET", path: "/original$", delayMs: 1500 }];
  assert.equal(await kindOf(), "retryable");
  emulator.faults = [];
  emulator.state.deleteAsset(t.ids.hidden);
  assert.equal(await kindOf(), "permanent");
});

Deno.test("whatever name the uploader sent, the file is written inside the directory", async () => {
  await using t = await filledServer("1.135.3");
  remote(t.server, t.ids.elsewhere).originalFileName = "../../escape.jpg";
  const { session, asset } = await listed(t, t.ids.elsewhere);
  const { dir, files } = await exportOf(session, asset, t);
  assert.equal(dirname(files[0].path), dir);
  assert.equal((await hashFile(files[0].path)).sha1, remote(t.server, t.ids.elsewhere).checksum);
  await assert.rejects(Deno.stat(join(dir, "..", "..", "escape.jpg")), Deno.errors.NotFound);
});

Deno.test("a resource Immich does not hold (an adjustment) is a permanent failure that names it", async () => {
  await using t = await filledServer("1.135.3");
  const { session, asset } = await listed(t, t.ids.elsewhere);
  const plan = new PlanBuilder(asset).add("aae", { role: "adjustment", filename: "x.aae", present: true })
    .build();
  const dir = await Deno.makeTempDir({ dir: t.ctx.tempDir });
  await assert.rejects(session.export({ asset, plan, dir, allowNetwork: false }), (e) => {
    assert.equal(errorKind(e), "permanent");
    assert.match(messageOf(e), /no adjustment x\.aae/);
    return true;
  });
});

Deno.test("a download is written and hashed piece by piece, each piece released once it is on disk", async () => {
  // A released piece gives its memory back at once instead of at V8's next collection.
  const pieces = [1, 2, 3].map((n) => new Uint8Array(1000).fill(n));
  const expected = new Uint8Array(3000);
  pieces.forEach((p, i) => expected.set(p, i * 1000));
  const dir = await Deno.makeTempDir();
  try {
    const http = () =>
      Promise.resolve(
        new Response(ReadableStream.from(pieces), { headers: { "content-length": "3000" } }),
      );
    const from = {
      api: "http://nas/api",
      apiKey: "k",
      http,
      timeoutMs: 5000,
      signal: new AbortController().signal,
    };
    const got = await downloadOriginal(from, "id", join(dir, "a.jpg"), "testing");
    assert.deepEqual(got, { sha1: (await hashFile(join(dir, "a.jpg"))).sha1, size: 3000 });
    assert.deepEqual(await Deno.readFile(join(dir, "a.jpg")), expected);
    assert.deepEqual(pieces.map((p) => p.byteLength), [0, 0, 0], "each piece released");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
