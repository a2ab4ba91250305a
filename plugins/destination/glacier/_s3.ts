/**
 * The two S3 calls rclone 1.60 cannot make for us: HeadObject with its `x-amz-restore` header
 * (rclone's `backend restore-status` came later) and RestoreObject for one object with its own
 * answer. Signed with AWS Signature Version 4 through the host's HTTP client.
 *
 * @example
 * ```ts
 * const s3 = new S3Objects(ctx.http, { bucket: "photos", region: "us-east-1", accessKeyId, secretAccessKey });
 * const head = await s3.head("photos-sync/abc/def"); // 404 when absent
 * ```
 * @module
 */
import type { HttpClient } from "../../../core/plugin/types.ts";

export interface S3Account {
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** An S3-compatible endpoint (path-style); AWS (virtual-hosted style) when unset. */
  endpoint?: string;
}

const enc = new TextEncoder();
const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, "0")).join("");
const sha256 = async (s: string) => hex(await crypto.subtle.digest("SHA-256", enc.encode(s)));

async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey(
    "raw",
    key as BufferSource,
    { name: "HMAC", hash: "SHA-256" },
    false,
    [
      "sign",
    ],
  );
  return await crypto.subtle.sign("HMAC", k, enc.encode(data));
}

/** RFC 3986 encoding of each path segment, as SigV4's canonical URI wants it for S3. */
const encodeKey = (key: string) =>
  key.split("/").map((p) =>
    encodeURIComponent(p).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`)
  )
    .join("/");

/**
 * The headers of a request signed with AWS Signature Version 4 (header form, payload hashed):
 * `x-amz-date`, `x-amz-content-sha256` and `authorization`. `query` must be canonical already
 * (sorted, encoded, `name=` for a bare name); `host` is signed but left to the HTTP client.
 */
export async function signV4(
  request: { method: string; url: URL; query: string; body: string },
  account: Pick<S3Account, "region" | "accessKeyId" | "secretAccessKey">,
  date: Date,
): Promise<Record<string, string>> {
  const now = date.toISOString().replace(/[-:]|\.\d{3}/g, "");
  const day = now.slice(0, 8);
  const payload = await sha256(request.body);
  const signed: Record<string, string> = {
    host: request.url.host,
    "x-amz-content-sha256": payload,
    "x-amz-date": now,
  };
  const names = Object.keys(signed).sort();
  const canonical = [
    request.method,
    request.url.pathname,
    request.query,
    ...names.map((n) => `${n}:${signed[n]}`),
    "",
    names.join(";"),
    payload,
  ].join("\n");
  const scope = `${day}/${account.region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", now, scope, await sha256(canonical)].join("\n");
  let key: ArrayBuffer = await hmac(enc.encode(`AWS4${account.secretAccessKey}`), day);
  for (const part of [account.region, "s3", "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  return {
    "x-amz-content-sha256": payload,
    "x-amz-date": now,
    authorization: `AWS4-HMAC-SHA256 Credential=${account.accessKeyId}/${scope}, ` +
      `SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
}

export class S3Objects {
  constructor(readonly http: HttpClient, readonly account: S3Account) {}

  /** The object's URL; `query` is already canonical (sorted, encoded). */
  #url(key: string, query = ""): URL {
    const { bucket, region, endpoint } = this.account;
    const path = encodeKey(key);
    const url = endpoint
      ? new URL(`${endpoint.replace(/\/+$/, "")}/${bucket}/${path}`)
      : new URL(`https://${bucket}.s3.${region}.amazonaws.com/${path}`);
    if (query) url.search = query;
    return url;
  }

  /** One signed request. */
  async request(
    method: string,
    key: string,
    options: { query?: string; body?: string } = {},
  ): Promise<Response> {
    const url = this.#url(key, options.query);
    const body = options.body ?? "";
    const headers = await signV4({ method, url, query: options.query ?? "", body }, this.account, new Date());
    return await this.http(url, { method, body: body || undefined, headers });
  }

  /** HeadObject: its status (404 when absent) and headers. */
  async head(key: string): Promise<{ status: number; headers: Headers }> {
    const res = await this.request("HEAD", key);
    await res.body?.cancel();
    return { status: res.status, headers: res.headers };
  }

  /** RestoreObject: the HTTP status and, for an error, S3's error code. */
  async restore(key: string, tier: string, days: number): Promise<{ status: number; code?: string }> {
    const body = `<RestoreRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Days>${days}</Days>` +
      `<GlacierJobParameters><Tier>${tier}</Tier></GlacierJobParameters></RestoreRequest>`;
    const res = await this.request("POST", key, { query: "restore=", body });
    const text = await res.text();
    return { status: res.status, code: /<Code>([^<]+)<\/Code>/.exec(text)?.[1] };
  }
}
