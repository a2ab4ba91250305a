/**
 * The `serve` application: a read-only JSON API, a server-sent-events stream, Prometheus metrics
 * and the dashboard, all made from what the tracker records. Framework-level only: listening,
 * the tracker connection and shutdown belong to {@link ./mod.ts}.
 *
 * @example
 * ```ts
 * const app = createApp({ tracker, home, token: Deno.env.get("PHOTOS_SYNC_SERVE_TOKEN") });
 * const res = await app.request("/api/health", { headers: { authorization: `Bearer ${token}` } });
 * ```
 * @module
 */
import { Hono, type MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { statusReport } from "../tracker/status.ts";
import type { Tracker } from "../tracker/mod.ts";
import { assetPage } from "./assets.ts";
import type { BackupStatus } from "./backup_status.ts";
import { DASHBOARD_FILES } from "./dashboard/mod.ts";
import { snapshotEvents } from "./events.ts";
import { renderMetrics } from "./metrics.ts";
import {
  hostOf,
  isLoopback,
  SECURITY_HEADERS,
  SESSION_COOKIE,
  sessionValue,
  tokenMatches,
} from "./security.ts";
import { SnapshotReader } from "./snapshot.ts";

export interface AppOptions {
  /** A tracker connection; the app only reads through it. */
  tracker: Tracker;
  /** The data directory, for the status report. */
  home: string;
  /** When set, every request must present it (Bearer header, `?token=` once, then the cookie). */
  token?: string;
  /**
   * Refuse requests whose Host header is not a loopback name (default: true when there is no
   * token), so a web page cannot reach a token-less server through DNS rebinding.
   */
  loopbackHostsOnly?: boolean;
  /** Masks secrets in every response body (default: none to mask). */
  redact?: (text: string) => string;
  /** photos-sync's version, for /api/health. */
  version?: string;
  /** Event stream polling, in ms (default 500). */
  pollMs?: number;
  /** Ends every open event stream, so the server can shut down. */
  signal?: AbortSignal;
  /** Builds the status report (default: what `status --json --tracker-only` prints). */
  status?: (tracker: Tracker, home: string) => unknown;
  /** Where backup jobs come from (default: the tracker's backup tables). */
  backups?: (tracker: Tracker) => BackupStatus;
  /** Told about errors reading the tracker in the event stream. */
  onError?: (error: unknown) => void;
}

const UNAUTHORIZED =
  "this photos-sync server needs its token: send the header Authorization: Bearer <token>, or open /?token=<token> once in the browser";

/** A JSON response, with secrets masked. */
type JsonResponder = (value: unknown, status?: number) => Response;

/** What the route groups share. */
interface Routes {
  options: AppOptions;
  reader: SnapshotReader;
  redact: (text: string) => string;
  json: JsonResponder;
}

/** Builds the Hono app; see {@link AppOptions}. */
export function createApp(options: AppOptions): Hono {
  const reader = new SnapshotReader(options.tracker, {
    home: options.home,
    status: options.status,
    backups: options.backups,
  });
  const redact = options.redact ?? ((s: string) => s);
  const json: JsonResponder = (value, status = 200) =>
    new Response(redact(JSON.stringify(value, null, 2)), {
      status,
      headers: { "content-type": "application/json; charset=utf-8" },
    });
  const routes: Routes = { options, reader, redact, json };

  const app = new Hono();
  guardRequests(app, routes);
  routeDashboard(app);
  routeApi(app, routes);
  routeFeeds(app, routes);
  app.notFound(() => json({ error: "not found" }, 404));
  app.onError((e) => {
    options.onError?.(e);
    return json({ error: `the tracker could not be read: ${(e as Error).message}` }, 500);
  });
  return app;
}

/** Security headers on every answer; then only reads, only for loopback names or with the token. */
function guardRequests(app: Hono, { options, json }: Routes): void {
  const token = options.token || undefined;
  const loopbackOnly = options.loopbackHostsOnly ?? !token;
  app.use("*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.use("*", async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      return new Response(JSON.stringify({ error: "read-only: only GET and HEAD are served" }), {
        status: 405,
        headers: { allow: "GET, HEAD", "content-type": "application/json; charset=utf-8" },
      });
    }
    if (loopbackOnly) {
      const host = hostOf(c.req.header("host") ?? "");
      if (!isLoopback(host)) {
        return json({
          error: `requests for host "${host}" are refused: this server has no token and answers only ` +
            `to localhost; set PHOTOS_SYNC_SERVE_TOKEN to serve other names`,
        }, 403);
      }
    }
    return await next();
  });
  if (token) app.use("*", tokenGate(token, json));
}

/** The token as a Bearer header, or `?token=` once (which sets the session cookie), or that cookie. */
function tokenGate(token: string, json: JsonResponder): MiddlewareHandler {
  return async (c, next) => {
    const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
    if (bearer !== undefined) {
      return tokenMatches(bearer, token) ? await next() : json({ error: UNAUTHORIZED }, 401);
    }
    const query = c.req.query("token");
    if (query !== undefined) {
      if (!tokenMatches(query, token)) return json({ error: UNAUTHORIZED }, 401);
      setCookie(c, SESSION_COOKIE, sessionValue(token), {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
        maxAge: 30 * 24 * 3600,
      });
      // Take the token out of the address bar (and the history) once the cookie carries the session.
      if (c.req.header("accept")?.includes("text/html")) {
        const url = new URL(c.req.url);
        url.searchParams.delete("token");
        return c.redirect(url.pathname + url.search, 303);
      }
      return await next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie !== undefined && tokenMatches(cookie, sessionValue(token))) return await next();
    const res = json({ error: UNAUTHORIZED }, 401);
    res.headers.set("WWW-Authenticate", 'Bearer realm="photos-sync"');
    return res;
  };
}

/** The dashboard's files, embedded in the build. */
function routeDashboard(app: Hono): void {
  for (const [path, file] of Object.entries(DASHBOARD_FILES)) {
    app.get(path, () => new Response(file.body, { headers: { "content-type": file.type } }));
  }
}

/** The JSON API: each document read from the tracker when asked for. */
function routeApi(app: Hono, { options, reader, json }: Routes): void {
  app.get("/api/health", () =>
    json({
      ok: true,
      version: options.version ?? null,
      schemaVersion: options.tracker.schemaVersion,
      time: new Date().toISOString(),
    }));
  app.get("/api/status", () => json((options.status ?? statusReport)(options.tracker, options.home)));
  app.get("/api/snapshot", () => json(reader.read()));
  app.get("/api/problems", () => json({ problems: reader.read().problems }));
  app.get("/api/runs", () => {
    const { live, runs } = reader.read();
    return json({ live, runs });
  });
  app.get("/api/backups", () => json(reader.read().backups));
  app.get("/api/assets", (c) => {
    const page = assetPage(options.tracker, {
      query: c.req.query("query"),
      after: c.req.query("after"),
      limit: c.req.query("limit"),
    });
    return json(page, "error" in page ? 400 : 200);
  });
}

/** What is watched rather than asked for: the event stream and the Prometheus metrics. */
function routeFeeds(app: Hono, { options, reader, redact }: Routes): void {
  app.get("/api/events", () =>
    new Response(
      snapshotEvents(reader, {
        pollMs: options.pollMs,
        signal: options.signal,
        redact,
        onError: options.onError,
      }),
      {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          // Tells nginx not to buffer the stream.
          "x-accel-buffering": "no",
        },
      },
    ));
  app.get("/metrics", () =>
    new Response(redact(renderMetrics(reader.read())), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    }));
}
