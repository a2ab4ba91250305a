/**
 * One connection of `destination.immich` to a server and user: `put()` of an exported asset (see
 * `_put.ts`), and what later commands ask of stored assets (update, presence, stack, remove; for
 * the two-way sync read, changes, albums and people).
 * @module
 */
import type { AlbumRef, PersonInAsset } from "../../../core/model/asset.ts";
import type { ExportedGroup } from "../../../core/model/plan.ts";
import { SYNCED_FIELDS, type SyncedField } from "../../../core/model/synced.ts";
import type {
  AssetChanges,
  AssetDestinationSession,
  DestinationInfo,
  HeldFile,
  PluginContext,
  Presence,
  PutResult,
  RemoteAsset,
  RemoteChanges,
} from "../../../core/plugin/types.ts";
import { AlbumSync } from "./_albums.ts";
import { ChangeFeed } from "./_changes.ts";
import { checkAccess, TwoWayPermissions } from "./_check.ts";
import type { ServerVersion } from "./_client.ts";
import { connect, type Connection, connectionKey, versionText } from "./_connect.ts";
import { PeopleSync } from "./_faces.ts";
import { ImportPause, JobPauser } from "./_jobs.ts";
import { MetadataWriter } from "./_metadata.ts";
import { Precheck } from "./_precheck.ts";
import { PresenceCheck } from "./_presence.ts";
import { verifyHeld } from "./_verify.ts";
import { GroupPut } from "./_put.ts";
import { RemoteReader } from "./_read.ts";
import { stack } from "./_relations.ts";
import type { ImmichSettings } from "./_settings.ts";
import { Uploader } from "./_upload.ts";

export async function openSession(settings: ImmichSettings, ctx: PluginContext): Promise<ImmichSession> {
  return new ImmichSession(settings, ctx, await connect(settings, ctx));
}

/** What `albums()` does beyond an import's albums: renames albums and takes assets out of them. */
const ALBUM_SYNC = ["album.read", "album.update", "albumAsset.create", "albumAsset.delete"];
/** What `people()` reads and writes: people by name, an asset's faces. */
const PEOPLE_SYNC = ["person.read", "person.create", "face.read", "face.create", "face.delete"];

/**
 * The synced fields Immich keeps of an asset with these settings: no title (it has none), keywords
 * only as tags (not with `tags off`), albums only when this tool makes them (not with `albums off`).
 */
export function keptFields(settings: Pick<ImmichSettings, "tags" | "albums">): SyncedField[] {
  return SYNCED_FIELDS.filter((f) =>
    f !== "title" && !(f === "keywords" && settings.tags === "off") &&
    !(f === "albums" && settings.albums === "off")
  );
}

export class ImmichSession implements AssetDestinationSession {
  readonly key: string;
  /** See {@link keptFields}. */
  readonly fields: { keep: readonly SyncedField[] };
  readonly #settings: ImmichSettings;
  readonly #ctx: PluginContext;
  readonly #server: Connection;
  readonly #metadata: MetadataWriter;
  readonly #presence: PresenceCheck;
  readonly #put: GroupPut;
  readonly #albums?: AlbumSync;
  readonly #reader: RemoteReader;
  readonly #changes: ChangeFeed;
  readonly #people: PeopleSync;
  readonly #twoWay: TwoWayPermissions;
  /** Resumes the queues this tool paused, in this run or in a killed earlier one. */
  readonly #leftovers: JobPauser;
  /** When this run's puts pause the queues (see {@link ImportPause}). */
  readonly #pause: ImportPause;

  constructor(settings: ImmichSettings, ctx: PluginContext, server: Connection) {
    this.#settings = settings;
    this.#ctx = ctx;
    this.#server = server;
    this.key = connectionKey(server);
    this.fields = { keep: keptFields(settings) };
    const { client, version } = server;
    this.#metadata = new MetadataWriter(client, settings.tags);
    this.#presence = new PresenceCheck(client);
    const admin = settings.adminApiKey ? client.withKey(settings.adminApiKey) : client;
    this.#leftovers = new JobPauser(admin, version, ctx.state, this.key, ctx.log);
    const mode = settings.pauseJobs === undefined ? "auto" : settings.pauseJobs ? "on" : "off";
    this.#pause = new ImportPause(this.#leftovers, mode, ctx.log);
    this.#albums = settings.albums !== "off"
      ? new AlbumSync(client, ctx.state, this.key, settings.albums)
      : undefined;
    this.#reader = new RemoteReader(client, this.#albums, settings.tags !== "off");
    this.#changes = new ChangeFeed(client, this.#albums);
    this.#people = new PeopleSync(client);
    this.#twoWay = new TwoWayPermissions(client);
    this.#put = new GroupPut({
      client,
      log: ctx.log,
      storable: new Set([...server.media.image, ...server.media.video].map((e) => e.toLowerCase())),
      precheck: new Precheck(client),
      uploader: new Uploader(client, version),
      metadata: this.#metadata,
      albums: this.#albums,
      pause: this.#pause,
    });
  }

  get version(): ServerVersion {
    return this.#server.version;
  }

  async check(): Promise<DestinationInfo> {
    const { client, version, base, user } = this.#server;
    this.#pause.refuse(await checkAccess(client, this.#settings, { version, user }));
    return {
      description: `Immich ${versionText(version)} at ${base} as ${user.email}`,
      version: versionText(version),
    };
  }

  put(group: ExportedGroup): Promise<PutResult> {
    return this.#put.put(group);
  }

  /** Pushes metadata that changed in Photos since the import (`sync`). */
  update(remoteId: string, changes: AssetChanges): Promise<void> {
    return this.#metadata.update(remoteId, changes);
  }

  /** See {@link PresenceCheck.of}: many ids are answered from one listing of the account. */
  presence(remoteIds: string[]): Promise<Record<string, Presence>> {
    return this.#presence.of(remoteIds);
  }

  stack(primaryId: string, memberIds: string[]): Promise<void> {
    return stack(this.#server.client, primaryId, memberIds);
  }

  /** See {@link RemoteReader.read}: one lookup per asset (two with albums). */
  read(remoteIds: string[]): Promise<Record<string, RemoteAsset | null>> {
    return this.#reader.read(remoteIds);
  }

  /** See {@link verifyHeld}: one lookup per file, for `archive`. */
  verify(remoteIds: string[]): Promise<Record<string, HeldFile | null>> {
    return verifyHeld(this.#server.client, remoteIds);
  }

  /** See {@link ChangeFeed.since}. */
  changes(checkpoint: string | undefined): Promise<RemoteChanges> {
    return this.#changes.since(checkpoint);
  }

  /** See {@link AlbumSync.set}; nothing with albums off. */
  async albums(remoteId: string, albums: AlbumRef[]): Promise<void> {
    if (!this.#albums) return;
    await this.#twoWay.require(ALBUM_SYNC, "keep albums in step");
    await this.#albums.set(remoteId, albums.filter((a) => !a.shared));
  }

  /** See {@link AlbumSync.remove}; nothing with albums off. */
  async removeAlbums(albumIds: string[]): Promise<void> {
    if (!this.#albums) return;
    await this.#twoWay.require(["album.delete"], "delete the albums deleted in Photos");
    await this.#albums.remove(albumIds);
  }

  /** See {@link PeopleSync.set}. */
  async people(remoteId: string, people: PersonInAsset[]): Promise<void> {
    await this.#twoWay.require(PEOPLE_SYNC, "name people and their faces");
    return await this.#people.set(remoteId, people);
  }

  /** Moves assets to Immich's trash (recoverable there for the server's trash period). */
  async remove(remoteIds: string[]): Promise<void> {
    for (let i = 0; i < remoteIds.length; i += 1000) {
      const ids = remoteIds.slice(i, i + 1000);
      await this.#server.client.json("DELETE", "/assets", { ids, force: false }, {
        what: `moving ${ids.length} assets to the Immich trash`,
      });
    }
  }

  /**
   * Resumes the queues this tool paused, in this run or a killed earlier one. That writes: in a dry
   * run the host answers it (`core/engine/wrap.ts`), the plugin does not look.
   */
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
