/**
 * One connection of `destination.immich` to a server and user: what `put()` does with an exported
 * asset, in the order Immich needs it, and the repair primitives (find, link, stack, albums,
 * remove) that later commands use.
 * @module
 */
import { extname } from "node:path";
import type { Asset } from "../../../core/model/asset.ts";
import type { ExportedFile, ExportedGroup, Plan, PlannedResource } from "../../../core/model/plan.ts";
import { ConfigError, FatalError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import type {
  AssetChanges,
  AssetDestinationSession,
  DestinationInfo,
  PluginContext,
  Presence,
  PutResult,
  RemoteRef,
} from "../../../core/plugin/types.ts";
import type { AlbumRef } from "../../../core/model/asset.ts";
import { type AlbumNaming, AlbumSync } from "./_albums.ts";
import { ImmichClient, type ServerVersion } from "./_client.ts";
import { GroupCommit } from "./_group_commit.ts";
import { JobPauser } from "./_jobs.ts";
import { multipartBody, multipartBytes, type Part } from "./_multipart.ts";
import { localIso, xmpSidecar } from "./_xmp.ts";

export type Visibility = "timeline" | "archive" | "hidden" | "locked";

export interface ImmichSettings {
  url: string;
  apiKey: string;
  albums: AlbumNaming | "off";
  tags: "keywords" | "all" | "off";
  timeoutSeconds: number;
  pauseJobs: boolean;
  adminApiKey?: string;
}

/** The oldest server this plugin speaks to: 1.133 replaced `isArchived` by `visibility`. */
export const MIN_VERSION: ServerVersion = { major: 1, minor: 133, patch: 0 };
/** The key under which the Photos asset id is stored in Immich's asset metadata (3.x). */
export const METADATA_KEY = "photos-sync";
/**
 * Files up to this size go up as one buffer, bigger ones stream from disk (see `_multipart.ts`):
 * at most this much per upload in flight is held in memory.
 */
export const IN_MEMORY_UPLOAD = 8 << 20;
/** The remote id of a resource Immich cannot hold (an AAE, a plist); the bytes stay local. */
export const UNSUPPORTED_PREFIX = "unsupported:";

const MIME: Record<string, string> = {
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".heic": "image/heic",
  ".heif": "image/heif",
  ".gif": "image/gif",
  ".tif": "image/tiff",
  ".tiff": "image/tiff",
  ".dng": "image/x-adobe-dng",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".mov": "video/quicktime",
  ".mp4": "video/mp4",
  ".m4v": "video/x-m4v",
};

interface CheckResult {
  id: string;
  action: "accept" | "reject";
  reason?: "duplicate" | "unsupported-format";
  assetId?: string;
  isTrashed?: boolean;
}

interface User {
  id: string;
  email: string;
  isAdmin: boolean;
}

const versionText = (v: ServerVersion) => `${v.major}.${v.minor}.${v.patch}`;
const atLeast = (v: ServerVersion, min: ServerVersion) =>
  v.major !== min.major
    ? v.major > min.major
    : v.minor !== min.minor
    ? v.minor > min.minor
    : v.patch >= min.patch;

/** `IMG 01é.HEIC` -> `IMG 01e.HEIC`: a part name every multipart parser reads the same way. */
export function asciiName(name: string): string {
  return name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^\x20-\x7e]/g, "_");
}

/** Immich's duration field: milliseconds from 3.0, `H:MM:SS.ffffff` before. */
export function durationField(seconds: number, version: ServerVersion): string {
  if (version.major >= 3) return String(Math.round(seconds * 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = (seconds % 60).toFixed(6).padStart(9, "0");
  return `${h}:${String(m).padStart(2, "0")}:${s}`;
}

/** The permissions a key needs for these settings (API keys have scopes since Immich 1.118). */
export function requiredPermissions(settings: Pick<ImmichSettings, "albums" | "tags">): string[] {
  const needed = [
    "user.read",
    "asset.read",
    "asset.upload",
    "asset.update",
    "asset.delete",
    "stack.create",
    "stack.read",
  ];
  if (settings.albums !== "off") needed.push("album.create", "album.read", "albumAsset.create");
  if (settings.tags !== "off") needed.push("tag.create", "tag.asset");
  return needed;
}

/** Finds the API root: `…/api` as given, the `/.well-known/immich` answer, or `<url>/api`. */
async function apiRoot(url: URL, ctx: PluginContext): Promise<{ api: string; base: string }> {
  const given = url.href.replace(/\/+$/, "");
  if (/\/api$/.test(given)) return { api: given, base: given.replace(/\/api$/, "") };
  try {
    const res = await ctx.http(`${given}/.well-known/immich`, { timeoutMs: 10_000 });
    if (res.ok) {
      const endpoint = (await res.json())?.api?.endpoint;
      if (typeof endpoint === "string") {
        return { api: new URL(endpoint, `${given}/`).href.replace(/\/+$/, ""), base: given };
      }
    } else await res.body?.cancel();
  } catch {
    // Older servers and some proxies have no discovery document; /api is the convention.
  }
  return { api: `${given}/api`, base: given };
}

function isServerVersion(v: unknown): v is ServerVersion {
  const o = v as Record<string, unknown> | null;
  return typeof o === "object" && o !== null && [o.major, o.minor, o.patch].every(Number.isInteger);
}

/** A URL that answers, but not as Immich (a web page, a router, another app): a setup mistake. */
function notImmich(base: string, answer: unknown): ConfigError {
  const text = typeof answer === "string" ? answer.trim() : JSON.stringify(answer);
  const what = /^<(!doctype|html|\?xml)/i.test(text) ? "an HTML page" : JSON.stringify(text.slice(0, 60));
  return new ConfigError(
    `${base} does not answer as an Immich server (its /server/version gave ${what}); ` +
      `check IMMICH_URL: it must be the address you open Immich at, e.g. http://nas:2283`,
  );
}

export async function openSession(settings: ImmichSettings, ctx: PluginContext): Promise<ImmichSession> {
  let url: URL;
  try {
    url = new URL(settings.url);
    if (!/^https?:$/.test(url.protocol)) throw new Error("not http");
  } catch {
    throw new ConfigError(
      `destination.immich: IMMICH_URL must be the server's address, e.g. http://nas:2283, got ${
        JSON.stringify(settings.url)
      }`,
    );
  }
  const { api, base } = await apiRoot(url, ctx);
  const client = new ImmichClient({
    api,
    apiKey: settings.apiKey,
    http: ctx.http,
    timeoutMs: settings.timeoutSeconds * 1000,
    signal: ctx.signal,
  });
  let version: ServerVersion;
  try {
    version = await client.json<ServerVersion>("GET", "/server/version", undefined, {
      what: "reading the server version",
    });
  } catch (e) {
    if (e instanceof FatalError) throw e;
    throw new FatalError(`cannot talk to Immich at ${base}: ${(e as Error).message}`);
  }
  if (!isServerVersion(version)) throw notImmich(base, version);
  if (!atLeast(version, MIN_VERSION)) {
    throw new FatalError(
      `Immich ${versionText(version)} at ${base} is older than ${versionText(MIN_VERSION)}, the oldest ` +
        `photos-sync supports; upgrade Immich`,
    );
  }
  // Authenticates: ping and version answer anyone, a wrong key shows only here.
  let user: User;
  try {
    user = await client.json<User>("GET", "/users/me", undefined, { what: "checking the API key" });
  } catch (e) {
    if (e instanceof FatalError) throw e;
    throw new FatalError(`cannot talk to Immich at ${base}: ${(e as Error).message}`);
  }
  const media = await client.json<{ image: string[]; video: string[] }>(
    "GET",
    "/server/media-types",
    undefined,
    {
      what: "reading the supported file types",
    },
  );
  return new ImmichSession(settings, ctx, client, { base, version, user, media });
}

export class ImmichSession implements AssetDestinationSession {
  readonly key: string;
  readonly #settings: ImmichSettings;
  readonly #ctx: PluginContext;
  readonly #client: ImmichClient;
  readonly #version: ServerVersion;
  readonly #user: User;
  readonly #base: string;
  readonly #storable: Set<string>;
  readonly #checks: GroupCommit<string, CheckResult>;
  readonly #albums?: AlbumSync;
  readonly #pauser?: JobPauser;
  readonly #leftovers: JobPauser;
  readonly #tagIds = new Map<string, Promise<string>>();
  #expecting?: Promise<boolean>;
  #duplicatesSeen = false;

  constructor(
    settings: ImmichSettings,
    ctx: PluginContext,
    client: ImmichClient,
    server: { base: string; version: ServerVersion; user: User; media: { image: string[]; video: string[] } },
  ) {
    this.#settings = settings;
    this.#ctx = ctx;
    this.#client = client;
    this.#version = server.version;
    this.#user = server.user;
    this.#base = server.base;
    const origin = new URL(server.base);
    this.key = `immich:${origin.protocol}//${origin.host.toLowerCase()}${
      origin.pathname.replace(/\/+$/, "")
    }#${server.user.id}`;
    this.#storable = new Set([...server.media.image, ...server.media.video].map((e) => e.toLowerCase()));
    this.#checks = new GroupCommit((sums: string[]) => this.#bulkCheck(sums), { maxBatch: 1000 });
    if (settings.albums !== "off") this.#albums = new AlbumSync(client, ctx.state, this.key, settings.albums);
    const admin = settings.adminApiKey ? client.withKey(settings.adminApiKey) : client;
    this.#leftovers = new JobPauser(admin, this.#version, ctx.state, this.key, ctx.log);
    if (settings.pauseJobs) this.#pauser = this.#leftovers;
  }

  get version(): ServerVersion {
    return this.#version;
  }

  // -------------------------------------------------------------------------------------------
  // Start-up check

  async check(): Promise<DestinationInfo> {
    await this.#checkPermissions(this.#client, requiredPermissions(this.#settings), "IMMICH_API_KEY");
    if (this.#settings.pauseJobs) {
      const admin = this.#settings.adminApiKey
        ? this.#client.withKey(this.#settings.adminApiKey)
        : this.#client;
      const who = await admin.json<User>("GET", "/users/me", undefined, {
        what: "checking the admin API key",
      });
      if (!who.isAdmin) {
        throw new FatalError(
          `pausing Immich jobs needs an admin's API key, and ${who.email} is not an admin; set ` +
            `IMMICH_ADMIN_API_KEY to a key of an admin, or turn --immich-pause-jobs off`,
        );
      }
      const jobs = this.#version.major >= 3 ? ["queue.read", "queue.update"] : ["job.read", "job.create"];
      await this.#checkPermissions(
        admin,
        jobs,
        this.#settings.adminApiKey ? "IMMICH_ADMIN_API_KEY" : "IMMICH_API_KEY",
      );
    }
    return {
      description: `Immich ${versionText(this.#version)} at ${this.#base} as ${this.#user.email}`,
      version: versionText(this.#version),
    };
  }

  async #checkPermissions(client: ImmichClient, needed: string[], which: string): Promise<void> {
    // `/api-keys/me` arrived in 1.143; before it, that path is read as `/api-keys/{id}` (400).
    const me = await client.request<{ permissions?: string[] }>("GET", "/api-keys/me", undefined, {
      what: "reading the API key's permissions",
      accept: [400, 404],
    });
    if (me.status === 200 && Array.isArray(me.body.permissions)) {
      const has = me.body.permissions;
      if (has.includes("all")) return;
      const missing = needed.filter((p) => !has.includes(p));
      if (missing.length > 0) {
        throw new FatalError(
          `the Immich API key in ${which} lacks the permission${missing.length > 1 ? "s" : ""} ${
            missing.join(", ")
          }; ` +
            `edit the key in Immich (Account Settings > API Keys) to add ${
              missing.length > 1 ? "them" : "it"
            }, ` +
            `or create a key with "all"`,
        );
      }
      return;
    }
    // Older servers: probe, read-only, the routes that check a permission there.
    const nobody = "00000000-0000-4000-8000-000000000000";
    if (needed.includes("album.read")) {
      await client.json("GET", `/albums?assetId=${nobody}`, undefined, { what: "checking album access" });
    }
    if (needed.includes("stack.read")) {
      await client.json("GET", `/stacks?primaryAssetId=${nobody}`, undefined, {
        what: "checking stack access",
      });
    }
    if (needed.includes("job.read")) {
      await client.json("GET", "/jobs", undefined, { what: "checking job access" });
    }
  }

  // -------------------------------------------------------------------------------------------
  // put

  async put(group: ExportedGroup): Promise<PutResult> {
    const { asset, plan } = group;
    if (this.#pauser) await this.#pauser.pause();
    const files = new Map(group.files.map((f) => [f.key, f]));
    const sidecars = new Set(plan.relations.filter((r) => r.type === "sidecar_of").map((r) => r.from));
    const motionToStill = new Map(
      plan.relations.filter((r) => r.type === "motion_of").map((r) => [r.from, r.to]),
    );
    const stillToMotion = new Map([...motionToStill].map(([m, s]) => [s, m]));
    const refs = new Map<string, RemoteRef>();
    const describe = (r: PlannedResource) => `${r.name} (${r.role} of ${asset.filename}, ${asset.id})`;

    const uploads: PlannedResource[] = [];
    for (const r of plan.resources) {
      const file = files.get(r.key);
      if (!file) throw new PermanentError(`${describe(r)} was planned but not exported`);
      if (this.#canStore(r, sidecars)) uploads.push(r);
      else if (r.key === plan.primary) {
        throw new PermanentError(
          `Immich does not accept ${extname(r.name) || "extensionless"} files, so ${
            describe(r)
          } cannot be imported`,
        );
      } else refs.set(r.key, this.#unsupported(file));
    }
    // Motion videos first: a still is uploaded with the id of its video.
    uploads.sort((a, b) => Number(motionToStill.has(b.key)) - Number(motionToStill.has(a.key)));

    const precheck = await this.#expectDuplicates();
    const checks = await Promise.all(uploads.map((r) => {
      const file = files.get(r.key)!;
      return precheck || file.size > IN_MEMORY_UPLOAD ? this.#checks.add(file.sha1) : undefined;
    }));
    const trashed: string[] = [];
    const linked = new Set<string>();
    for (const [i, r] of uploads.entries()) {
      const file = files.get(r.key)!;
      let check = checks[i] ?? { id: "", action: "accept" };
      if (check.reason === "duplicate" && check.assetId && !(await this.#readsBack(check.assetId))) {
        check = { id: "", action: "accept" }; // just deleted: the upload below tells
      }
      if (check.action === "reject" && check.reason === "duplicate" && check.assetId) {
        refs.set(r.key, { key: r.key, remoteId: check.assetId, duplicate: true });
        if (check.isTrashed) trashed.push(check.assetId);
        continue;
      }
      if (check.action === "reject") {
        if (r.key === plan.primary) {
          throw new PermanentError(`Immich rejects ${describe(r)} (${check.reason ?? "no reason given"})`);
        }
        refs.set(r.key, this.#unsupported(file));
        continue;
      }
      const motionKey = stillToMotion.get(r.key);
      const motion = motionKey ? refs.get(motionKey) : undefined;
      const motionId = motion && !motion.remoteId.startsWith(UNSUPPORTED_PREFIX)
        ? motion.remoteId
        : undefined;
      const answer = await this.#uploadVerified(group, r, file, {
        visibility: this.#visibilityOf(asset, plan, r, motionToStill),
        livePhotoVideoId: motionId,
      });
      const duplicate = answer.status === "duplicate";
      refs.set(r.key, { key: r.key, remoteId: answer.id, duplicate });
      if (motionId && !duplicate) linked.add(r.key);
      if (duplicate && !checks[i]) {
        // Duplicates turned up unannounced: check before uploading from now on, and ask whether
        // this one sits in the trash (a duplicate's answer does not say).
        this.#duplicatesSeen = true;
        const late = await this.#checks.add(file.sha1);
        if (late.isTrashed && late.assetId) trashed.push(late.assetId);
      }
    }

    // A duplicate in Immich's trash would stay invisible: bring it back.
    if (trashed.length > 0) {
      await this.#client.json("POST", "/trash/restore/assets", { ids: [...new Set(trashed)] }, {
        what: `restoring ${asset.filename} (${asset.id}) from the Immich trash`,
      });
      this.#ctx.log.info(`restored ${asset.filename} from the Immich trash, where an earlier copy was`);
    }
    const primary = refs.get(plan.primary)!;
    const visibility = this.#visibilityOf(
      asset,
      plan,
      plan.resources.find((r) => r.key === plan.primary)!,
      motionToStill,
    );
    // An API key cannot touch an asset in the locked folder after its upload: what follows is skipped.
    const locked = visibility === "locked";
    if (locked) {
      this.#ctx.log.debug(
        `${asset.filename} went to the locked folder; no later link, stack or album for it`,
      );
    }
    // Link stills that were already there (Immich ignores livePhotoVideoId on a duplicate).
    for (const [motionKey, stillKey] of motionToStill) {
      const still = refs.get(stillKey);
      const motion = refs.get(motionKey);
      if (!still || !motion || linked.has(stillKey) || locked) continue;
      if (still.remoteId.startsWith(UNSUPPORTED_PREFIX) || motion.remoteId.startsWith(UNSUPPORTED_PREFIX)) {
        continue;
      }
      await this.link(still.remoteId, motion.remoteId);
    }
    if (primary.duplicate) await this.#applyMetadata(asset, plan, primary.remoteId, visibility);
    if (!locked) await this.#stacks(plan, refs);
    if (this.#albums && asset.albums.length > 0 && visibility !== "locked") {
      await this.#albums.add(primary.remoteId, asset.albums);
    }
    return { resources: plan.resources.map((r) => refs.get(r.key)!) };
  }

  /**
   * Whether checking small files before uploading them can pay off. An account with no assets has
   * nothing to match, so a first import into it skips the check round trip per asset: the server
   * still recognises a duplicate by the checksum header (it answers before reading the body), and
   * the first duplicate seen turns checking on for the rest of the session. Big files are always
   * checked first: sending one for nothing costs far more than the question.
   */
  #expectDuplicates(): Promise<boolean> {
    if (this.#duplicatesSeen) return Promise.resolve(true);
    this.#expecting ??= this.#client.json<{ assets: { items: unknown[] } }>(
      "POST",
      "/search/metadata",
      { size: 1, withDeleted: true },
      { what: "looking whether the account holds assets" },
    ).then((found) => found.assets.items.length > 0);
    this.#expecting.catch(() => (this.#expecting = undefined));
    return this.#expecting;
  }

  #canStore(r: PlannedResource, sidecars: Set<string>): boolean {
    if (r.role === "adjustment" || r.role === "sidecar" || sidecars.has(r.key)) return false;
    return this.#storable.has(extname(r.name).toLowerCase());
  }

  #unsupported(file: ExportedFile): RemoteRef {
    return { key: file.key, remoteId: `${UNSUPPORTED_PREFIX}${file.sha1}`, duplicate: false };
  }

  #visibilityOf(
    asset: Asset,
    plan: Plan,
    r: PlannedResource,
    motionToStill: Map<string, string>,
  ): Visibility {
    if (r.hidden || motionToStill.has(r.key)) return "hidden";
    // The run's policy (--hidden-visibility) decided it for the plan.
    if (asset.hidden) return plan.visibility ?? "archive";
    return "timeline";
  }

  #tagsOf(asset: Asset, plan: Plan): string[] {
    if (this.#settings.tags === "off") return [];
    const tags = asset.keywords.map((k) => k.trim()).filter(Boolean);
    if (this.#settings.tags === "all") tags.push(...plan.tags.map((t) => `Photos/${t}`));
    return [...new Set(tags)];
  }

  async #bulkCheck(sums: string[]): Promise<(CheckResult | Error)[]> {
    const answer = await this.#client.json<{ results: CheckResult[] }>(
      "POST",
      "/assets/bulk-upload-check",
      { assets: sums.map((checksum, i) => ({ id: String(i), checksum })) },
      { what: `checking ${sums.length} file${sums.length > 1 ? "s" : ""} against Immich` },
    );
    const byId = new Map(answer.results.map((r) => [r.id, r]));
    return sums.map((_, i) =>
      byId.get(String(i)) ?? new RetryableError(`Immich's bulk-upload-check answer left out a checksum`)
    );
  }

  /**
   * Uploads, and never hands back an id that does not read back: right after a permanent delete
   * Immich may answer `duplicate` with the id of the asset it is still removing.
   */
  async #uploadVerified(
    group: ExportedGroup,
    r: PlannedResource,
    file: ExportedFile,
    options: { visibility: Visibility; livePhotoVideoId?: string },
  ): Promise<{ id: string; status: "created" | "duplicate" }> {
    const answer = await this.#upload(group, r, file, options);
    if (answer.status !== "duplicate" || await this.#readsBack(answer.id)) return answer;
    const again = await this.#upload(group, r, file, options);
    if (again.status !== "duplicate" || await this.#readsBack(again.id)) return again;
    throw new RetryableError(
      `Immich says ${r.name} is already there as ${again.id}, but that asset does not exist ` +
        `(it is probably being deleted); the next run retries it`,
    );
  }

  /** Whether the asset `id` exists for this user (in the trash counts); a deleted id reads 400. */
  async #readsBack(id: string): Promise<boolean> {
    const answer = await this.#client.request("GET", `/assets/${id}`, undefined, {
      what: `reading back asset ${id}`,
      accept: [400, 404],
    });
    return answer.status === 200;
  }

  async #upload(
    group: ExportedGroup,
    r: PlannedResource,
    file: ExportedFile,
    options: { visibility: Visibility; livePhotoVideoId?: string },
  ): Promise<{ id: string; status: "created" | "duplicate" }> {
    const { asset, plan } = group;
    const isPrimary = r.key === plan.primary;
    const created = asset.captured
      ? localIso(asset.captured)
      : asset.added ?? asset.modified ?? (await Deno.stat(file.path)).mtime?.toISOString() ??
        new Date().toISOString();
    const parts: Part[] = [];
    if (this.#version.major < 3) {
      // Required before 3.0 and removed in it; never used as identity (the tracker has the ids).
      parts.push({ name: "deviceAssetId", value: `photos-sync-${asset.id}-${r.key}` });
      parts.push({ name: "deviceId", value: "photos-sync" });
    }
    parts.push({ name: "fileCreatedAt", value: created });
    parts.push({ name: "fileModifiedAt", value: asset.modified ?? created });
    if (isPrimary && asset.favorite) parts.push({ name: "isFavorite", value: "true" });
    if (options.visibility !== "timeline") parts.push({ name: "visibility", value: options.visibility });
    if (options.livePhotoVideoId) parts.push({ name: "livePhotoVideoId", value: options.livePhotoVideoId });
    parts.push({ name: "filename", value: r.name });
    if (r.role === "original" && asset.kind === "video" && asset.durationSeconds) {
      parts.push({ name: "duration", value: durationField(asset.durationSeconds, this.#version) });
    }
    if (this.#version.major >= 3) {
      parts.push({
        name: "metadata",
        value: JSON.stringify([{ key: METADATA_KEY, value: { photosAssetId: asset.id, resource: r.key } }]),
      });
    }
    const ext = extname(r.name).toLowerCase();
    parts.push({
      name: "assetData",
      filename: asciiName(r.name),
      contentType: MIME[ext] ?? "application/octet-stream",
      path: file.path,
      size: file.size,
    });
    // A motion video is never shown on its own; its still carries the metadata.
    const xmp = r.hidden ? undefined : xmpSidecar(asset, this.#tagsOf(asset, plan));
    if (xmp) {
      const stem = asciiName(r.name).slice(0, asciiName(r.name).length - ext.length);
      parts.push({
        name: "sidecarData",
        filename: `${stem}.xmp`,
        contentType: "application/rdf+xml",
        data: new TextEncoder().encode(xmp),
      });
    }
    const request = { what: `uploading ${r.name} (${r.role} of ${asset.id})` };
    type Created = { id: string; status: "created" | "duplicate" };
    let answer;
    if (file.size <= IN_MEMORY_UPLOAD) {
      const body = await multipartBytes(parts);
      const headers = { "content-type": body.contentType, "x-immich-checksum": file.sha1 };
      answer = await this.#client.post<Created>("/assets", body.bytes, headers, request);
    } else {
      const body = multipartBody(parts);
      const headers = { "content-type": body.contentType, "x-immich-checksum": file.sha1 };
      answer = await this.#client.stream<Created>("/assets", body, headers, request);
    }
    if (!answer.body || typeof answer.body.id !== "string") {
      throw new RetryableError(`Immich answered the upload of ${r.name} without an asset id`);
    }
    return answer.body;
  }

  /** What the sidecar would have said, for an asset that was already in Immich. */
  async #applyMetadata(asset: Asset, plan: Plan, id: string, visibility: Visibility): Promise<void> {
    const update: Record<string, unknown> = {};
    if (asset.favorite) update.isFavorite = true;
    if (visibility !== "timeline") update.visibility = visibility;
    // Always, as in the sidecar: the file's own date may lack its offset and be read as UTC.
    if (asset.captured) update.dateTimeOriginal = localIso(asset.captured);
    if (asset.caption) update.description = asset.caption;
    if (asset.location) {
      update.latitude = asset.location.latitude;
      update.longitude = asset.location.longitude;
    }
    if (Object.keys(update).length > 0 && visibility !== "locked") {
      await this.#client.json("PUT", `/assets/${id}`, update, {
        what: `updating ${asset.filename} (${asset.id}), which was already in Immich`,
      });
    }
    const tags = this.#tagsOf(asset, plan);
    if (tags.length > 0 && visibility !== "locked") {
      const tagIds = await Promise.all(tags.map((t) => this.#tagId(t)));
      await this.#client.json("PUT", "/tags/assets", { tagIds, assetIds: [id] }, {
        what: `tagging ${asset.filename} (${asset.id})`,
      });
    }
  }

  #tagId(value: string): Promise<string> {
    let pending = this.#tagIds.get(value);
    if (!pending) {
      pending = this.#client.json<{ id: string }[]>("PUT", "/tags", { tags: [value] }, {
        what: `creating the tag "${value}"`,
      }).then((tags) => tags[0].id);
      this.#tagIds.set(value, pending);
      pending.catch(() => this.#tagIds.delete(value));
    }
    return pending;
  }

  /** Stacks from `stack` and `render_of` relations; the stack's primary is listed first. */
  async #stacks(plan: Plan, refs: Map<string, RemoteRef>): Promise<void> {
    const groups = new Map<string, string[]>();
    for (const rel of plan.relations) {
      if (rel.type !== "stack" && rel.type !== "render_of") continue;
      const [top, under] = rel.type === "render_of" && rel.from === plan.primary
        ? [rel.from, rel.to]
        : [rel.to, rel.from];
      const members = groups.get(top) ?? [];
      if (!members.includes(under)) members.push(under);
      groups.set(top, members);
    }
    for (const [top, members] of groups) {
      const ids = [...new Set([top, ...members].map((k) => refs.get(k)?.remoteId))]
        .filter((id): id is string => !!id && !id.startsWith(UNSUPPORTED_PREFIX));
      if (ids.length < 2) continue;
      const allNew = [top, ...members].every((k) => refs.get(k)?.duplicate === false);
      if (!allNew) {
        const existing = await this.#client.json<{ assets: { id: string }[] }[]>(
          "GET",
          `/stacks?primaryAssetId=${ids[0]}`,
          undefined,
          { what: "looking for an existing stack" },
        );
        if (existing.some((s) => ids.every((id) => s.assets.some((a) => a.id === id)))) continue;
      }
      await this.stack(ids[0], ids.slice(1));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Repair primitives

  async find(sha1: string): Promise<string | undefined> {
    const result = await this.#checks.add(sha1);
    return result.action === "reject" && result.reason === "duplicate" ? result.assetId : undefined;
  }

  /** Pushes metadata that changed in Photos since the import (`sync`). */
  async update(remoteId: string, changes: AssetChanges): Promise<void> {
    const body: Record<string, unknown> = {};
    if (changes.favorite !== undefined) body.isFavorite = changes.favorite;
    if (changes.hidden !== undefined) {
      body.visibility = changes.hidden ? changes.visibility ?? "archive" : "timeline";
    }
    if (changes.captured) body.dateTimeOriginal = localIso(changes.captured);
    if (Object.keys(body).length === 0) return;
    await this.#client.json("PUT", `/assets/${remoteId}`, body, { what: `updating asset ${remoteId}` });
  }

  /**
   * Whether each asset is still in Immich, in its trash, or gone. Many ids are answered from one
   * listing of the account (`/search/metadata`, a page of 1,000 per request, each visibility, trash
   * included); every id the listing lacks, and every id when there are few, is then asked for on its
   * own, so "gone" always rests on the server's own "not found". (Immich answers that also for an
   * asset in the locked folder, which an API key may not look into: see `--hidden-visibility`.)
   */
  async presence(remoteIds: string[]): Promise<Record<string, Presence>> {
    const result: Record<string, Presence> = {};
    const unique = [...new Set(remoteIds)];
    if (unique.length > 50) {
      const index = await this.#listing();
      for (const id of unique) {
        const trashed = index.get(id);
        if (trashed !== undefined) result[id] = trashed ? "trashed" : "present";
      }
    }
    const queue = unique.filter((id) => !(id in result));
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const answer = await this.#client.request<{ isTrashed?: boolean }>(
          "GET",
          `/assets/${id}`,
          undefined,
          {
            what: `looking up asset ${id}`,
            accept: [400, 404],
          },
        );
        result[id] = answer.status !== 200 ? "gone" : answer.body.isTrashed ? "trashed" : "present";
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
    return result;
  }

  #index?: Promise<Map<string, boolean>>;

  /** Every asset of the account, id to whether it is trashed; read once per session. */
  #listing(): Promise<Map<string, boolean>> {
    this.#index ??= (async () => {
      const index = new Map<string, boolean>();
      for (const visibility of ["timeline", "archive", "hidden"]) {
        for (let page: string | null = "1"; page !== null;) {
          const found: { assets: { items: { id: string; isTrashed: boolean }[]; nextPage: string | null } } =
            await this.#client.json("POST", "/search/metadata", {
              visibility,
              withDeleted: true,
              size: 1000,
              page: Number(page),
            }, { what: `listing the account's ${visibility} assets` });
          for (const a of found.assets.items) index.set(a.id, a.isTrashed);
          page = found.assets.nextPage;
        }
      }
      return index;
    })();
    this.#index.catch(() => (this.#index = undefined));
    return this.#index;
  }

  async link(stillId: string, motionId: string): Promise<void> {
    await this.#client.json("PUT", `/assets/${stillId}`, { livePhotoVideoId: motionId }, {
      what: `linking the motion video ${motionId} to the still ${stillId}`,
    });
  }

  async stack(primaryId: string, memberIds: string[]): Promise<void> {
    await this.#client.json("POST", "/stacks", { assetIds: [primaryId, ...memberIds] }, {
      what: `stacking ${memberIds.length + 1} assets under ${primaryId}`,
    });
  }

  async albums(remoteId: string, albums: AlbumRef[]): Promise<void> {
    if (!this.#albums) return;
    await this.#albums.add(remoteId, albums);
  }

  /** Moves assets to Immich's trash (recoverable there for the server's trash period). */
  async remove(remoteIds: string[]): Promise<void> {
    for (let i = 0; i < remoteIds.length; i += 1000) {
      const ids = remoteIds.slice(i, i + 1000);
      await this.#client.json("DELETE", "/assets", { ids, force: false }, {
        what: `moving ${ids.length} assets to the Immich trash`,
      });
    }
  }

  async close(): Promise<void> {
    try {
      await this.#leftovers.resume();
    } catch (e) {
      this.#ctx.log.warn(
        `could not resume the Immich jobs paused for the import (${(e as Error).message}); ` +
          `resume them under Administration > Jobs, or the next run will try again`,
      );
    }
  }
}
