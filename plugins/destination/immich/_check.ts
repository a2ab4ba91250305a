/**
 * The start-up check of `destination.immich`: whether the API key may do what these settings
 * need, and whether the admin's key may pause queues (fatal with `--immich-pause-jobs`, a reason
 * not to pause when left to decide). A missing permission stops the run once, naming it, instead
 * of failing every asset.
 * @module
 */
import { FatalError } from "../../../core/plugin/errors.ts";
import type { ImmichClient, ServerVersion } from "./_client.ts";
import type { User } from "./_connect.ts";
import type { ImmichSettings } from "./_settings.ts";

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

/**
 * Throws a FatalError that names what the API key (or, with `--immich-pause-jobs`, the admin's
 * key) lacks for these settings. Left to decide (pauseJobs unset), it answers instead with the line
 * to show if a large import comes and the jobs cannot be paused, or undefined when they can: a key
 * that cannot pause is no reason to stop then. `user` owns the connection's key (read by connect).
 */
export async function checkAccess(
  client: ImmichClient,
  settings: ImmichSettings,
  server: { version: ServerVersion; user: User },
): Promise<string | undefined> {
  const has = await keyPermissions(client);
  await requirePermissions(client, has, requiredPermissions(settings), "IMMICH_API_KEY");
  if (settings.pauseJobs === false) return undefined;
  const auto = settings.pauseJobs === undefined;
  const jobs = server.version.major >= 3 ? ["queue.read", "queue.update"] : ["job.read", "job.create"];
  let why: string | undefined;
  try {
    why = await whyNotPause(client, settings, server.user, jobs, has, auto);
  } catch (e) {
    if (!auto) throw e;
    why = `checking the key that would pause them failed (${(e as Error).message})`;
  }
  if (why === undefined) return undefined;
  if (auto) {
    return `not pausing Immich's jobs during this large import: ${why}; to have them paused, set ` +
      `IMMICH_ADMIN_API_KEY to an admin's key with ${jobs.join(" and ")} (--no-immich-pause-jobs: never try)`;
  }
  throw new FatalError(
    `pausing Immich jobs needs an admin's API key with ${jobs.join(" and ")}, and ${why}; set ` +
      `IMMICH_ADMIN_API_KEY to a key of an admin, or leave --immich-pause-jobs out`,
  );
}

/**
 * Why the key that pauses (IMMICH_ADMIN_API_KEY if set, else IMMICH_API_KEY) cannot, or undefined.
 * Without an admin's key, what start-up read of IMMICH_API_KEY answers it with no further request.
 * On a server that cannot list a key's permissions, `auto` leaves the answer to the pause itself:
 * most runs never reach a large import, and a refused pause only warns.
 */
async function whyNotPause(
  client: ImmichClient,
  settings: ImmichSettings,
  user: User,
  jobs: string[],
  has: string[] | undefined,
  auto: boolean,
): Promise<string | undefined> {
  const admin = settings.adminApiKey ? client.withKey(settings.adminApiKey) : client;
  const which = settings.adminApiKey ? "IMMICH_ADMIN_API_KEY" : "IMMICH_API_KEY";
  const who = settings.adminApiKey
    ? await admin.json<User>("GET", "/users/me", undefined, { what: "checking the admin API key" })
    : user;
  if (!who.isAdmin) return `${who.email} is not an admin`;
  const adminHas = settings.adminApiKey ? await keyPermissions(admin) : has;
  if (!adminHas) {
    // A server before 1.143 cannot say; a read of the queues tells (and throws if refused).
    if (!auto) await probePermissions(admin, jobs);
    return undefined;
  }
  const missing = adminHas.includes("all") ? [] : jobs.filter((p) => !adminHas.includes(p));
  return missing.length > 0 ? `the key in ${which} lacks ${missing.join(", ")}` : undefined;
}

/** The API key's permissions, or undefined on a server that cannot say (before 1.143). */
async function keyPermissions(client: ImmichClient): Promise<string[] | undefined> {
  // `/api-keys/me` arrived in 1.143; before it, that path is read as `/api-keys/{id}` (400).
  const me = await client.request<{ permissions?: string[] }>("GET", "/api-keys/me", undefined, {
    what: "reading the API key's permissions",
    accept: [400, 404],
  });
  return me.status === 200 && Array.isArray(me.body.permissions) ? me.body.permissions : undefined;
}

/** The FatalError for a key that lacks `missing`, saying where to add them. */
function lacking(which: string, missing: string[], purpose = ""): FatalError {
  const them = missing.length > 1 ? "them" : "it";
  return new FatalError(
    `the Immich API key in ${which} lacks the permission${missing.length > 1 ? "s" : ""} ${
      missing.join(", ")
    }` +
      `${purpose}; edit the key in Immich (Account Settings > API Keys) to add ${them}, or create a key with "all"`,
  );
}

/** Throws when the permissions `has` (undefined: the server cannot say, so probe) lack any of `needed`. */
async function requirePermissions(
  client: ImmichClient,
  has: string[] | undefined,
  needed: string[],
  which: string,
): Promise<void> {
  if (!has) return await probePermissions(client, needed);
  if (has.includes("all")) return;
  const missing = needed.filter((p) => !has.includes(p));
  if (missing.length > 0) throw lacking(which, missing);
}

/**
 * The permissions only the two-way sync needs (renaming and emptying albums, deleting them, people
 * and faces), checked when first used rather than at start-up, so a key made for imports keeps
 * importing. One read of the key's permissions serves the whole session.
 */
export class TwoWayPermissions {
  #has?: Promise<string[] | undefined>;

  constructor(readonly client: ImmichClient) {}

  /** Throws once a key that lacks any of `needed` would fail to `purpose`. */
  async require(needed: string[], purpose: string): Promise<void> {
    if (!this.#has) {
      this.#has = keyPermissions(this.client);
      // A failed read is asked again by the next write, not remembered.
      this.#has.catch(() => (this.#has = undefined));
    }
    const has = await this.#has;
    if (!has || has.includes("all")) return;
    const missing = needed.filter((p) => !has.includes(p));
    if (missing.length > 0) throw lacking("IMMICH_API_KEY", missing, `, which sync needs to ${purpose}`);
  }
}

/** Older servers: probes, read-only, the routes that check a permission there. */
async function probePermissions(client: ImmichClient, needed: string[]): Promise<void> {
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
