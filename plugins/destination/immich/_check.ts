/**
 * The start-up check of `destination.immich`: whether the API key may do what these settings
 * need, and, for `--immich-pause-jobs`, whether the admin's key may pause queues. A missing
 * permission stops the run once, naming it, instead of failing every asset.
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

/** Throws a FatalError that names what the API key (or the admin's key) lacks for these settings. */
export async function checkAccess(
  client: ImmichClient,
  settings: ImmichSettings,
  version: ServerVersion,
): Promise<void> {
  await checkPermissions(client, requiredPermissions(settings), "IMMICH_API_KEY");
  if (!settings.pauseJobs) return;
  const admin = settings.adminApiKey ? client.withKey(settings.adminApiKey) : client;
  const who = await admin.json<User>("GET", "/users/me", undefined, {
    what: "checking the admin API key",
  });
  if (!who.isAdmin) {
    throw new FatalError(
      `pausing Immich jobs needs an admin's API key, and ${who.email} is not an admin; set ` +
        `IMMICH_ADMIN_API_KEY to a key of an admin, or turn --immich-pause-jobs off`,
    );
  }
  const jobs = version.major >= 3 ? ["queue.read", "queue.update"] : ["job.read", "job.create"];
  await checkPermissions(admin, jobs, settings.adminApiKey ? "IMMICH_ADMIN_API_KEY" : "IMMICH_API_KEY");
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

async function checkPermissions(client: ImmichClient, needed: string[], which: string): Promise<void> {
  const has = await keyPermissions(client);
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
