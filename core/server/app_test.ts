import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { loadConfig } from "../config/mod.ts";
import { ConfigError } from "../plugin/errors.ts";
import { type DestinationPlugin, PLUGIN_API_VERSION } from "../plugin/types.ts";
import { Tracker } from "../tracker/mod.ts";
import { createApp } from "./app.ts";
import { startServer } from "./mod.ts";
import { SESSION_COOKIE } from "./security.ts";

const TOKEN = "serve-token-0123456789abcdef";
const API_KEY = "immich-api-key-ZYXWVUTSRQ";

const secretive = {
  kind: "destination",
  id: "destination.secretive",
  apiVersion: PLUGIN_API_VERSION,
  version: "0.0.0",
  description: "a destination with a secret option",
  options: [{ name: "api-key", type: "string", secret: true, help: "key" }],
  assets: { capabilities: [], open: () => Promise.reject(new Error("not used")) },
} satisfies DestinationPlugin;

const PATHS = [
  "/",
  "/app.js",
  "/style.css",
  "/favicon.svg",
  "/api/health",
  "/api/status",
  "/api/snapshot",
  "/api/problems",
  "/api/runs",
  "/api/backups",
  "/api/assets",
  "/api/events",
  "/metrics",
];

/** A tracker with one failed asset whose message (as a careless plugin might write it) holds secrets. */
async function withTracker(fn: (tracker: Tracker, home: string) => Promise<void>) {
  const home = await Deno.makeTempDir({ prefix: "photos-sync-app-" });
  try {
    Tracker.open(join(home, "tracker.db")).close();
    const db = new DatabaseSync(join(home, "tracker.db"));
    const at = "2026-01-02T03:04:05.000Z";
    db.prepare(
      `INSERT INTO assets (source, asset_id, filename, media_kind, first_seen_at, last_seen_at)
       VALUES ('photos', 'A1', 'IMG_1.HEIC', 'photo', ?, ?)`,
    ).run(at, at);
    db.prepare(
      `INSERT INTO transfers (source, asset_id, destination, status, attempts, error_class, error_message, last_attempt_at)
       VALUES ('photos', 'A1', 'immich:http://nas', 'failed', 2, 'retryable', ?, ?)`,
    ).run(`401 from http://nas with x-api-key ${API_KEY} and token ${TOKEN}`, at);
    db.close();
    const tracker = Tracker.open(join(home, "tracker.db"), { readOnly: true });
    try {
      await fn(tracker, home);
    } finally {
      tracker.close();
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

async function drain(res: Response): Promise<string> {
  if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
    // One chunk is enough; then the client goes away, as a browser would.
    const reader = res.body!.getReader();
    const { value } = await reader.read();
    await reader.cancel();
    return new TextDecoder().decode(value);
  }
  return await res.text();
}

function assertSecurityHeaders(res: Response, path: string) {
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'none'/, path);
  assert.match(csp, /frame-ancestors 'none'/, path);
  assert.doesNotMatch(csp, /https?:|\*/, `${path}: the policy allows nothing from elsewhere`);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
  assert.equal(res.headers.get("x-frame-options"), "DENY", path);
  assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
  assert.equal(res.headers.get("cache-control"), "no-store", path);
}

Deno.test("without a token, serve answers only requests addressed to a loopback name", async () => {
  await withTracker(async (tracker, home) => {
    const app = createApp({ tracker, home });
    for (const host of ["127.0.0.1:8377", "localhost:8377", "[::1]:8377", "127.0.0.2"]) {
      const res = await app.request("/api/health", { headers: { host } });
      assert.equal(res.status, 200, host);
      await res.body?.cancel();
    }
    for (const host of ["photos.example:8377", "192.168.1.10:8377", "127.0.0.1.evil.example"]) {
      const res = await app.request("/api/health", { headers: { host } });
      assert.equal(res.status, 403, host);
      assert.match((await res.json()).error, /PHOTOS_SYNC_SERVE_TOKEN/);
      assertSecurityHeaders(res, host);
    }
  });
});

Deno.test("with a token, every path refuses a request that does not carry it, and accepts one that does", async () => {
  await withTracker(async (tracker, home) => {
    const app = createApp({ tracker, home, token: TOKEN });
    // Any Host is fine once a token guards the server.
    const host = { host: "photos.example:8377" };
    for (const path of PATHS) {
      const none = await app.request(path, { headers: host });
      assert.equal(none.status, 401, `${path} without a token`);
      assert.equal(none.headers.get("www-authenticate"), 'Bearer realm="photos-sync"');
      assertSecurityHeaders(none, path);
      await none.body?.cancel();
      for (
        const wrong of [
          `Bearer ${TOKEN.slice(0, -1)}`,
          `Bearer ${TOKEN}x`,
          "Bearer ",
          `Basic ${btoa(`u:${TOKEN}`)}`,
        ]
      ) {
        const res = await app.request(path, { headers: { ...host, authorization: wrong } });
        assert.equal(res.status, 401, `${path} with ${wrong}`);
        await res.body?.cancel();
      }
      const bad = await app.request(`${path}?token=${TOKEN}0`, { headers: host });
      assert.equal(bad.status, 401, `${path} with a wrong ?token=`);
      await bad.body?.cancel();
      const ok = await app.request(path, { headers: { ...host, authorization: `Bearer ${TOKEN}` } });
      assert.equal(ok.status, 200, path);
      assertSecurityHeaders(ok, path);
      await drain(ok);
    }
    const missing = await app.request("/nope", { headers: { ...host, authorization: `Bearer ${TOKEN}` } });
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("a browser shows the token once and gets a session cookie that is not the token", async () => {
  await withTracker(async (tracker, home) => {
    const app = createApp({ tracker, home, token: TOKEN });
    const first = await app.request(`/?token=${encodeURIComponent(TOKEN)}`, {
      headers: { accept: "text/html,application/xhtml+xml" },
    });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get("location"), "/", "the token leaves the address bar");
    const cookie = first.headers.get("set-cookie") ?? "";
    assert.match(cookie, new RegExp(`^${SESSION_COOKIE}=[0-9a-f]{64};`));
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.ok(!cookie.includes(TOKEN));
    const session = cookie.split(";")[0];
    for (const path of ["/", "/api/status", "/metrics"]) {
      const res = await app.request(path, { headers: { cookie: session } });
      assert.equal(res.status, 200, path);
      await res.body?.cancel();
    }
    const forged = await app.request("/api/status", {
      headers: { cookie: `${SESSION_COOKIE}=${"0".repeat(64)}` },
    });
    assert.equal(forged.status, 401);
    await forged.body?.cancel();
    // Another token ends every session made with the old one.
    const rotated = createApp({ tracker, home, token: `${TOKEN}-rotated` });
    const stale = await rotated.request("/api/status", { headers: { cookie: session } });
    assert.equal(stale.status, 401);
    await stale.body?.cancel();
  });
});

Deno.test("serve is read-only: every method but GET and HEAD is refused, even with the token", async () => {
  await withTracker(async (tracker, home) => {
    const app = createApp({ tracker, home, token: TOKEN });
    const before = tracker.dataVersion;
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      for (const path of ["/api/status", "/api/runs", "/"]) {
        const res = await app.request(path, { method, headers: { authorization: `Bearer ${TOKEN}` } });
        assert.equal(res.status, 405, `${method} ${path}`);
        assert.equal(res.headers.get("allow"), "GET, HEAD");
        await res.body?.cancel();
      }
    }
    const head = await app.request("/api/status", {
      method: "HEAD",
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(head.status, 200);
    assert.equal(tracker.dataVersion, before);
  });
});

Deno.test("no configured secret appears in any response, even when the tracker holds one", async () => {
  await withTracker(async (tracker, home) => {
    const config = await loadConfig({
      env: { PHOTOS_SYNC_HOME: home, PHOTOS_SYNC_SERVE_TOKEN: TOKEN, PHOTOS_SYNC_SECRETIVE_API_KEY: API_KEY },
    });
    config.guardSecrets([secretive]);
    const token = config.core["serve-token"] as string;
    assert.equal(token, TOKEN);
    const app = createApp({ tracker, home, token, redact: (s) => config.redactor.redact(s) });
    for (const path of PATHS) {
      const res = await app.request(path, { headers: { authorization: `Bearer ${TOKEN}` } });
      const text = await drain(res) + [...res.headers.entries()].flat().join("\n");
      assert.ok(!text.includes(TOKEN), `${path} shows the serve token`);
      assert.ok(!text.includes(API_KEY), `${path} shows the plugin's API key`);
    }
    const problems =
      await (await app.request("/api/problems", { headers: { authorization: `Bearer ${TOKEN}` } }))
        .json();
    assert.match(problems.problems[0].reason, /x-api-key \*\*\* and token \*\*\*/);
  });
});

Deno.test("serve refuses to listen beyond loopback without a token", async () => {
  const home = await Deno.makeTempDir();
  try {
    for (const hostname of ["0.0.0.0", "::", "192.168.1.10"]) {
      await assert.rejects(
        startServer({ home, hostname, port: 0 }),
        (e: Error) => e instanceof ConfigError && /PHOTOS_SYNC_SERVE_TOKEN/.test(e.message),
      );
    }
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test({
  name: "a running server stops cleanly with an event stream still open",
  sanitizeOps: true,
  sanitizeResources: true,
  async fn() {
    const home = await Deno.makeTempDir();
    try {
      const server = await startServer({ home, port: 0, pollMs: 20 });
      const res = await fetch(`${server.url}api/events`);
      assert.equal(res.status, 200);
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("event: snapshot")) text += (await reader.read()).value ?? "";
      const stopped = server.stop();
      // The server ends the stream: the client sees its end instead of hanging.
      while (!(await reader.read()).done) { /* rest of the stream */ }
      await stopped;
    } finally {
      await Deno.remove(home, { recursive: true });
    }
  },
});
