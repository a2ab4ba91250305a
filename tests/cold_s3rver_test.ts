/**
 * End to end against s3rver (npm, an S3 that is not this repository's stub): `archive --cold glacier
 * --remove-from-immich`, the asset purged from the Immich emulator, `unarchive` through a restore
 * delay, the bytes and the metadata (the XMP sidecar) equal to what was archived; and a cold object
 * deleted behind the tool's back is reported and the asset stays in Immich.
 *
 * s3rver keeps no storage classes and knows no RestoreObject, so a thin proxy in front of it plays
 * Glacier's part and passes everything else through: an object PUT with a Glacier class is cold,
 * a GET of it answers 403 InvalidObjectState until a `POST ?restore` plus the delay, and HEAD shows
 * its class and `x-amz-restore`. It also puts s3rver's fixed access key into the signed requests
 * (s3rver checks the key id, not V4 signatures), as the host refuses secrets that short.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { hashFile } from "../core/model/hash.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, listFiles, withTempDir } from "./_cli.ts";
import { env, importArgs, trackerRows } from "./_immich.ts";
import { startEmulator } from "./immich_emulator/mod.ts";
import { type S3rver, startS3rver } from "./s3rver.ts";

const RESTORE_DELAY_MS = 3000;
const COLD = new Set(["GLACIER", "DEEP_ARCHIVE"]);

interface ColdProxy extends AsyncDisposable {
  endpoint: string;
  /** Restore requests per key. */
  restores: Map<string, number>;
  /** GETs refused because the object was cold. */
  refusedReads: number;
}

/** The proxy in front of s3rver that plays Glacier's storage classes and restores (see the module doc). */
function coldProxy(s3: S3rver, delayMs: number): ColdProxy {
  const cold = new Map<string, { storageClass: string; readyAt?: number }>();
  const restores = new Map<string, number>();
  const state = { refusedReads: 0 };
  const readable = (o: { readyAt?: number }) => o.readyAt !== undefined && Date.now() >= o.readyAt;
  const keyOf = (url: URL) => decodeURIComponent(url.pathname.split("/").slice(2).join("/"));
  const error = (code: string, message: string, status: number) =>
    new Response(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
      {
        status,
        headers: { "content-type": "application/xml" },
      },
    );

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const key = keyOf(url);
    const o = key ? cold.get(key) : undefined;
    if (req.method === "POST" && url.searchParams.has("restore")) {
      await req.body?.cancel();
      restores.set(key, (restores.get(key) ?? 0) + 1);
      if (!o) {
        return error(
          "InvalidObjectState",
          "Restore is not allowed for the object's current storage class",
          403,
        );
      }
      if (o.readyAt !== undefined) return new Response(null, { status: readable(o) ? 200 : 409 });
      o.readyAt = Date.now() + delayMs;
      return new Response(null, { status: 202 });
    }
    if (req.method === "GET" && o && !readable(o)) {
      await req.body?.cancel();
      state.refusedReads++;
      return error("InvalidObjectState", "The operation is not valid for the object's storage class", 403);
    }
    const headers = new Headers(req.headers);
    headers.delete("host");
    const auth = headers.get("authorization");
    if (auth) headers.set("authorization", auth.replace(/Credential=[^/]+\//, "Credential=S3RVER/"));
    const storageClass = headers.get("x-amz-storage-class")?.toUpperCase();
    const res = await fetch(`${s3.endpoint}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body: req.body,
      redirect: "manual",
    });
    if (req.method === "PUT" && res.ok && key && !url.search) {
      if (storageClass && COLD.has(storageClass)) cold.set(key, { storageClass });
      else cold.delete(key);
    }
    if (req.method === "DELETE" && res.ok) cold.delete(key);
    if ((req.method === "HEAD" || req.method === "GET") && o) {
      const out = new Headers(res.headers);
      out.set("x-amz-storage-class", o.storageClass);
      if (o.readyAt !== undefined) {
        out.set(
          "x-amz-restore",
          readable(o)
            ? `ongoing-request="false", expiry-date="${new Date(o.readyAt + 7 * 864e5).toUTCString()}"`
            : 'ongoing-request="true"',
        );
      }
      return new Response(res.body, { status: res.status, headers: out });
    }
    return res;
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    restores,
    get refusedReads() {
      return state.refusedReads;
    },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const glacierEnv = (s3: S3rver, proxy: ColdProxy) => ({
  BACKUP_CREDENTIALS: "env",
  PHOTOS_SYNC_GLACIER_BUCKET_NAME: s3.bucket,
  PHOTOS_SYNC_GLACIER_ENDPOINT: proxy.endpoint,
  PHOTOS_SYNC_GLACIER_ACCESS_KEY_ID: "AKIAS3RVERPROXY01",
  PHOTOS_SYNC_GLACIER_SECRET_ACCESS_KEY: "s3rver-checks-no-signature",
  PHOTOS_SYNC_GLACIER_ENCRYPTION_PASSWORD: "cold s3rver test password",
  PHOTOS_SYNC_GLACIER_ENCRYPTION_SALT: "cold s3rver test salt",
});

function coldRows(home: string): Record<string, unknown>[] {
  const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
  try {
    return db.prepare("SELECT * FROM cold_objects ORDER BY key").all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

async function setUp(dir: string) {
  const server = await startEmulator();
  const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
  const home = join(dir, "home");
  const run = await cli(importArgs(home, sample.path), env(server));
  assert.equal(run.code, 0, run.stderr);
  const s3 = await startS3rver();
  const proxy = coldProxy(s3, RESTORE_DELAY_MS);
  const all = { ...env(server), ...glacierEnv(s3, proxy) };
  const archive = (uuid: string, ...more: string[]) =>
    cli([
      ...["archive", "--uuid", uuid, "--cold", "glacier", "--json", ...more],
      ...["--home", home, "--to", "immich", "--source", "photoslibrary", "--library", sample.path],
    ], all);
  return { server, sample, home, s3, proxy, all, archive };
}

Deno.test("s3rver: archive cold, leave Immich, unarchive through a restore delay: bytes and metadata equal", async () => {
  await withTempDir(async (dir) => {
    const { server, sample, home, s3, proxy, all, archive } = await setUp(dir);
    await using _server = server;
    await using _s3 = s3;
    await using _proxy = proxy;
    const live = sample.uuids.live;
    const stored = await archive(live, "--remove-from-immich", "--yes", "--max-share", "1");
    assert.equal(stored.code, 0, stored.stderr + stored.stdout);
    const rows = coldRows(home);
    assert.deepEqual(rows.map((r) => r.key), ["metadata_xmp", "motion", "original"]);
    for (const r of rows) assert.deepEqual([r.storage_class, Boolean(r.verified_at)], ["DEEP_ARCHIVE", true]);
    const sent = trackerRows(home).filter((r) => r.asset_id === live);
    for (const r of sent) server.emulator.state.deleteAsset(r.remote_id);

    const out = join(dir, "back");
    const args = ["unarchive", "--uuid", live, "--into-folder", out, "--yes", "--home", home, "--json"];
    const asked = await cli(args, all);
    assert.equal(asked.code, 0, asked.stderr);
    assert.equal(proxy.restores.size, 3, "a restore asked for each file");
    const early = await cli(args, all);
    assert.equal(early.code, 0, early.stderr);
    assert.deepEqual([...proxy.restores.values()], [1, 1, 1], "not asked again while under way");
    await new Promise((r) => setTimeout(r, RESTORE_DELAY_MS));

    const back = await cli(args, all);
    assert.equal(back.code, 0, back.stderr);
    const files = await listFiles(out);
    const sha1Of = async (name: string) => (await hashFile(join(out, name))).sha1;
    const media = await Promise.all(files.filter((f) => !f.endsWith(".xmp")).map(sha1Of));
    assert.deepEqual(media.sort(), sent.map((r) => r.sha1).sort(), "the very bytes archived");
    const xmp = files.find((f) => f.endsWith(".xmp"))!;
    assert.equal(
      await sha1Of(xmp),
      rows.find((r) => r.key === "metadata_xmp")!.sha1,
      "the metadata as it was archived",
    );
    assert.match(await Deno.readTextFile(join(out, xmp)), new RegExp(live));
  });
});

Deno.test("s3rver: a cold object deleted behind the tool's back is reported; the asset stays in Immich", async () => {
  await withTempDir(async (dir) => {
    const { server, sample, home, s3, proxy, archive } = await setUp(dir);
    await using _server = server;
    await using _s3 = s3;
    await using _proxy = proxy;
    const live = sample.uuids.live;
    const first = await archive(live);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const video = coldRows(home).find((r) => r.key === "motion")!;
    // Straight at s3rver, not through the tool: its key id, a signature it does not check.
    const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, "");
    const gone = await fetch(`${s3.endpoint}/${s3.bucket}/${video.object_key}`, {
      method: "DELETE",
      headers: {
        "x-amz-date": stamp,
        "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
        authorization: `AWS4-HMAC-SHA256 Credential=S3RVER/${stamp.slice(0, 8)}/us-east-1/s3/aws4_request, ` +
          `SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`,
      },
    });
    assert.equal(gone.status, 204, `deleted at s3rver: ${await gone.text()}`);
    const head = await fetch(`${s3.endpoint}/${s3.bucket}/${video.object_key}`, { method: "HEAD" });
    assert.equal(head.status, 404, "gone");

    const run = await archive(live, "--remove-from-immich", "--yes", "--max-share", "1");
    assert.equal(run.code, 1, "a refusal fails the run");
    assert.match(run.stdout, /"type":"cold-refused".*its motion is missing at the cold target/);
    for (const r of trackerRows(home).filter((r) => r.asset_id === live)) {
      assert.equal(
        server.emulator.state.assets.get(r.remote_id)!.deletedAt,
        null,
        `${r.key} stays in Immich`,
      );
    }
  });
});
