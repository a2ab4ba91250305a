/**
 * One session of `destination.photokit`: each put creates one Photos asset from the group's files
 * (see `_creation.ts`), and every file of the group answers with that asset's UUID, since Photos
 * keeps them as one asset. Which asset a group became is kept in plugin state by the SHA-1 of the
 * group's primary file, so a second put of the group finds it and creates nothing.
 * @module
 */
import type { ExportedGroup } from "../../../core/model/plan.ts";
import { FatalError, PermanentError } from "../../../core/plugin/errors.ts";
import type {
  AssetDestinationSession,
  DestinationInfo,
  PluginContext,
  Presence,
  PutResult,
} from "../../../core/plugin/types.ts";
import { bareId } from "../../source/photokit/_asset.ts";
import type { AuthorizationStatus, PhotosBridge } from "../../source/photokit/bridge.ts";
import { AlbumResolver } from "./_albums.ts";
import { creationOf, type LeftOut } from "./_creation.ts";
import { findInterrupted, type Pending } from "./_interrupted.ts";
import { OneAtATime } from "./_one_at_a_time.ts";

/** What to tell the user for each status that is not full access. */
export const ACCESS_ADVICE: Record<Exclude<AuthorizationStatus, "authorized">, string> = {
  limited: "photos-sync has access to selected photos only; choose Full Access for the app that runs " +
    "photos-sync (e.g. Terminal) in System Settings > Privacy & Security > Photos",
  denied: "access to Photos was denied. Allow it for the app that runs photos-sync (e.g. Terminal) in " +
    "System Settings > Privacy & Security > Photos, then run again",
  restricted: "access to Photos is restricted on this Mac (parental controls or a device profile); an " +
    "administrator must lift the restriction",
  not_determined: "macOS did not ask for access to Photos (no prompt could be shown). Run photos-sync once " +
    "from Terminal to answer the prompt, or allow it in System Settings > Privacy & Security > Photos",
};

const assetKey = (sha1: string) => `asset:${sha1}`;
const pendingKey = (sha1: string) => `creating:${sha1}`;

export class PhotoKitSession implements AssetDestinationSession {
  readonly key = "photokit:system";
  readonly #albums: AlbumResolver;
  readonly #puts = new OneAtATime();

  constructor(readonly bridge: PhotosBridge, readonly ctx: PluginContext) {
    this.#albums = new AlbumResolver(bridge, ctx.state);
  }

  async check(): Promise<DestinationInfo> {
    const status = await this.bridge.authorize(false);
    if (status !== "authorized") throw new FatalError(`destination.photokit: ${ACCESS_ADVICE[status]}.`);
    return { description: `Apple Photos, the system library through PhotoKit (${this.bridge.path})` };
  }

  async put(group: ExportedGroup): Promise<PutResult> {
    const primary = group.files.find((f) => f.key === group.plan.primary) ?? group.files[0];
    if (!primary) throw new PermanentError(`${group.asset.filename}: no file to put into Photos`);
    return await this.#puts.run(primary.sha1, () => this.#put(group, primary.sha1));
  }

  async #put(group: ExportedGroup, sha1: string): Promise<PutResult> {
    const known = this.ctx.state.get<string>(assetKey(sha1));
    if (known !== undefined && (await this.bridge.lookup([known])).found.length > 0) {
      return refs(group, known, true);
    }
    const earlier = await findInterrupted(
      this.bridge,
      this.ctx,
      this.ctx.state.get<Pending>(pendingKey(sha1)),
    );
    if (earlier !== undefined) {
      this.ctx.state.set(assetKey(sha1), earlier);
      this.ctx.state.delete(pendingKey(sha1));
      return refs(group, earlier, true);
    }
    const albums = await this.#albums.resolve(group.asset.albums);
    const { call, leftOut } = creationOf(group, albums);
    this.#report(group, leftOut);
    // Said before the create: a run killed before the asset's id is kept finds it next time.
    const original = call.resources.find((r) => r.type === "photo" || r.type === "video");
    if (!original) {
      throw new PermanentError(
        `${group.asset.filename}: Photos needs a photo or a video to make an asset of`,
      );
    }
    const pending: Pending = {
      since: (await this.bridge.history(null)).next,
      filename: original.filename ?? group.asset.filename,
      creationDate: call.fields.creationDate ?? undefined,
    };
    this.ctx.state.set(pendingKey(sha1), pending);
    let id: string;
    try {
      id = bareId(await this.bridge.create(call));
    } catch (error) {
      // A create that fails creates nothing (the helper's promise): nothing to look for later.
      this.ctx.state.delete(pendingKey(sha1));
      if (error instanceof Error) error.message = `${group.asset.filename}: ${error.message}`;
      throw error;
    }
    this.ctx.state.set(assetKey(sha1), id);
    this.ctx.state.delete(pendingKey(sha1));
    return refs(group, id, false);
  }

  /** Files Photos is not given: a sidecar quietly (its metadata travels as fields), anything else aloud. */
  #report(group: ExportedGroup, leftOut: LeftOut[]): void {
    for (const { key, why } of leftOut) {
      const name = group.files.find((f) => f.key === key)?.name ?? key;
      const sidecar = group.plan.resources.find((r) => r.key === key)?.role === "sidecar";
      const message = `${group.asset.filename}: ${name} stays out of Photos (${why})`;
      if (sidecar) this.ctx.log.debug(message);
      else this.ctx.log.warn(message);
    }
  }

  /** PhotoKit does not show Recently Deleted, so an asset moved there is `gone`, never `trashed`. */
  async presence(remoteIds: string[]): Promise<Record<string, Presence>> {
    if (remoteIds.length === 0) return {};
    const found = new Set((await this.bridge.lookup(remoteIds)).found);
    return Object.fromEntries(remoteIds.map((id) => [id, found.has(id) ? "present" : "gone"]));
  }

  /** Moves to Recently Deleted; an asset already gone is no error. */
  async remove(remoteIds: string[]): Promise<void> {
    if (remoteIds.length > 0) await this.bridge.delete([...new Set(remoteIds)]);
  }

  close(): Promise<void> {
    return this.bridge.close();
  }
}

function refs(group: ExportedGroup, id: string, duplicate: boolean): PutResult {
  return { resources: group.files.map((f) => ({ key: f.key, remoteId: id, duplicate })) };
}
