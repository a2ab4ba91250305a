/**
 * A small in-memory S3 server that behaves like Glacier where s3rver does not, as AWS documents
 * it: objects stored with a GLACIER or DEEP_ARCHIVE class cannot be read (GET and copy: 403
 * InvalidObjectState) until restored. RestoreObject (`POST ?restore` with Days and Tier) answers
 * 202 and starts a restore that takes the tier's typical time (Deep Archive has no Expedited:
 * 400), 409 RestoreAlreadyInProgress while it runs, 200 for a restored copy (moving its expiry),
 * 403 for a class that needs none. HeadObject shows `x-amz-restore: ongoing-request="true"`, then
 * `ongoing-request="false", expiry-date="..."`; after the expiry the object is cold again. Tests
 * collapse the hours with their own `clock`, `restoreDelayMs`, or {@link GlacierStub.thaw}.
 * Listings report the real storage class; bucket versioning can be read and turned on. It speaks
 * just enough of S3 for rclone 1.60 (list v1/v2, head, get with ranges, put, copy, delete,
 * restore, versioning) and keeps no old versions, so it cannot test restoring an earlier version.
 *
 * @example
 * ```ts
 * await using s3 = startGlacierStub();
 * // back up with --glacier-endpoint s3.endpoint, restore (objects are cold), s3.thaw(), restore again
 * ```
 * @module
 */
import { createHash } from "node:crypto";

interface StubObject {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  lastModified: Date;
  storageClass: string;
  contentType: string;
  meta: Record<string, string>;
  /** A restore asked for: ready at `readyAt` (ms), then readable until `expiresAt` (ms). */
  restore?: { tier: string; days: number; readyAt: number; expiresAt?: number };
}

export interface GlacierStub extends AsyncDisposable {
  endpoint: string;
  bucket: string;
  objects: Map<string, StubObject>;
  /** Restore requests received, per key. */
  restoreRequests: Map<string, number>;
  /** The tier and days of the last restore request, per key. */
  restoreAsked: Map<string, { tier: string; days: number }>;
  /** Reads refused because the object was cold. */
  refusedReads: number;
  /** Uploads stored, per key (copies not counted). */
  uploads: Map<string, number>;
  versioning: string | undefined;
  /** Makes every object whose restore was requested readable (Glacier's hours, in an instant). */
  thaw(): number;
  /** Ends every restored copy now, as its expiry date would: the object is cold again. */
  expire(): number;
  close(): Promise<void>;
}

const COLD = new Set(["GLACIER", "DEEP_ARCHIVE"]);

const esc = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");

const xml = (body: string, status = 200) =>
  new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status,
    headers: { "content-type": "application/xml" },
  });

const s3Error = (code: string, e: { message: string; status: number; key?: string }) =>
  xml(
    `<Error><Code>${code}</Code><Message>${esc(e.message)}</Message><Key>${esc(e.key ?? "")}</Key></Error>`,
    e.status,
  );

/** Decodes an `aws-chunked` body (`<hex size>;chunk-signature=...\r\n<data>\r\n` ... `0;...`). */
function unchunk(body: Uint8Array): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  let at = 0;
  const text = new TextDecoder("latin1");
  while (at < body.length) {
    const eol = body.indexOf(13, at);
    const size = parseInt(text.decode(body.subarray(at, eol)).split(";")[0], 16);
    if (!size) break;
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function headersOf(o: StubObject): Headers {
  const h = new Headers({
    "content-type": o.contentType,
    "content-length": String(o.body.length),
    etag: o.etag,
    "last-modified": o.lastModified.toUTCString(),
    "x-amz-storage-class": o.storageClass,
    "accept-ranges": "bytes",
  });
  for (const [k, v] of Object.entries(o.meta)) h.set(k, v);
  if (o.restore && o.restore.expiresAt === undefined) h.set("x-amz-restore", 'ongoing-request="true"');
  if (o.restore?.expiresAt !== undefined) {
    h.set(
      "x-amz-restore",
      `ongoing-request="false", expiry-date="${new Date(o.restore.expiresAt).toUTCString()}"`,
    );
  }
  return h;
}

/**
 * How long a restore takes, per class and tier: AWS's "typically within" times (user guide,
 * Archive retrieval options). Tests pass their own (0 or a few ms) or call `thaw()`.
 */
const HOUR = 3_600_000;
const DELAYS: Record<string, Record<string, number>> = {
  GLACIER: { Expedited: 5 * 60_000, Standard: 5 * HOUR, Bulk: 12 * HOUR },
  DEEP_ARCHIVE: { Standard: 12 * HOUR, Bulk: 48 * HOUR },
};

/** Moves a restore along the clock: done once ready (AWS keeps the copy `days` from then), gone once expired. */
function advance(o: StubObject, now: number): void {
  const r = o.restore;
  if (!r) return;
  if (r.expiresAt === undefined && now >= r.readyAt) r.expiresAt = r.readyAt + r.days * 864e5;
  if (r.expiresAt !== undefined && now >= r.expiresAt) o.restore = undefined;
}

export function startGlacierStub(
  options: {
    bucket?: string;
    /** How long a restore takes (default: AWS's typical times, see DELAYS). */
    restoreDelayMs?: (storageClass: string, tier: string) => number;
    /** The stub's clock in ms (default `Date.now`): a test moves it on instead of waiting. */
    clock?: () => number;
    /**
     * Awaited before an upload (not a copy) is stored, with its key and how many uploads came
     * before it; false refuses it with a 500 (a test kills the client meanwhile).
     */
    beforeUpload?: (key: string, earlier: number) => Promise<boolean>;
    /** Awaited before a readable object is sent (a GET), with its key; false answers a 500. */
    beforeDownload?: (key: string) => Promise<boolean>;
  } = {},
): GlacierStub {
  const bucket = options.bucket ?? "cold";
  const clock = options.clock ?? Date.now;
  const delay = options.restoreDelayMs ?? ((c: string, t: string) => DELAYS[c]?.[t] ?? 0);
  const restoreAsked = new Map<string, { tier: string; days: number }>();
  const objects = new Map<string, StubObject>();
  const uploads = new Map<string, number>();
  const restoreRequests = new Map<string, number>();
  const abort = new AbortController();
  const state = { refusedReads: 0, versioning: undefined as string | undefined };
  const readable = (o: StubObject) => {
    advance(o, clock());
    return !COLD.has(o.storageClass) || o.restore?.expiresAt !== undefined;
  };

  function list(url: URL): Response {
    const prefix = url.searchParams.get("prefix") ?? "";
    const delimiter = url.searchParams.get("delimiter") ?? "";
    const v2 = url.searchParams.get("list-type") === "2";
    const after =
      (v2 ? url.searchParams.get("continuation-token") ?? url.searchParams.get("start-after") : null) ??
        url.searchParams.get("marker") ?? "";
    const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
    const contents: string[] = [];
    const prefixes = new Set<string>();
    for (const key of keys) {
      const rest = key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      if (cut >= 0) {
        prefixes.add(prefix + rest.slice(0, cut + delimiter.length));
        continue;
      }
      const o = objects.get(key)!;
      contents.push(
        `<Contents><Key>${esc(key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified>` +
          `<ETag>${
            esc(o.etag)
          }</ETag><Size>${o.body.length}</Size><StorageClass>${o.storageClass}</StorageClass></Contents>`,
      );
    }
    const common = [...prefixes].map((p) => `<CommonPrefixes><Prefix>${esc(p)}</Prefix></CommonPrefixes>`);
    const head =
      `<Name>${bucket}</Name><Prefix>${esc(prefix)}</Prefix><Delimiter>${esc(delimiter)}</Delimiter>` +
      `<MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>` +
      (v2 ? `<KeyCount>${contents.length + common.length}</KeyCount>` : `<Marker>${esc(after)}</Marker>`);
    return xml(
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${head}${contents.join("")}${
        common.join("")
      }</ListBucketResult>`,
    );
  }

  /**
   * RestoreObject as AWS documents it: 202 when a restore starts, 409 RestoreAlreadyInProgress
   * while one runs, 200 for a restored copy (its expiry moved to `days` from now), 403
   * InvalidObjectState for a class that needs none. Deep Archive has no Expedited tier; the stub
   * answers 400 InvalidArgument for it (the exact code AWS gives was not found).
   */
  function restore(key: string, o: StubObject | undefined, body: string): Response {
    if (!o) return s3Error("NoSuchKey", { message: "The specified key does not exist.", status: 404, key });
    restoreRequests.set(key, (restoreRequests.get(key) ?? 0) + 1);
    const days = Number(/<Days>(\d+)<\/Days>/.exec(body)?.[1] ?? 1);
    const tier = /<Tier>(\w+)<\/Tier>/.exec(body)?.[1] ?? "Standard";
    restoreAsked.set(key, { tier, days });
    if (!COLD.has(o.storageClass)) {
      return s3Error("InvalidObjectState", {
        message: "Restore is not allowed for the object's current storage class",
        status: 403,
        key,
      });
    }
    if (DELAYS[o.storageClass][tier] === undefined) {
      return s3Error("InvalidArgument", {
        message: `${tier} retrieval is not available for the ${o.storageClass} storage class`,
        status: 400,
        key,
      });
    }
    const now = clock();
    advance(o, now);
    if (o.restore?.expiresAt !== undefined) {
      o.restore.expiresAt = now + days * 864e5;
      return new Response(null, { status: 200 });
    }
    if (o.restore) {
      return s3Error("RestoreAlreadyInProgress", {
        message: "Object restore is already in progress",
        status: 409,
        key,
      });
    }
    o.restore = { tier, days, readyAt: now + delay(o.storageClass, tier) };
    return new Response(null, { status: 202 });
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const [, b = "", ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    const q = url.searchParams;
    if (!b) {
      return xml(
        `<ListAllMyBucketsResult><Buckets><Bucket><Name>${bucket}</Name><CreationDate>${
          new Date(0).toISOString()
        }</CreationDate></Bucket></Buckets></ListAllMyBucketsResult>`,
      );
    }
    if (b !== bucket) {
      return s3Error("NoSuchBucket", { message: "The specified bucket does not exist", status: 404 });
    }
    if (!key) {
      if (q.has("versioning")) {
        if (req.method === "PUT") {
          state.versioning = /<Status>(\w+)<\/Status>/.exec(await req.text())?.[1];
          return new Response(null, { status: 200 });
        }
        return xml(
          `<VersioningConfiguration>${
            state.versioning ? `<Status>${state.versioning}</Status>` : ""
          }</VersioningConfiguration>`,
        );
      }
      if (q.has("location")) return xml(`<LocationConstraint/>`);
      if (req.method === "POST" && q.has("delete")) {
        const keys = [...(await req.text()).matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
        for (const k of keys) objects.delete(k);
        return xml(
          `<DeleteResult>${
            keys.map((k) => `<Deleted><Key>${esc(k)}</Key></Deleted>`).join("")
          }</DeleteResult>`,
        );
      }
      if (req.method === "GET") return list(url);
      return new Response(null, { status: 200 }); // HEAD bucket, PUT bucket
    }
    const o = objects.get(key);
    switch (req.method) {
      case "PUT": {
        const from = req.headers.get("x-amz-copy-source");
        let body: Uint8Array<ArrayBuffer>;
        if (from) {
          const source = objects.get(decodeURIComponent(from.replace(/^\/?[^/]+\//, "")));
          if (!source) {
            return s3Error("NoSuchKey", { message: "no such copy source", status: 404, key: from });
          }
          if (!readable(source)) {
            return s3Error("InvalidObjectState", {
              message: "The operation is not valid for the object's storage class",
              status: 403,
              key: key,
            });
          }
          body = source.body;
        } else {
          body = new Uint8Array(await req.arrayBuffer());
          if (req.headers.get("x-amz-content-sha256")?.startsWith("STREAMING-")) body = unchunk(body);
          const earlier = [...uploads.values()].reduce((n, c) => n + c, 0);
          if (options.beforeUpload && !(await options.beforeUpload(key, earlier))) {
            return s3Error("InternalError", { message: "refused by the test", status: 500, key });
          }
          uploads.set(key, (uploads.get(key) ?? 0) + 1);
        }
        const meta: Record<string, string> = {};
        req.headers.forEach((v, k) => {
          if (k.startsWith("x-amz-meta-")) meta[k] = v;
        });
        const etag = `"${createHash("md5").update(body).digest("hex")}"`;
        objects.set(key, {
          body,
          etag,
          lastModified: new Date(),
          storageClass: req.headers.get("x-amz-storage-class") ?? "STANDARD",
          contentType: req.headers.get("content-type") ?? "application/octet-stream",
          meta,
        });
        if (from) {
          return xml(
            `<CopyObjectResult><ETag>${esc(etag)}</ETag><LastModified>${
              new Date().toISOString()
            }</LastModified></CopyObjectResult>`,
          );
        }
        return new Response(null, { status: 200, headers: { etag } });
      }
      case "HEAD":
        if (!o) return new Response(null, { status: 404 });
        advance(o, clock());
        return new Response(null, { status: 200, headers: headersOf(o) });
      case "GET": {
        if (!o) {
          return s3Error("NoSuchKey", {
            message: "The specified key does not exist.",
            status: 404,
            key: key,
          });
        }
        if (!readable(o)) {
          state.refusedReads++;
          return s3Error("InvalidObjectState", {
            message: "The operation is not valid for the object's storage class",
            status: 403,
            key: key,
          });
        }
        if (options.beforeDownload && !(await options.beforeDownload(key))) {
          return new Response("held back by the test", { status: 500 });
        }
        const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.get("range") ?? "");
        if (range) {
          const start = Number(range[1]);
          const end = range[2] ? Math.min(Number(range[2]), o.body.length - 1) : o.body.length - 1;
          const h = headersOf(o);
          h.set("content-length", String(end - start + 1));
          h.set("content-range", `bytes ${start}-${end}/${o.body.length}`);
          return new Response(o.body.slice(start, end + 1), { status: 206, headers: h });
        }
        return new Response(o.body, { status: 200, headers: headersOf(o) });
      }
      case "DELETE":
        objects.delete(key);
        return new Response(null, { status: 204 });
      case "POST":
        if (q.has("restore")) return restore(key, o, await req.text());
        return s3Error("NotImplemented", {
          message: `the stub does not do POST ${url.search}`,
          status: 501,
          key: key,
        });
    }
    return s3Error("NotImplemented", {
      message: `the stub does not do ${req.method}`,
      status: 501,
      key: key,
    });
  }

  let port = 0;
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    signal: abort.signal,
    onListen: (addr) => (port = addr.port),
  }, handle);
  const close = async () => {
    abort.abort();
    await server.finished;
  };
  return {
    get endpoint() {
      return `http://127.0.0.1:${port || server.addr.port}`;
    },
    bucket,
    objects,
    uploads,
    restoreRequests,
    get refusedReads() {
      return state.refusedReads;
    },
    get versioning() {
      return state.versioning;
    },
    set versioning(v) {
      state.versioning = v;
    },
    restoreAsked,
    thaw() {
      let n = 0;
      const now = clock();
      for (const o of objects.values()) {
        if (o.restore && o.restore.expiresAt === undefined) {
          o.restore.readyAt = now;
          advance(o, now);
          n++;
        }
      }
      return n;
    },
    expire() {
      let n = 0;
      for (const o of objects.values()) {
        if (o.restore?.expiresAt !== undefined) {
          o.restore = undefined;
          n++;
        }
      }
      return n;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
