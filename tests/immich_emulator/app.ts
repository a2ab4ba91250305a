/**
 * The Immich API emulator as a Hono app: every endpoint photos-sync and `@immich/cli` call, with
 * the real server's status codes, messages and JSON shapes, switchable between 1.135-style and
 * 3.x-style behaviour, plus fault injection for resilience tests.
 *
 * @example
 * ```ts
 * const emulator = new Emulator({ version: "1.135.3" });
 * const res = await emulator.app.request("/api/server/version");
 * ```
 * @module
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { boundaryOf, MultipartError, readMultipart } from "./_multipart.ts";
import {
  type AlbumVariant,
  exifDate,
  renderAlbum,
  renderAsset,
  renderMe,
  renderStack,
  renderTag,
} from "./_render.ts";
import {
  type Album,
  type ApiKey,
  type Asset,
  featuresFor,
  normaliseChecksum,
  PERMISSIONS_1_135,
  PERMISSIONS_3,
  QUEUE_NAMES,
  State,
  type User,
  VISIBILITIES,
  type Visibility,
} from "./_state.ts";
import { readXmp } from "./_xmp.ts";
import { readFileFacts } from "./_extract.ts";
import { renderFace, renderPerson } from "./_people.ts";

export interface EmulatorOptions {
  /** The server version to behave like (default `3.2.2`); anything from 1.133 on. */
  version?: string;
  /** Keep uploaded originals here (default: keep only their SHA-1 and size). */
  storeDir?: string;
  /** Answer 413 like a reverse proxy to request bodies larger than this. */
  maxBodyBytes?: number;
  /**
   * Force deletion races as in Immich (transcripts 11 and 14): the asset is gone at once (reads
   * 400), but the next upload of its bytes is still answered `duplicate` with the deleted id.
   */
  slowForceDelete?: boolean;
}

/** A fault to inject into matching requests. */
export interface FaultRule {
  method?: string;
  /** A regular expression matched against the path (e.g. `^/api/assets$`). */
  path?: string;
  /** Only requests about this file: its SHA-1 in the `x-immich-checksum` header (an upload). */
  checksum?: string;
  /** Answer with this status and an Immich-shaped error body instead of handling the request. */
  status?: number;
  /**
   * End the response abruptly: `before` the request is handled (nothing happened), or `after` it
   * was (the asset exists, the client never hears so). The client sees a broken connection.
   */
  drop?: "before" | "after";
  /** Wait this long before handling. */
  delayMs?: number;
  /** Apply to every Nth matching request (default 1: each one). */
  every?: number;
  /** Apply at most this many times. */
  times?: number;
}

/**
 * An API request as an {@link Emulator.onRequest} observer sees it: once when it `arrived` (nothing
 * handled yet; an upload's body may still be coming in) and once `handled`, when the server did its
 * work and its answer is about to leave.
 */
export interface SeenRequest {
  stage: "arrived" | "handled";
  method: string;
  path: string;
  /** `METHOD /path` with ids as `:id`, as {@link Emulator.count} takes it. */
  route: string;
  headers: Headers;
  /** The JSON body (undefined for other bodies); the handler still reads its own copy. */
  json(): Promise<unknown>;
  /** The answer's status, once `handled`. */
  status?: number;
}

const IMAGE_TYPES = [
  ".3fr",
  ".ari",
  ".arw",
  ".cap",
  ".cin",
  ".cr2",
  ".cr3",
  ".crw",
  ".dcr",
  ".dng",
  ".erf",
  ".fff",
  ".iiq",
  ".k25",
  ".kdc",
  ".mrw",
  ".nef",
  ".nrw",
  ".orf",
  ".ori",
  ".pef",
  ".psd",
  ".raf",
  ".raw",
  ".rw2",
  ".rwl",
  ".sr2",
  ".srf",
  ".srw",
  ".x3f",
  ".avif",
  ".gif",
  ".jpeg",
  ".jpg",
  ".png",
  ".webp",
  ".bmp",
  ".heic",
  ".heif",
  ".hif",
  ".insp",
  ".jp2",
  ".jpe",
  ".jxl",
  ".svg",
  ".tif",
  ".tiff",
]; // deno-fmt-ignore
const VIDEO_TYPES = [
  ".3gp", ".3gpp", ".avi", ".flv", ".insv", ".m2t", ".m2ts", ".m4v", ".mkv", ".mov", ".mp4", ".mpe", ".mpeg", ".mpg",
  ".mts", ".vob", ".webm", ".wmv",
]; // deno-fmt-ignore
const MIME: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".heic": "image/heic",
  ".heif": "image/heif",
  ".gif": "image/gif",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".dng": "image/dng",
  ".webp": "image/webp",
  ".mov": "video/quicktime",
  ".mp4": "video/mp4",
  ".m4v": "video/x-m4v",
};

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  413: "Payload Too Large",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (v: unknown): v is string => typeof v === "string" && UUID.test(v);
const extension = (name: string) => name.includes(".") ? name.slice(name.lastIndexOf(".")).toLowerCase() : "";
const now = () => new Date().toISOString();

type Env = { Variables: { key: ApiKey; user: User } };
type Ctx = Context<Env>;

/** A request body that ended badly; answered with the body parser's 400. */
class BodyError extends Error {}

/** Parses "+02:00" / "Z" / "+0530" into seconds east of UTC. */
function offsetSeconds(text: string): number | undefined {
  if (text === "Z") return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 3600 + Number(m[3]) * 60) : undefined;
}

/** Immich's name for a fixed offset: `UTC+2`, `UTC-5`, `UTC+5:30`. */
function zoneName(seconds: number): string {
  if (seconds === 0) return "UTC";
  const sign = seconds < 0 ? "-" : "+";
  const abs = Math.abs(seconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  return `UTC${sign}${h}${m ? `:${String(m).padStart(2, "0")}` : ""}`;
}

/** An exiftool-style or ISO date with optional offset -> the instant, the local wall time, the offset. */
function parseCaptureDate(text: string): { utc: string; local: string; offset?: number } | undefined {
  const m = /^(\d{4})[:-](\d{2})[:-](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text.trim(),
  );
  if (!m) return undefined;
  const ms = m[7] ? Math.round(Number(m[7]) * 1000) : 0;
  const wall = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms);
  // A bare `Z` gives the instant but no zone: Immich shows UTC wall time and timeZone null.
  const offset = m[8] && m[8] !== "Z" ? offsetSeconds(m[8]) : undefined;
  return {
    utc: new Date(wall - (offset ?? 0) * 1000).toISOString(),
    local: new Date(wall).toISOString(),
    offset,
  };
}

/** The update fields Immich writes to `exifInfo` only, without moving the asset's `updatedAt` at once. */
const EXIF_FIELDS = new Set(["description", "latitude", "longitude", "dateTimeOriginal"]);

export class Emulator {
  readonly state: State;
  readonly app = new Hono<Env>();
  faults: FaultRule[] = [];
  /**
   * Sees every API request as it arrives and again once handled; the request waits while the
   * returned promise is pending. Answering `"drop"` breaks the connection there, as a fault's `drop`
   * does: before handling nothing happens, after it the work is done but the client never hears.
   * For tests that act at an exact moment of a client's run, e.g. kill it mid-upload.
   */
  onRequest?: (seen: SeenRequest) => void | "drop" | Promise<void | "drop">;
  /** Requests per `METHOD /route` (ids replaced by `:id`). */
  readonly stats = new Map<string, number>();
  readonly #faultHits = new Map<FaultRule, { seen: number; applied: number }>();
  readonly adminKey: ApiKey;

  constructor(readonly options: EmulatorOptions = {}) {
    this.state = new State(featuresFor(options.version ?? "3.2.2"));
    this.adminKey = this.state.createApiKey(this.state.admin.id, ["all"], "admin");
    this.#routes();
  }

  get version(): string {
    const v = this.state.features.version;
    return `${v.major}.${v.minor}.${v.patch}`;
  }

  /** How many times a fault rule was applied. */
  applied(rule: FaultRule): number {
    return this.#faultHits.get(rule)?.applied ?? 0;
  }

  /**
   * Requests counted so far for a route (`POST /api/assets`, ids as `:id`), or for every route a
   * regular expression matches.
   */
  count(route: string | RegExp): number {
    if (typeof route === "string") return this.stats.get(route) ?? 0;
    return [...this.stats].filter(([r]) => route.test(r)).reduce((n, [, c]) => n + c, 0);
  }

  // ---------------------------------------------------------------------------------------------

  #error(c: Ctx, status: number, message: string | string[]) {
    return c.json({
      message,
      error: STATUS_TEXT[status] ?? "Error",
      statusCode: status,
      correlationId: Math.random().toString(36).slice(2, 10).padEnd(8, "0"),
    }, status as 400);
  }

  /** 403 when the key lacks `permission` and this version checks it on this route. */
  #deny(c: Ctx, permission: string, checkedIn135 = false): Response | undefined {
    if (!this.state.features.allPermissionsEnforced && !checkedIn135) return undefined;
    const key = c.get("key");
    if (key.permissions.includes("all") || key.permissions.includes(permission)) return undefined;
    return this.#error(c, 403, `Missing required permission: ${permission}`);
  }

  async #json(c: Ctx): Promise<Record<string, unknown>> {
    const text = await c.req.text();
    if (!/json/i.test(c.req.header("content-type") ?? "")) return {};
    if (text === "") return {};
    return strictJson(text);
  }

  /** People and faces (transcript 17): made by hand, as with machine learning off. */
  #peopleRoutes(
    api: Record<
      "get" | "post" | "put" | "delete",
      (path: string, h: (c: Ctx) => Response | Promise<Response>) => unknown
    >,
  ) {
    const people = this.state.people;
    const own = (c: Ctx) => {
      const person = people.people.get(c.req.param("id") ?? "");
      return person && person.ownerId === c.get("user").id ? person : undefined;
    };
    api.post("/api/people", async (c) =>
      this.#deny(c, "person.create", true) ??
        c.json(renderPerson(people.create(c.get("user").id, await this.#json(c))), 201));
    api.get("/api/people", (c) => {
      const denied = this.#deny(c, "person.read", true);
      if (denied) return denied;
      const mine = [...people.people.values()].filter((p) => p.ownerId === c.get("user").id);
      const shown = c.req.query("withHidden") === "true" ? mine : mine.filter((p) => !p.isHidden);
      // Paged as the OpenAPI spec says: `size` (default 500) per `page`, from 1.
      const size = Number(c.req.query("size") ?? 500);
      const page = Number(c.req.query("page") ?? 1);
      return c.json({
        people: shown.slice((page - 1) * size, page * size).map(renderPerson),
        hasNextPage: shown.length > page * size,
        total: mine.length,
        hidden: mine.filter((p) => p.isHidden).length,
      });
    });
    api.get("/api/people/:id", (c) => {
      const person = own(c);
      return this.#deny(c, "person.read", true) ??
        (person ? c.json(renderPerson(person)) : this.#notFound(c, "person.read"));
    });
    api.get("/api/people/:id/statistics", (c) => {
      const person = own(c);
      if (!person) return this.#deny(c, "person.statistics", true) ?? this.#notFound(c, "person.read");
      const live = (id: string) => this.state.assets.get(id)?.deletedAt === null;
      return this.#deny(c, "person.statistics", true) ??
        c.json({ assets: people.assetsOf(person.id, live).size });
    });
    api.put("/api/people/:id", async (c) => {
      const person = own(c);
      if (!person) return this.#deny(c, "person.update", true) ?? this.#notFound(c, "person.update");
      return this.#deny(c, "person.update", true) ??
        c.json(renderPerson(people.update(person, await this.#json(c))));
    });
    api.post("/api/faces", async (c) => {
      const denied = this.#deny(c, "face.create", true);
      if (denied) return denied;
      const body = await this.#json(c);
      if (!this.#ownAsset(c, String(body.assetId))) return this.#notFound(c, "asset.read");
      if (typeof body.personId === "string" && !people.people.has(body.personId)) {
        return this.#notFound(c, "person.read");
      }
      people.addFace(body);
      return c.body(null, 201);
    });
    // Not recorded in 1.135.3's transcripts; the OpenAPI spec answers 200 with no body.
    api.delete("/api/faces/:id", (c) => {
      const denied = this.#deny(c, "face.delete", true);
      if (denied) return denied;
      const face = people.faces.get(c.req.param("id") ?? "");
      if (!face || !this.#ownAsset(c, face.assetId)) return this.#notFound(c, "face.delete");
      people.faces.delete(face.id);
      return c.body(null, 200);
    });
    api.get("/api/faces", (c) => {
      const denied = this.#deny(c, "face.read", true);
      if (denied) return denied;
      const asset = this.#ownAsset(c, c.req.query("id") ?? "");
      if (!asset) return this.#notFound(c, "asset.read");
      return c.json(people.facesOf(asset.id).map((f) => renderFace(people, f)));
    });
  }

  /** Reads the API key; undefined when the request may go on. */
  #authenticate(c: Ctx): Response | undefined {
    const secret = c.req.header("x-api-key");
    if (secret === undefined) {
      if (c.req.header("authorization") || c.req.header("x-immich-user-token")) {
        return this.#error(c, 401, "Invalid user token");
      }
      return this.#error(c, 401, "Authentication required");
    }
    const key = this.state.keys.get(secret);
    if (!key) return this.#error(c, 401, "Invalid API key");
    c.set("key", key);
    c.set("user", this.state.users.get(key.userId)!);
    return undefined;
  }

  #ownAsset(c: Ctx, id: string): Asset | undefined {
    const asset = this.state.assets.get(id);
    if (!asset || asset.ownerId !== c.get("user").id) return undefined;
    // An API key never gets at locked assets: they need an elevated (PIN) session.
    if (asset.visibility === "locked") return undefined;
    return asset;
  }

  #notFound(c: Ctx, permission: string) {
    return this.#error(c, 400, `Not found or no ${permission} access`);
  }

  #hideVideo(video: Asset) {
    if (video.visibility === "timeline") {
      video.visibility = "hidden";
      this.state.touch(video);
    }
  }

  /** The checks Immich makes on `livePhotoVideoId`; returns an error message or the video. */
  #liveVideo(user: User, id: string): string | Asset {
    const video = this.state.assets.get(id);
    if (!video) return "Live photo video not found";
    if (video.ownerId !== user.id) return "Live photo video does not belong to the user";
    if (video.type !== "VIDEO") return "Live photo video must be a video";
    return video;
  }

  #faultFor(method: string, path: string, checksum?: string): FaultRule | undefined {
    for (const rule of this.faults) {
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.path && !new RegExp(rule.path).test(path)) continue;
      if (rule.checksum && rule.checksum !== checksum) continue;
      const hits = this.#faultHits.get(rule) ?? { seen: 0, applied: 0 };
      this.#faultHits.set(rule, hits);
      hits.seen++;
      if (rule.times !== undefined && hits.applied >= rule.times) continue;
      if (hits.seen % (rule.every ?? 1) !== 0) continue;
      hits.applied++;
      return rule;
    }
    return undefined;
  }

  // ---------------------------------------------------------------------------------------------

  #routes() {
    const app = this.app;
    const state = this.state;
    const f = state.features;

    app.onError((e, c) => {
      if (e instanceof BodyError) {
        return c.json({ message: e.message, error: "Bad Request", statusCode: 400 }, 400);
      }
      return this.#error(c as Ctx, 500, `emulator error: ${(e as Error).message}`);
    });
    app.notFound((c) => this.#error(c as Ctx, 404, `Cannot ${c.req.method} ${c.req.path}`));

    // Control routes for tests that run the emulator as a separate process.
    app.get("/__emulator/state", (c) => c.json(this.summary()));
    app.put("/__emulator/faults", async (c) => {
      this.faults = ((await c.req.json()) as { rules?: FaultRule[] }).rules ?? [];
      this.#faultHits.clear();
      return c.json({ ok: true });
    });
    app.post("/__emulator/keys", async (c) => {
      const body = await c.req.json() as { email?: string; permissions?: string[]; admin?: boolean };
      let user = [...state.users.values()].find((u) => u.email === body.email);
      if (!user && body.email) {
        user = state.createUser({ email: body.email, name: body.email, isAdmin: body.admin });
      }
      const key = state.createApiKey((user ?? state.admin).id, body.permissions ?? ["all"]);
      return c.json({ secret: key.secret, userId: key.userId });
    });

    app.use("*", async (c, next) => {
      const route = `${c.req.method} ${c.req.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, ":id")}`;
      if (c.req.path.startsWith("/__emulator")) return await next();
      this.stats.set(route, (this.stats.get(route) ?? 0) + 1);
      const limit = this.options.maxBodyBytes;
      const length = Number(c.req.header("content-length") ?? "NaN");
      if (limit !== undefined && length > limit) return tooLarge();
      // Hono keeps a body it read, so the observer may read a JSON body before the handler does.
      const json = async () => {
        if (!/json/i.test(c.req.header("content-type") ?? "")) return undefined;
        try {
          return JSON.parse(await c.req.text());
        } catch {
          return undefined; // the handler answers a bad body itself
        }
      };
      const observe = async (stage: SeenRequest["stage"]) => {
        if (!this.onRequest) return false;
        const seen: SeenRequest = {
          stage,
          method: c.req.method,
          path: c.req.path,
          route,
          headers: c.req.raw.headers,
          json,
          status: stage === "handled" ? c.res.status : undefined,
        };
        return (await this.onRequest(seen)) === "drop";
      };
      if (await observe("arrived")) {
        await c.req.raw.body?.cancel().catch(() => {});
        return broken();
      }
      const rule = this.#faultFor(c.req.method, c.req.path, c.req.header("x-immich-checksum"));
      if (rule?.delayMs) await new Promise((r) => setTimeout(r, rule.delayMs));
      if (rule?.drop === "before") {
        await c.req.raw.body?.cancel().catch(() => {});
        return broken();
      }
      if (rule?.status) {
        await c.req.raw.body?.cancel().catch(() => {});
        return this.#error(
          c as Ctx,
          rule.status,
          rule.status === 429 ? "Too many requests" : "Injected failure",
        );
      }
      await next();
      if (rule?.drop === "after" || await observe("handled")) {
        await c.res.body?.cancel().catch(() => {});
        c.res = broken();
      }
    });

    app.get("/.well-known/immich", (c) => c.json({ api: { endpoint: "/api" } }));
    app.get("/api/server/ping", (c) => c.json({ res: "pong" }));
    app.get("/api/server/version", (c) => {
      const v = f.version;
      return c.json(f.deviceIds ? v : { ...v, prerelease: null });
    });
    app.get(
      "/api/server/media-types",
      (c) => c.json({ video: VIDEO_TYPES, image: IMAGE_TYPES, sidecar: [".xmp"] }),
    );
    app.get("/api/server/features", (c) =>
      c.json({
        smartSearch: false,
        facialRecognition: false,
        duplicateDetection: false,
        map: false,
        reverseGeocoding: true,
        importFaces: false,
        sidecar: true,
        search: true,
        trash: true,
        oauth: false,
        oauthAutoLaunch: false,
        passwordLogin: true,
        configFile: true,
        email: false,
      }));

    // Everything below needs credentials. Unknown routes answer 404 before any check, as in Immich.
    const on = (method: string) => (path: string, handler: (c: Ctx) => Response | Promise<Response>) =>
      app.on(method, path, async (c) => this.#authenticate(c as Ctx) ?? await handler(c as Ctx));
    const api = {
      get: on("GET"),
      post: on("POST"),
      put: on("PUT"),
      delete: on("DELETE"),
      patch: on("PATCH"),
    };

    api.get("/api/server/about", (c) => {
      return this.#deny(c, "server.about") ?? c.json({
        version: `v${this.version}`,
        versionUrl: `https://github.com/immich-app/immich/releases/tag/v${this.version}`,
        licensed: false,
        nodejs: "v22.16.0",
        exiftool: "13.00",
        ffmpeg: "5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers",
        libvips: "8.16.1",
        imagemagick: "",
      });
    });
    api.get("/api/users/me", (c) => this.#deny(c, "user.read") ?? c.json(renderMe(state, c.get("user"))));
    api.post("/api/admin/users", async (c) => {
      if (!c.get("user").isAdmin) return this.#error(c, 403, "Forbidden");
      const body = await this.#json(c);
      const user = state.createUser({ email: String(body.email), name: String(body.name ?? body.email) });
      return c.json({ ...renderMe(state, user), storageLabel: null }, 201);
    });

    // API keys ----------------------------------------------------------------------------------
    const renderKey = (k: ApiKey) => ({
      id: k.id,
      name: k.name,
      createdAt: k.createdAt,
      updatedAt: k.createdAt,
      permissions: k.permissions,
    });
    api.get("/api/api-keys", (c) =>
      this.#deny(c, "apiKey.read", true) ??
        c.json(
          [...state.keys.values()].filter((k) => k.userId === c.get("user").id).reverse().map(renderKey),
        ));
    api.post("/api/api-keys", async (c) => {
      const denied = this.#deny(c, "apiKey.create", true);
      if (denied) return denied;
      const body = await this.#json(c);
      const permissions = body.permissions as string[] | undefined;
      const known = f.apiKeyMe ? PERMISSIONS_3 : PERMISSIONS_1_135;
      const problems: string[] = [];
      if (!Array.isArray(permissions) || permissions.length === 0) {
        problems.push("permissions must contain at least 1 elements");
      }
      if (!Array.isArray(permissions) || permissions.some((p) => !known.includes(p))) {
        problems.push(`each value in permissions must be one of the following values: ${known.join(", ")}`);
      }
      if (problems.length > 0) return this.#error(c, 400, problems);
      const key = state.createApiKey(c.get("user").id, permissions, String(body.name ?? "API Key"));
      return c.json({ secret: key.secret, apiKey: renderKey(key) }, 201);
    });
    api.get("/api/api-keys/:id", (c) => {
      const id = c.req.param("id")!;
      if (id === "me" && f.apiKeyMe) return c.json(renderKey(c.get("key")));
      if (!isUuid(id)) return this.#error(c, 400, ["id must be a UUID"]);
      const key = [...state.keys.values()].find((k) => k.id === id && k.userId === c.get("user").id);
      return key ? c.json(renderKey(key)) : this.#notFound(c, "apiKey.read");
    });
    api.delete("/api/api-keys/:id", (c) => {
      const id = c.req.param("id")!;
      if (!isUuid(id)) return this.#error(c, 400, ["id must be a UUID"]);
      return state.revokeApiKey(id) ? c.body(null, 204) : this.#notFound(c, "apiKey.delete");
    });

    // Assets ------------------------------------------------------------------------------------
    api.post("/api/assets/bulk-upload-check", async (c) => {
      const denied = this.#deny(c, "asset.upload");
      if (denied) return denied;
      const body = await this.#json(c);
      const items = body.assets;
      if (!Array.isArray(items)) return this.#error(c, 400, ["assets must be an array"]);
      const problems: string[] = [];
      items.forEach((item, i) => {
        for (const field of ["id", "checksum"]) {
          const v = (item as Record<string, unknown>)?.[field];
          if (typeof v !== "string" || v === "") {
            problems.push(
              `assets.${i}.${field} should not be empty`,
              `assets.${i}.${field} must be a string`,
            );
          }
        }
      });
      if (problems.length > 0) return this.#error(c, 400, problems);
      if (items.length === 0 && f.deviceIds) return this.#error(c, 500, "Failed to check bulk upload");
      const user = c.get("user");
      const results = (items as { id: string; checksum: string }[]).map(({ id, checksum }) => {
        const hex = normaliseChecksum(checksum);
        const asset = hex ? state.findByChecksum(user.id, hex) : undefined;
        // Still being deleted (slowForceDelete): rejected as a duplicate of the deleted id.
        const deleting = hex && !asset ? state.deleting.get(`${user.id}:${hex}`) : undefined;
        if (deleting) {
          return { id, action: "reject", reason: "duplicate", assetId: deleting, isTrashed: false };
        }
        if (!asset) return { id, action: "accept" };
        return {
          id,
          action: "reject",
          reason: "duplicate",
          assetId: asset.id,
          isTrashed: asset.deletedAt !== null,
        };
      });
      return c.json({ results });
    });

    api.post("/api/assets", (c) => this.#upload(c));

    api.post("/api/assets/exist", async (c) => {
      if (!f.deviceIds) return this.#error(c, 404, "Cannot POST /api/assets/exist");
      const body = await this.#json(c);
      const wanted = new Set(body.deviceAssetIds as string[]);
      const existingIds = [...state.assetsOf(c.get("user").id)]
        .filter((a) => a.deviceId === body.deviceId && wanted.has(a.deviceAssetId ?? "")).map((a) =>
          a.deviceAssetId
        );
      return c.json({ existingIds });
    });

    api.put("/api/assets", async (c) => {
      const denied = this.#deny(c, "asset.update");
      if (denied) return denied;
      const body = await this.#json(c);
      const ids = body.ids;
      if (!Array.isArray(ids) || ids.some((id) => !isUuid(id))) {
        return this.#error(c, 400, ["each value in ids must be a UUID"]);
      }
      const problems = this.#validateUpdate(body);
      if (problems.length > 0) return this.#error(c, 400, problems);
      const assets = ids.map((id) => this.#ownAsset(c, id));
      if (assets.some((a) => !a)) return this.#notFound(c, "asset.update");
      if (body.rating !== undefined && f.deviceIds) return this.#error(c, 500, "Failed to update assets");
      for (const asset of assets as Asset[]) this.#applyUpdate(c, asset, body);
      return c.body(null, 204);
    });

    api.delete("/api/assets", async (c) => {
      const denied = this.#deny(c, "asset.delete");
      if (denied) return denied;
      const body = await this.#json(c);
      const ids = body.ids;
      if (!Array.isArray(ids)) {
        return this.#error(c, 400, [
          "each value in ids must be a UUID",
          "ids should not be empty",
          "ids must be an array",
        ]);
      }
      if (ids.some((id) => !isUuid(id))) return this.#error(c, 400, ["each value in ids must be a UUID"]);
      const assets = ids.map((id) => state.assets.get(id));
      if (assets.some((a) => !a || a.ownerId !== c.get("user").id)) return this.#notFound(c, "asset.delete");
      for (const asset of assets as Asset[]) {
        if (body.force === true) {
          state.deleteAsset(asset.id);
          if (this.options.slowForceDelete) {
            state.deleting.set(`${asset.ownerId}:${asset.checksum}`, asset.id);
          }
        } else if (asset.deletedAt === null) {
          asset.deletedAt = now();
          state.touch(asset);
        }
      }
      return c.body(null, 204);
    });

    api.get("/api/assets/statistics", (c) => {
      const mine = [...state.assetsOf(c.get("user").id)].filter((a) => a.deletedAt === null);
      const images = mine.filter((a) => a.type === "IMAGE").length;
      return c.json({ images, videos: mine.length - images, total: mine.length });
    });

    api.get("/api/assets/:id", (c) => {
      const id = c.req.param("id")!;
      if (!isUuid(id)) return this.#error(c, 400, ["id must be a UUID"]);
      const denied = this.#deny(c, "asset.read");
      if (denied) return denied;
      const asset = this.#ownAsset(c, id);
      return asset ? c.json(renderAsset(state, asset, "full")) : this.#notFound(c, "asset.read");
    });

    api.put("/api/assets/:id", async (c) => {
      const id = c.req.param("id")!;
      if (!isUuid(id)) return this.#error(c, 400, ["id must be a UUID"]);
      const denied = this.#deny(c, "asset.update");
      if (denied) return denied;
      const body = await this.#json(c);
      const problems = this.#validateUpdate(body);
      if (problems.length > 0) return this.#error(c, 400, problems);
      const asset = this.#ownAsset(c, id);
      if (!asset) return this.#notFound(c, "asset.update");
      const before = asset.updatedAt;
      const failure = this.#applyUpdate(c, asset, body);
      if (failure) return this.#error(c, 400, failure);
      // Exif-only edits answer with the updatedAt from before any of them: the re-extraction job
      // that moves it (immediate here) has not run yet when Immich answers (transcript 06).
      const exifOnly = Object.keys(body).every((k) => EXIF_FIELDS.has(k));
      asset.unextractedUpdatedAt = exifOnly ? asset.unextractedUpdatedAt ?? before : undefined;
      return c.json({
        ...renderAsset(state, asset, "update"),
        ...(exifOnly ? { updatedAt: asset.unextractedUpdatedAt } : {}),
      });
    });

    api.get("/api/assets/:id/original", async (c) => {
      const id = c.req.param("id")!;
      if (!isUuid(id)) return this.#error(c, 400, ["id must be a UUID"]);
      const denied = this.#deny(c, "asset.download");
      if (denied) return denied;
      const asset = this.#ownAsset(c, id);
      if (!asset) return this.#notFound(c, "asset.download");
      if (!asset.path) return this.#error(c, 404, "Asset media not found");
      const headers: Record<string, string> = {
        "content-type": asset.originalMimeType,
        "cache-control": "private, max-age=86400, no-transform",
        "accept-ranges": "bytes",
        "last-modified": new Date(asset.fileModifiedAt).toUTCString(),
      };
      const range = /^bytes=(\d*)-(\d*)$/.exec(c.req.header("range") ?? "");
      const file = await Deno.open(asset.path);
      if (range && (range[1] || range[2])) {
        const start = range[1] ? Number(range[1]) : Math.max(0, asset.size - Number(range[2]));
        const end = range[1] && range[2] ? Math.min(Number(range[2]), asset.size - 1) : asset.size - 1;
        await file.seek(start, Deno.SeekMode.Start);
        const bytes = new Uint8Array(end - start + 1);
        let read = 0;
        while (read < bytes.length) {
          const n = await file.read(bytes.subarray(read));
          if (n === null) break;
          read += n;
        }
        file.close();
        headers["content-range"] = `bytes ${start}-${end}/${asset.size}`;
        return new Response(bytes.subarray(0, read), { status: 206, headers });
      }
      headers["content-length"] = String(asset.size);
      return new Response(file.readable, { status: 200, headers });
    });

    api.get("/api/assets/:id/thumbnail", (c) => {
      const denied = this.#deny(c, "asset.view");
      if (denied) return denied;
      // No thumbnails are generated here; Immich answers so for media it could not render.
      return this.#ownAsset(c, c.req.param("id")!)
        ? this.#error(c, 404, "Asset media not found")
        : this.#notFound(c, "asset.view");
    });
    api.get("/api/assets/:id/metadata", (c) => {
      if (!f.assetMetadata) return this.#error(c, 404, `Cannot GET ${c.req.path}`);
      const asset = this.#ownAsset(c, c.req.param("id")!);
      if (!asset) return this.#notFound(c, "asset.read");
      return c.json([...asset.metadata].map(([key, m]) => ({ key, value: m.value, updatedAt: m.updatedAt })));
    });
    api.put("/api/assets/:id/metadata", async (c) => {
      if (!f.assetMetadata) return this.#error(c, 404, `Cannot PUT ${c.req.path}`);
      const denied = this.#deny(c, "asset.update");
      if (denied) return denied;
      const asset = this.#ownAsset(c, c.req.param("id")!);
      if (!asset) return this.#notFound(c, "asset.update");
      const body = await this.#json(c);
      const items = (body.items ?? []) as { key: string; value: unknown }[];
      for (const item of items) asset.metadata.set(item.key, { value: item.value, updatedAt: now() });
      return c.json(
        items.map((i) => ({ key: i.key, value: i.value, updatedAt: asset.metadata.get(i.key)!.updatedAt })),
      );
    });

    // Trash -------------------------------------------------------------------------------------
    api.post("/api/trash/restore/assets", async (c) => {
      const denied = this.#deny(c, "asset.delete");
      if (denied) return denied;
      const ids = (await this.#json(c)).ids;
      if (!Array.isArray(ids) || ids.some((id) => !isUuid(id))) {
        return this.#error(c, 400, ["each value in ids must be a UUID"]);
      }
      const assets = ids.map((id) => state.assets.get(id));
      if (assets.some((a) => !a || a.ownerId !== c.get("user").id)) return this.#notFound(c, "asset.delete");
      for (const asset of assets as Asset[]) {
        if (asset.deletedAt !== null) {
          asset.deletedAt = null;
          state.touch(asset);
        }
      }
      return c.json({ count: ids.length });
    });
    api.post("/api/trash/empty", (c) => {
      const trashed = [...state.assetsOf(c.get("user").id)].filter((a) => a.deletedAt !== null);
      for (const a of trashed) state.deleteAsset(a.id);
      return c.json({ count: trashed.length });
    });
    api.post("/api/trash/restore", (c) => {
      const trashed = [...state.assetsOf(c.get("user").id)].filter((a) => a.deletedAt !== null);
      for (const a of trashed) a.deletedAt = null;
      return c.json({ count: trashed.length });
    });

    // Search ------------------------------------------------------------------------------------
    api.post("/api/search/metadata", async (c) => {
      const denied = this.#deny(c, "asset.read");
      if (denied) return denied;
      return this.#search(c, await this.#json(c));
    });

    // Albums ------------------------------------------------------------------------------------
    const ownAlbum = (c: Ctx, id: string) => {
      const album = state.albums.get(id);
      return album && album.ownerId === c.get("user").id ? album : undefined;
    };
    api.get("/api/albums", (c) => {
      const denied = this.#deny(c, "album.read", true);
      if (denied) return denied;
      const assetId = c.req.query("assetId");
      const albums = [...state.albums.values()].reverse()
        .filter((a) => a.ownerId === c.get("user").id && (!assetId || a.assetIds.includes(assetId)));
      return c.json(albums.map((a) => renderAlbum(state, a, "list")));
    });
    api.get("/api/albums/statistics", (c) => {
      const denied = this.#deny(c, "album.statistics", true);
      if (denied) return denied;
      const owned = [...state.albums.values()].filter((a) => a.ownerId === c.get("user").id).length;
      return c.json({ owned, shared: 0, notShared: owned });
    });
    api.post("/api/albums", async (c) => {
      const denied = this.#deny(c, "album.create", true);
      if (denied) return denied;
      const body = await this.#json(c);
      if (typeof body.albumName !== "string") return this.#error(c, 400, ["albumName must be a string"]);
      const at = now();
      const album: Album = {
        id: crypto.randomUUID(),
        ownerId: c.get("user").id,
        albumName: body.albumName,
        description: typeof body.description === "string" ? body.description : "",
        assetIds: [],
        albumThumbnailAssetId: null,
        createdAt: at,
        updatedAt: at,
      };
      for (const id of (body.assetIds as string[] | undefined) ?? []) {
        if (this.#ownAsset(c, id) && !album.assetIds.includes(id)) album.assetIds.push(id);
      }
      state.pickThumbnail(album);
      state.albums.set(album.id, album);
      return c.json(renderAlbum(state, album, "create"), 201);
    });
    api.get("/api/albums/:id", (c) => {
      const id = c.req.param("id")!;
      if (!isUuid(id)) return this.#error(c, 400, ["id must be a UUID"]);
      const album = ownAlbum(c, id);
      if (!album) return this.#notFound(c, "album.read");
      return c.json(renderAlbum(state, album, "get", c.req.query("withoutAssets") !== "true"));
    });
    api.patch("/api/albums/:id", async (c) => {
      const album = ownAlbum(c, c.req.param("id")!);
      if (!album) return this.#notFound(c, "album.update");
      const body = await this.#json(c);
      if (typeof body.albumName === "string") album.albumName = body.albumName;
      if (typeof body.description === "string") album.description = body.description;
      album.updatedAt = now();
      return c.json(renderAlbum(state, album, "patch" as AlbumVariant));
    });
    api.delete("/api/albums/:id", (c) => {
      const album = ownAlbum(c, c.req.param("id")!);
      if (!album) return this.#notFound(c, "album.delete");
      state.albums.delete(album.id);
      return c.body("", 200);
    });
    api.put("/api/albums/:id/assets", async (c) => {
      const denied = this.#deny(c, "albumAsset.create");
      if (denied) return denied;
      const ids = (await this.#json(c)).ids;
      if (!Array.isArray(ids) || ids.some((id) => !isUuid(id))) {
        return this.#error(c, 400, ["each value in ids must be a UUID"]);
      }
      const album = ownAlbum(c, c.req.param("id")!);
      if (!album) return this.#error(c, 400, "Album not found");
      const results = this.#addToAlbum(c, album, ids as string[]);
      return c.json(results);
    });
    api.delete("/api/albums/:id/assets", async (c) => {
      const denied = this.#deny(c, "albumAsset.delete");
      if (denied) return denied;
      const ids = (await this.#json(c)).ids as string[];
      const album = ownAlbum(c, c.req.param("id")!);
      if (!album) return this.#error(c, 400, "Album not found");
      const results = ids.map((id) => {
        const at = album.assetIds.indexOf(id);
        if (at < 0) return { id, success: false, error: "not_found" };
        album.assetIds.splice(at, 1);
        return { id, success: true };
      });
      if (!album.assetIds.includes(album.albumThumbnailAssetId ?? "")) state.pickThumbnail(album);
      album.updatedAt = now();
      return c.json(results);
    });

    // Stacks ------------------------------------------------------------------------------------
    api.post("/api/stacks", async (c) => {
      const denied = this.#deny(c, "stack.create", true);
      if (denied) return denied;
      const ids = (await this.#json(c)).assetIds;
      if (!Array.isArray(ids) || ids.length < 2) {
        return this.#error(c, 400, ["assetIds must contain at least 2 elements"]);
      }
      if (ids.some((id) => !isUuid(id))) {
        return this.#error(c, 400, ["each value in assetIds must be a UUID"]);
      }
      if (ids.some((id) => !this.#ownAsset(c, id))) return this.#notFound(c, "asset.update");
      const stack = state.createStack(c.get("user").id, ids as string[]);
      return c.json(renderStack(state, stack, "list"), 201);
    });
    api.get("/api/stacks", (c) => {
      const denied = this.#deny(c, "stack.read", true);
      if (denied) return denied;
      const primary = c.req.query("primaryAssetId");
      const stacks = [...state.stacks.values()]
        .filter((s) => s.ownerId === c.get("user").id && (!primary || s.primaryAssetId === primary));
      return c.json(stacks.map((s) => renderStack(state, s, "list")));
    });
    api.get("/api/stacks/:id", (c) => {
      const denied = this.#deny(c, "stack.read", true);
      if (denied) return denied;
      const stack = state.stacks.get(c.req.param("id")!);
      if (!stack || stack.ownerId !== c.get("user").id) return this.#notFound(c, "stack.read");
      return c.json(renderStack(state, stack, "stack"));
    });
    api.put("/api/stacks/:id", async (c) => {
      const denied = this.#deny(c, "stack.update", true);
      if (denied) return denied;
      const stack = state.stacks.get(c.req.param("id")!);
      if (!stack || stack.ownerId !== c.get("user").id) return this.#notFound(c, "stack.update");
      const primary = (await this.#json(c)).primaryAssetId as string | undefined;
      if (primary !== undefined) {
        if (!stack.assetIds.includes(primary)) {
          return this.#error(c, 400, "Primary asset must be in the stack");
        }
        stack.primaryAssetId = primary;
      }
      return c.json(renderStack(state, stack, "stack"));
    });
    api.delete("/api/stacks/:id", (c) => {
      const denied = this.#deny(c, "stack.delete", true);
      if (denied) return denied;
      const stack = state.stacks.get(c.req.param("id")!);
      if (!stack || stack.ownerId !== c.get("user").id) return this.#notFound(c, "stack.delete");
      state.deleteStack(stack.id);
      return c.body(null, 204);
    });

    // Tags --------------------------------------------------------------------------------------
    this.#peopleRoutes(api);
    api.get("/api/tags", (c) => {
      const denied = this.#deny(c, "tag.read", true);
      if (denied) return denied;
      return c.json([...state.tags.values()].filter((t) => t.userId === c.get("user").id).map(renderTag));
    });
    api.put("/api/tags", async (c) => {
      const denied = this.#deny(c, "tag.create", true);
      if (denied) return denied;
      const tags = (await this.#json(c)).tags;
      if (!Array.isArray(tags)) return this.#error(c, 400, ["tags must be an array"]);
      return c.json(tags.map((t) => renderTag(state.upsertTag(c.get("user").id, String(t)))));
    });
    api.put("/api/tags/assets", async (c) => {
      const denied = this.#deny(c, "tag.asset", true);
      if (denied) return denied;
      const body = await this.#json(c);
      const tagIds = body.tagIds as string[];
      const assetIds = body.assetIds as string[];
      let count = 0;
      for (const tagId of tagIds) {
        const tag = state.tags.get(tagId);
        if (!tag || tag.userId !== c.get("user").id) return this.#notFound(c, "tag.asset");
        for (const assetId of assetIds) {
          const asset = this.#ownAsset(c, assetId);
          if (asset && !asset.tagIds.has(tagId)) {
            asset.tagIds.add(tagId);
            count++;
          }
        }
      }
      return c.json({ count });
    });

    // Per id, as `PUT /api/albums/{id}/assets` answers (BulkIdResponseDto in the OpenAPI spec).
    api.delete("/api/tags/:id/assets", async (c) => {
      const denied = this.#deny(c, "tag.asset", true);
      if (denied) return denied;
      const tag = state.tags.get(c.req.param("id")!);
      if (!tag || tag.userId !== c.get("user").id) return this.#notFound(c, "tag.asset");
      const ids = ((await this.#json(c)).ids ?? []) as string[];
      return c.json(ids.map((id) => {
        const asset = this.#ownAsset(c, id);
        if (!asset || !asset.tagIds.delete(tag.id)) return { id, success: false, error: "not_found" };
        return { id, success: true };
      }));
    });

    // Jobs and queues ---------------------------------------------------------------------------
    const queueStatus = (name: string) => ({
      jobCounts: { active: 0, completed: 0, failed: 0, delayed: 0, waiting: 0, paused: 0 },
      queueStatus: { isActive: false, isPaused: state.paused.has(name) },
    });
    // Admin routes; their permission names (job.*, queue.*) exist from 1.143 on.
    const admin = (c: Ctx, permission: string) =>
      (f.apiKeyMe ? this.#deny(c, permission, true) : undefined) ??
        (c.get("user").isAdmin ? undefined : this.#error(c, 403, "Forbidden"));
    api.get(
      "/api/jobs",
      (c) => admin(c, "job.read") ?? c.json(Object.fromEntries(QUEUE_NAMES.map((n) => [n, queueStatus(n)]))),
    );
    api.put("/api/jobs/:name", async (c) => {
      const denied = admin(c, "job.create");
      if (denied) return denied;
      const name = c.req.param("name")!;
      if (!(QUEUE_NAMES as readonly string[]).includes(name)) {
        return this.#error(c, 400, ["id must be a valid job name"]);
      }
      const command = (await this.#json(c)).command;
      if (command === "pause") state.paused.add(name);
      else if (command === "resume") state.paused.delete(name);
      else if (!["start", "empty", "clear-failed"].includes(String(command))) {
        return this.#error(c, 400, [
          "command must be one of the following values: start, pause, resume, empty, clear-failed",
        ]);
      }
      return c.json(queueStatus(name));
    });
    const queue = (name: string) => ({
      name,
      isPaused: state.paused.has(name),
      statistics: { active: 0, completed: 0, failed: 0, delayed: 0, waiting: 0, paused: 0 },
    });
    api.get("/api/queues", (c) => {
      if (!f.queues) return this.#error(c, 404, "Cannot GET /api/queues");
      return admin(c, "queue.read") ?? c.json(QUEUE_NAMES.map(queue));
    });
    api.put("/api/queues/:name", async (c) => {
      if (!f.queues) return this.#error(c, 404, `Cannot PUT ${c.req.path}`);
      const denied = admin(c, "queue.update");
      if (denied) return denied;
      const name = c.req.param("name")!;
      if (!(QUEUE_NAMES as readonly string[]).includes(name)) {
        return this.#error(c, 400, ["name must be a queue name"]);
      }
      const body = await this.#json(c);
      if (body.isPaused === true) state.paused.add(name);
      if (body.isPaused === false) state.paused.delete(name);
      return c.json(queue(name));
    });
  }

  // ---------------------------------------------------------------------------------------------

  #validateUpdate(body: Record<string, unknown>): string[] {
    const problems: string[] = [];
    if (body.isFavorite !== undefined && typeof body.isFavorite !== "boolean") {
      problems.push("isFavorite must be a boolean value");
    }
    if (body.visibility !== undefined && !VISIBILITIES.includes(body.visibility as Visibility)) {
      problems.push("visibility must be one of the following values: archive, timeline, hidden, locked");
    }
    if (
      body.livePhotoVideoId !== undefined && body.livePhotoVideoId !== null && !isUuid(body.livePhotoVideoId)
    ) {
      problems.push("livePhotoVideoId must be a UUID");
    }
    // Latitude and longitude come as a pair.
    for (const [k, other] of [["latitude", "longitude"], ["longitude", "latitude"]]) {
      const v = body[k];
      const bad = (v === undefined && body[other] !== undefined) ||
        (v !== undefined && typeof v !== "number") ||
        (typeof v === "number" && Math.abs(v) > (k === "latitude" ? 90 : 180));
      if (!bad) continue;
      if (v === undefined) problems.push(`${k} should not be empty`);
      problems.push(`${k} must be a ${k} string or number`);
    }
    if (body.description !== undefined && typeof body.description !== "string") {
      problems.push("description must be a string");
    }
    if (body.rating !== undefined && body.rating !== null) {
      const r = body.rating;
      if (typeof r !== "number" || r < -1 || r > 5) problems.push("rating must not be greater than 5");
    }
    if (body.dateTimeOriginal !== undefined && !parseCaptureDate(String(body.dateTimeOriginal))) {
      problems.push("dateTimeOriginal must be a valid ISO 8601 date string");
    }
    return problems;
  }

  /** Applies an UpdateAssetDto; returns an error message for a refused live-photo link. */
  #applyUpdate(c: Ctx, asset: Asset, body: Record<string, unknown>): string | undefined {
    if (body.livePhotoVideoId !== undefined) {
      if (body.livePhotoVideoId === null) {
        const old = asset.livePhotoVideoId ? this.state.assets.get(asset.livePhotoVideoId) : undefined;
        asset.livePhotoVideoId = null;
        if (old && old.visibility === "hidden") old.visibility = "timeline";
      } else {
        const video = this.#liveVideo(c.get("user"), body.livePhotoVideoId as string);
        if (typeof video === "string") return video;
        asset.livePhotoVideoId = video.id;
        this.#hideVideo(video);
      }
    }
    if (typeof body.isFavorite === "boolean") asset.isFavorite = body.isFavorite;
    if (typeof body.visibility === "string") asset.visibility = body.visibility as Visibility;
    if (typeof body.description === "string") asset.exif.description = body.description;
    if (typeof body.latitude === "number") asset.exif.latitude = body.latitude;
    if (typeof body.longitude === "number") asset.exif.longitude = body.longitude;
    if (body.rating !== undefined) asset.exif.rating = body.rating as number | null;
    if (typeof body.dateTimeOriginal === "string") this.#setCaptureDate(asset, body.dateTimeOriginal);
    this.state.touch(asset);
    return undefined;
  }

  /**
   * What metadata extraction does with a capture date: the instant becomes `fileCreatedAt`, the
   * wall-clock time `localDateTime`, and a known offset the time zone. (The real server does this
   * in a background job about a second later; here it is immediate, so tests need not poll.)
   */
  #setCaptureDate(asset: Asset, text: string) {
    const date = parseCaptureDate(text);
    if (!date) return;
    asset.fileCreatedAt = date.utc;
    asset.exif.dateTimeOriginal = date.utc;
    asset.localDateTime = date.offset === undefined ? date.utc : date.local;
    asset.exif.timeZone = date.offset === undefined ? null : zoneName(date.offset);
  }

  #addToAlbum(c: Ctx, album: Album, ids: string[]) {
    const results = ids.map((id) => {
      if (album.assetIds.includes(id)) return { id, success: false, error: "duplicate" };
      const asset = this.state.assets.get(id);
      if (!asset || asset.ownerId !== c.get("user").id) return { id, success: false, error: "no_permission" };
      album.assetIds.push(id);
      return { id, success: true };
    });
    if (album.albumThumbnailAssetId === null) this.state.pickThumbnail(album);
    album.updatedAt = now();
    return results;
  }

  #search(c: Ctx, body: Record<string, unknown>) {
    const problems: string[] = [];
    const size = body.size === undefined ? 250 : Number(body.size);
    const page = body.page === undefined ? 1 : Number(body.page);
    if (size < 1) problems.push("size must not be less than 1");
    if (size > 1000) problems.push("size must not be greater than 1000");
    if (page < 1) problems.push("page must not be less than 1");
    if (body.visibility !== undefined && !VISIBILITIES.includes(body.visibility as Visibility)) {
      problems.push("visibility must be one of the following values: archive, timeline, hidden, locked");
    }
    if (problems.length > 0) return this.#error(c, 400, problems);
    for (
      const k of [
        "updatedAfter",
        "updatedBefore",
        "takenAfter",
        "takenBefore",
        "trashedAfter",
        "createdAfter",
      ]
    ) {
      if (body[k] !== undefined && Number.isNaN(Date.parse(String(body[k])))) {
        return this.#error(c, 400, `${k} must be a date string`);
      }
    }
    if (body.visibility === "locked") return this.#error(c, 401, "Elevated permission is required");
    const visibility = (body.visibility as Visibility | undefined) ?? "timeline";
    const withDeleted = body.withDeleted === true || body.trashedAfter !== undefined;
    const checksum = typeof body.checksum === "string" ? normaliseChecksum(body.checksum) : undefined;
    const albumIds = Array.isArray(body.albumIds) ? body.albumIds as string[] : undefined;
    const personIds = Array.isArray(body.personIds) ? body.personIds as string[] : undefined;
    const onPeople = (a: Asset) =>
      !personIds || personIds.every((p) => this.state.people.facesOf(a.id).some((f) => f.personId === p));
    // A tag finds the assets of the tags below it too: Immich matches through its tag closure.
    const tagIds = Array.isArray(body.tagIds) ? body.tagIds as string[] : undefined;
    const above = (id: string | null): string[] =>
      id ? [id, ...above(this.state.tags.get(id)?.parentId ?? null)] : [];
    const tagged = (a: Asset) =>
      !tagIds || tagIds.every((t) => [...a.tagIds].some((id) => above(id).includes(t)));
    const time = (v: unknown) => Date.parse(String(v));
    const matches = [...this.state.assetsOf(c.get("user").id)].filter((a) => {
      if (a.visibility !== visibility) return false;
      if (a.deletedAt !== null && !withDeleted) return false;
      if (
        body.trashedAfter !== undefined &&
        (a.deletedAt === null || Date.parse(a.deletedAt) < time(body.trashedAfter))
      ) {
        return false;
      }
      if (body.checksum !== undefined && a.checksum !== checksum) return false;
      if (body.id !== undefined && a.id !== body.id) return false;
      if (body.isFavorite !== undefined && a.isFavorite !== body.isFavorite) return false;
      if (body.type !== undefined && a.type !== body.type) return false;
      if (body.deviceId !== undefined && a.deviceId !== body.deviceId) return false;
      if (body.deviceAssetId !== undefined && a.deviceAssetId !== body.deviceAssetId) return false;
      if (
        typeof body.originalFileName === "string" &&
        !a.originalFileName.toLowerCase().includes(body.originalFileName.toLowerCase())
      ) return false;
      if (body.updatedAfter !== undefined && Date.parse(a.updatedAt) < time(body.updatedAfter)) return false;
      if (body.takenAfter !== undefined && Date.parse(a.fileCreatedAt) < time(body.takenAfter)) return false;
      if (body.takenBefore !== undefined && Date.parse(a.fileCreatedAt) > time(body.takenBefore)) {
        return false;
      }
      if (albumIds && !albumIds.every((id) => this.state.albums.get(id)?.assetIds.includes(a.id))) {
        return false;
      }
      return onPeople(a) && tagged(a);
    });
    const asc = body.order === "asc";
    matches.sort((x, y) =>
      (asc ? 1 : -1) * x.fileCreatedAt.localeCompare(y.fileCreatedAt) || x.id.localeCompare(y.id)
    );
    const items = matches.slice((page - 1) * size, page * size);
    const more = matches.length > page * size;
    const variant = body.withExif === true ? "list" : "search";
    const assets: Record<string, unknown> = {
      total: items.length,
      count: items.length,
      items: items.map((a) => renderAsset(this.state, a, variant, personIds !== undefined)),
      facets: [],
      nextPage: more ? String(page + 1) : null,
    };
    if (!this.state.features.deviceIds) assets.nextCursor = null;
    return c.json({ albums: { total: 0, count: 0, items: [], facets: [] }, assets });
  }

  // ---------------------------------------------------------------------------------------------

  async #upload(c: Ctx): Promise<Response> {
    const state = this.state;
    const f = state.features;
    const denied = this.#deny(c, "asset.upload");
    if (denied) return denied;
    const user = c.get("user");
    // The real server answers a known checksum before it reads the body.
    const header = c.req.header("x-immich-checksum");
    const known = header ? normaliseChecksum(header) : undefined;
    const existing = known
      ? state.findByChecksum(user.id, known)?.id ?? state.takeDeleting(user.id, known)
      : undefined;
    if (existing) {
      await c.req.raw.body?.cancel().catch(() => {});
      return c.json({ status: "duplicate", id: existing }, 200);
    }
    const contentType = c.req.header("content-type");
    const boundary = boundaryOf(contentType);
    if (!boundary) {
      const text = await c.req.text();
      if (/json/i.test(contentType ?? "")) strictJson(text);
      return this.#error(c, 400, "File is required");
    }

    const fields = new Map<string, string>();
    const id = crypto.randomUUID();
    let file: { name: string; hash: ReturnType<typeof createHash>; size: number; path?: string } | undefined;
    let sidecar: { name: string; text: string } | undefined;
    let unsupported: string | undefined;
    let out: Deno.FsFile | undefined;
    const decoder = new TextDecoder();
    const limit = this.options.maxBodyBytes;
    try {
      await readMultipart(c.req.raw.body!, boundary, (part) => {
        if (part.name === "assetData" && part.filename !== undefined) {
          const ext = extension(part.filename);
          if (!IMAGE_TYPES.includes(ext) && !VIDEO_TYPES.includes(ext)) unsupported ??= part.filename;
          const current = {
            name: part.filename,
            hash: createHash("sha1"),
            size: 0,
            path: undefined as string | undefined,
          };
          file = current;
          if (this.options.storeDir && !unsupported) {
            current.path = join(this.options.storeDir, `${id}${ext}`);
            out = Deno.openSync(current.path, { write: true, create: true, truncate: true });
          }
          return async (chunk) => {
            current.hash.update(chunk);
            current.size += chunk.byteLength;
            if (out) {
              for (let written = 0; written < chunk.byteLength;) {
                written += await out.write(chunk.subarray(written));
              }
            }
          };
        }
        if (part.name === "sidecarData" && part.filename !== undefined) {
          if (extension(part.filename) !== ".xmp") unsupported ??= part.filename;
          const current = { name: part.filename, text: "" };
          sidecar = current;
          return (chunk) => void (current.text += decoder.decode(chunk, { stream: true }));
        }
        let text = "";
        return (chunk) => {
          text += decoder.decode(chunk, { stream: true });
          fields.set(part.name, text);
        };
      }, (total) => {
        if (limit !== undefined && total > limit) throw new TooLarge();
      });
    } catch (e) {
      out?.close();
      out = undefined;
      if (file?.path) await Deno.remove(file.path).catch(() => {});
      if (e instanceof TooLarge) return tooLarge();
      if (e instanceof MultipartError) return this.#error(c, 400, e.message);
      throw e;
    } finally {
      out?.close();
    }
    const discard = async () => {
      if (file?.path) await Deno.remove(file.path).catch(() => {});
    };
    if (unsupported) {
      await discard();
      return this.#error(c, 400, `Unsupported file type ${unsupported}`);
    }

    for (const name of ["fileCreatedAt", "fileModifiedAt"]) {
      const v = fields.get(name);
      if (v !== undefined && v !== "" && Number.isNaN(Date.parse(v))) {
        await discard();
        return this.#error(c, 400, `${name} must be a date string`);
      }
    }
    const problems: string[] = [];
    for (const name of ["deviceAssetId", "deviceId"]) {
      if (f.deviceIds && !fields.get(name)) {
        problems.push(`${name} must be a string`, `${name} should not be empty`);
      }
      // 3.0 dropped them; some uploaders report a 400 for sending them anyway, so refuse them here.
      if (!f.deviceIds && fields.has(name)) problems.push(`property ${name} should not exist`);
    }
    for (const name of ["fileCreatedAt", "fileModifiedAt"]) {
      if (!fields.get(name)) problems.push(`${name} must be a Date instance`, `${name} should not be empty`);
    }
    const favorite = fields.get("isFavorite");
    if (favorite !== undefined && favorite !== "true" && favorite !== "false") {
      problems.push("isFavorite must be a boolean value");
    }
    const visibility = fields.get("visibility");
    if (visibility !== undefined && !VISIBILITIES.includes(visibility as Visibility)) {
      problems.push("visibility must be one of the following values: archive, timeline, hidden, locked");
    }
    const live = fields.get("livePhotoVideoId");
    if (live !== undefined && !isUuid(live)) problems.push("livePhotoVideoId must be a UUID");
    const duration = fields.get("duration");
    if (duration !== undefined && f.numericDuration && !Number.isFinite(Number(duration))) {
      problems.push("duration must be a number");
    }
    let metadata: { key: string; value: unknown }[] = [];
    const metadataText = fields.get("metadata");
    if (metadataText !== undefined && f.uploadMetadata) {
      try {
        const json = JSON.parse(metadataText);
        metadata = Array.isArray(json) ? json : [json];
        if (
          metadata.some((m) => typeof m?.key !== "string" || typeof m.value !== "object" || m.value === null)
        ) {
          problems.push("metadata must be an array of {key, value} objects");
        }
      } catch {
        problems.push("metadata must be valid JSON");
      }
    }
    if (problems.length > 0) {
      await discard();
      return this.#error(c, 400, problems);
    }
    if (!file) return this.#error(c, 400, "File is required");

    let video: Asset | undefined;
    if (live !== undefined) {
      const found = this.#liveVideo(user, live);
      if (typeof found === "string") {
        await discard();
        return this.#error(c, 400, found);
      }
      video = found;
      this.#hideVideo(video);
    }
    const checksum = file.hash.digest("hex");
    const duplicate = state.findByChecksum(user.id, checksum)?.id ?? state.takeDeleting(user.id, checksum);
    if (duplicate) {
      await discard();
      return c.json({ status: "duplicate", id: duplicate }, 200);
    }

    const originalFileName = fields.get("filename") || file.name;
    const ext = extension(file.name);
    const created = new Date(fields.get("fileCreatedAt")!).toISOString();
    const at = now();
    const asset: Asset = {
      id,
      ownerId: user.id,
      deviceAssetId: f.deviceIds ? fields.get("deviceAssetId") : undefined,
      deviceId: f.deviceIds ? fields.get("deviceId") : undefined,
      type: VIDEO_TYPES.includes(ext) ? "VIDEO" : "IMAGE",
      originalFileName,
      originalMimeType: MIME[ext] ?? (VIDEO_TYPES.includes(ext) ? "video/mp4" : "application/octet-stream"),
      checksum,
      size: file.size,
      path: file.path,
      fileCreatedAt: created,
      fileModifiedAt: new Date(fields.get("fileModifiedAt")!).toISOString(),
      localDateTime: created,
      createdAt: at,
      updatedAt: at,
      isFavorite: favorite === "true",
      visibility: (visibility as Visibility | undefined) ?? "timeline",
      deletedAt: null,
      livePhotoVideoId: video?.id ?? null,
      stackId: null,
      duration: duration ?? null,
      exif: {
        fileSizeInByte: file.size,
        dateTimeOriginal: created,
        timeZone: null,
        description: "",
        rating: null,
        latitude: null,
        longitude: null,
      },
      tagIds: new Set(),
      metadata: new Map(metadata.map((m) => [m.key, { value: m.value, updatedAt: at }])),
      hasSidecar: sidecar !== undefined,
    };
    const own = file.path ? await readFileFacts(file.path, ext) : {};
    // The same bytes may have arrived while the file was read: Immich's unique checksum decides.
    const raced = state.findByChecksum(user.id, checksum);
    if (raced) {
      await discard();
      return c.json({ status: "duplicate", id: raced.id }, 200);
    }
    if (own.dateTimeOriginal) this.#setCaptureDate(asset, own.dateTimeOriginal);
    if (own.imageDescription !== undefined) asset.exif.description = own.imageDescription;
    if (sidecar) this.#extractSidecar(asset, sidecar.text, own.imageDescription !== undefined);
    state.addAsset(asset);
    return c.json({ id, status: "created" }, 201);
  }

  /**
   * Metadata extraction from an XMP sidecar: the sidecar wins over what the file says, tag by tag,
   * so a file's own ImageDescription (even blank) beats the sidecar's `dc:description`.
   */
  #extractSidecar(asset: Asset, xml: string, fileHasDescription = false) {
    const facts = readXmp(xml);
    if (facts.dateTimeOriginal) this.#setCaptureDate(asset, facts.dateTimeOriginal);
    if (facts.imageDescription !== undefined) asset.exif.description = facts.imageDescription;
    else if (facts.description !== undefined && !fileHasDescription) {
      asset.exif.description = facts.description;
    }
    if (facts.rating !== undefined && Number.isFinite(facts.rating)) asset.exif.rating = facts.rating;
    if (facts.latitude !== undefined && facts.longitude !== undefined) {
      asset.exif.latitude = facts.latitude;
      asset.exif.longitude = facts.longitude;
    }
    for (const tag of facts.tags) asset.tagIds.add(this.state.upsertTag(asset.ownerId, tag).id);
  }

  // ---------------------------------------------------------------------------------------------

  /** A compact view of the state, for tests that run the emulator as a process. */
  summary() {
    const s = this.state;
    return {
      version: this.version,
      assets: [...s.assets.values()].map((a) => ({
        ...renderAsset(s, a, "full"),
        exifInfo: {
          ...renderAsset(s, a, "full").exifInfo as object,
          dateTimeOriginal: exifDate(a.exif.dateTimeOriginal),
        },
        metadata: Object.fromEntries([...a.metadata].map(([k, m]) => [k, m.value])),
        checksumHex: a.checksum,
      })),
      albums: [...s.albums.values()].map((a) => ({ id: a.id, albumName: a.albumName, assetIds: a.assetIds })),
      stacks: [...s.stacks.values()].map((st) => ({
        id: st.id,
        primaryAssetId: st.primaryAssetId,
        assetIds: st.assetIds,
      })),
      paused: [...s.paused],
      requests: Object.fromEntries(this.stats),
    };
  }
}

class TooLarge extends Error {}

/**
 * What Express's JSON body parser makes of a body: strict mode takes only objects and arrays, and
 * reports anything else by the first character, in V8's words.
 */
function strictJson(text: string): Record<string, unknown> {
  const first = text.trimStart()[0];
  if (first !== "{" && first !== "[") {
    throw new BodyError(`Unexpected token '${first}', ${JSON.stringify(text)} is not valid JSON`);
  }
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null ? value : {};
  } catch (e) {
    throw new BodyError((e as Error).message);
  }
}

/** What nginx answers to a body over `client_max_body_size`. */
function tooLarge(): Response {
  const html = "<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n" +
    "<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
  return new Response(html, { status: 413, headers: { "content-type": "text/html", connection: "close" } });
}

/**
 * A response that breaks off: it promises more bytes than it sends, so the client sees the
 * connection drop while reading the body (and the server logs nothing).
 */
function broken(): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("{"));
      controller.close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/json", "content-length": "64" },
  });
}
