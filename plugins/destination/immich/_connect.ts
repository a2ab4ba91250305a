/**
 * Opening a connection of `destination.immich`: the URL checked, the API root found, the server's
 * version read and checked, the API key authenticated, and the file types the server holds.
 * @module
 */
import { ConfigError, FatalError } from "../../../core/plugin/errors.ts";
import type { PluginContext } from "../../../core/plugin/types.ts";
import { ImmichClient, type ServerVersion } from "./_client.ts";
import type { ImmichSettings } from "./_settings.ts";

/** The oldest server this plugin speaks to: 1.133 replaced `isArchived` by `visibility`. */
export const MIN_VERSION: ServerVersion = { major: 1, minor: 133, patch: 0 };

export interface User {
  id: string;
  email: string;
  isAdmin: boolean;
}

/** What opening learned: whom to talk to, how, and as whom. */
export interface Connection {
  client: ImmichClient;
  /** The address Immich is opened at, e.g. `http://nas:2283` (no `/api`). */
  base: string;
  version: ServerVersion;
  user: User;
  media: { image: string[]; video: string[] };
}

/**
 * How the tracker names this server and user, e.g. `immich:http://nas:2283#<user id>`: the same
 * for the destination and for the source, so what one stores the other knows.
 */
export function connectionKey(server: Connection): string {
  const origin = new URL(server.base);
  return `immich:${origin.protocol}//${origin.host.toLowerCase()}${
    origin.pathname.replace(/\/+$/, "")
  }#${server.user.id}`;
}

export const versionText = (v: ServerVersion) => `${v.major}.${v.minor}.${v.patch}`;
const atLeast = (v: ServerVersion, min: ServerVersion) =>
  v.major !== min.major
    ? v.major > min.major
    : v.minor !== min.minor
    ? v.minor > min.minor
    : v.patch >= min.patch;

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

function serverUrl(given: string): URL {
  try {
    const url = new URL(given);
    if (/^https?:$/.test(url.protocol)) return url;
  } catch {
    // Not a URL at all: the same advice as for another scheme.
  }
  throw new ConfigError(
    `destination.immich: IMMICH_URL must be the server's address, e.g. http://nas:2283, got ${
      JSON.stringify(given)
    }`,
  );
}

/** A first request that fails says the server cannot be reached, whatever the failure's class. */
async function reach<T>(base: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (e) {
    if (e instanceof FatalError || e instanceof ConfigError) throw e;
    const message = (e as Error).message;
    // The client's own "cannot reach Immich at <origin> ..." already names the server: said once.
    throw new FatalError(
      message.startsWith("cannot reach Immich at ")
        ? message
        : `cannot talk to Immich at ${base}: ${message}`,
    );
  }
}

export async function connect(settings: ImmichSettings, ctx: PluginContext): Promise<Connection> {
  const { api, base } = await apiRoot(serverUrl(settings.url), ctx);
  const client = new ImmichClient({
    api,
    apiKey: settings.apiKey,
    http: ctx.http,
    timeoutMs: settings.timeoutSeconds * 1000,
    signal: ctx.signal,
  });
  const version = await reach(
    base,
    () =>
      client.json<ServerVersion>("GET", "/server/version", undefined, { what: "reading the server version" }),
  );
  if (!isServerVersion(version)) throw notImmich(base, version);
  if (!atLeast(version, MIN_VERSION)) {
    throw new FatalError(
      `Immich ${versionText(version)} at ${base} is older than ${versionText(MIN_VERSION)}, the oldest ` +
        `photos-sync supports; upgrade Immich`,
    );
  }
  // Authenticates: ping and version answer anyone, a wrong key shows only here.
  const user = await reach(
    base,
    () => client.json<User>("GET", "/users/me", undefined, { what: "checking the API key" }),
  );
  const media = await client.json<{ image: string[]; video: string[] }>(
    "GET",
    "/server/media-types",
    undefined,
    { what: "reading the supported file types" },
  );
  return { client, base, version, user, media };
}
