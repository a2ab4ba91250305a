/**
 * Photos albums as Immich albums: each Photos album becomes one Immich album, created once (even
 * when many uploads need it at the same moment), remembered in the tracker by the Photos album's
 * id, and filled in batches. Two Photos albums with one title are two Immich albums: an existing
 * album is adopted by name only when no other Photos album owns it.
 * @module
 */
import type { AlbumRef } from "../../../core/model/asset.ts";
import { PermanentError } from "../../../core/plugin/errors.ts";
import type { StateStore } from "../../../core/plugin/types.ts";
import type { ImmichClient } from "./_client.ts";
import { GroupCommit } from "./_group_commit.ts";

/** How a Photos album in folders is named in Immich, which has no folders. */
export type AlbumNaming = "path" | "title";

/**
 * `path`: the folders and the title joined with ` / ` (`Trips / 2024 / Paris`), so albums that
 * share a title in different folders stay apart; `title`: the title alone (they merge).
 *
 * @example
 * ```ts
 * albumName({ id: "A", title: "Paris", folders: ["Trips", "2024"] }, "path"); // "Trips / 2024 / Paris"
 * ```
 */
export function albumName(album: AlbumRef, naming: AlbumNaming): string {
  const title = album.title.trim() || "Untitled";
  if (naming === "title") return title;
  return [...album.folders.map((f) => f.trim()).filter(Boolean), title].join(" / ");
}

interface AlbumSummary {
  id: string;
  albumName: string;
  createdAt: string;
  updatedAt: string;
}

/** The album the tracker remembered was deleted in Immich meanwhile. */
class AlbumGone extends Error {}

export class AlbumSync {
  readonly #resolving = new Map<string, Promise<string>>();
  #byName?: Promise<Map<string, string[]>>;
  #owners?: Record<string, string>;
  readonly #adders = new Map<string, GroupCommit<string, void>>();
  /** Album id and name pairs already checked by `set`: the album is not read again. */
  readonly #named = new Set<string>();

  constructor(
    readonly client: ImmichClient,
    readonly state: StateStore,
    /** Prefix of this server-and-user's keys in the plugin state. */
    readonly stateKey: string,
    readonly naming: AlbumNaming,
  ) {}

  /** Adds one Immich asset to the Immich albums of these Photos albums. */
  async add(assetId: string, albums: AlbumRef[]): Promise<void> {
    await Promise.all(albums.map((album) => this.#addOne(assetId, album)));
  }

  /**
   * Makes these exactly the tool's albums the asset is in (`albums`, two-way sync): adds it where it
   * is missing, takes it out of the other albums this tool made, renames an album whose Photos
   * title or folders changed. Albums the user made in Immich are never touched.
   */
  async set(assetId: string, albums: AlbumRef[]): Promise<void> {
    const owners = this.#ownerIndex();
    const wanted = new Set<string>();
    for (const album of albums) {
      const id = await this.#resolve(album);
      wanted.add(id);
      await this.#rename(id, album);
    }
    await this.add(assetId, albums);
    const extra = (await this.#albumsOf(assetId)).filter((a) => owners[a.id] && !wanted.has(a.id));
    for (const album of extra) {
      await this.client.json("DELETE", `/albums/${album.id}/assets`, { ids: [assetId] }, {
        what: `taking asset ${assetId} out of the album "${album.albumName}"`,
      });
    }
  }

  /**
   * Deletes the Immich albums made for these Photos albums (the assets stay in Immich); an album
   * the tool never made, or one already deleted in Immich, is skipped.
   */
  async remove(photosAlbumIds: string[]): Promise<void> {
    for (const photosId of photosAlbumIds) {
      const albumId = this.state.get<string>(`${this.stateKey}:album:${photosId}`);
      if (!albumId) continue;
      // 400: no such album (Immich answers so for an id it does not know).
      await this.client.request("DELETE", `/albums/${albumId}`, undefined, {
        what: `deleting the album of Photos album ${photosId}`,
        accept: [400, 404],
      });
      this.#forget({ id: photosId, title: "", folders: [] }, albumId);
    }
  }

  /** The Photos album ids of the tool's albums the asset is in, sorted. */
  async managedOf(assetId: string): Promise<string[]> {
    const owners = this.#ownerIndex();
    // The tool made no album: the asset is in none of its albums, and no request says otherwise.
    if (Object.keys(owners).length === 0) return [];
    return (await this.#albumsOf(assetId)).map((a) => owners[a.id]).filter(Boolean).sort();
  }

  /** The tool's Immich albums (id and when each last changed), for `changes`. */
  async managed(): Promise<{ id: string; updatedAt: string }[]> {
    const owners = this.#ownerIndex();
    if (Object.keys(owners).length === 0) return [];
    const albums = await this.client.json<AlbumSummary[]>("GET", "/albums", undefined, {
      what: "listing albums",
    });
    return albums.filter((a) => owners[a.id]).map((a) => ({ id: a.id, updatedAt: a.updatedAt }));
  }

  #albumsOf(assetId: string): Promise<AlbumSummary[]> {
    return this.client.json<AlbumSummary[]>("GET", `/albums?assetId=${assetId}`, undefined, {
      what: `listing the albums of asset ${assetId}`,
    });
  }

  /** Gives the album the name its Photos album has now, when that changed (once per session). */
  async #rename(albumId: string, album: AlbumRef): Promise<void> {
    const name = albumName(album, this.naming);
    const key = `${albumId}\n${name}`;
    if (this.#named.has(key)) return;
    this.#named.add(key);
    try {
      const current = await this.client.request<AlbumSummary>(
        "GET",
        `/albums/${albumId}?withoutAssets=true`,
        undefined,
        { what: `reading the album "${name}"`, accept: [400] },
      );
      // A 400: the album is gone; adding the asset creates it again under this name.
      if (current.status !== 200 || current.body.albumName === name) return;
      await this.client.json("PATCH", `/albums/${albumId}`, { albumName: name }, {
        what: `renaming the album "${current.body.albumName}" to "${name}"`,
      });
    } catch (e) {
      this.#named.delete(key);
      throw e;
    }
  }

  async #addOne(assetId: string, album: AlbumRef, again = false): Promise<void> {
    const albumId = await this.#resolve(album);
    try {
      await this.#adder(albumId, album).add(assetId);
    } catch (e) {
      if (!(e instanceof AlbumGone) || again) throw e;
      this.#forget(album, albumId);
      await this.#addOne(assetId, album, true);
    }
  }

  #adder(albumId: string, album: AlbumRef): GroupCommit<string, void> {
    let adder = this.#adders.get(albumId);
    if (!adder) {
      const name = albumName(album, this.naming);
      adder = new GroupCommit<string, void>(async (ids: string[]) => {
        const unique = [...new Set(ids)];
        const answer = await this.client.request<
          { id: string; success: boolean; error?: string }[] | unknown
        >(
          "PUT",
          `/albums/${albumId}/assets`,
          { ids: unique },
          { what: `adding ${unique.length} assets to the album "${name}"`, accept: [400] },
        );
        if (answer.status === 400) throw new AlbumGone();
        const results = answer.body as { id: string; success: boolean; error?: string }[];
        const refused = results.filter((r) => !r.success && r.error !== "duplicate");
        const byId = new Map(refused.map((r) => [r.id, r.error]));
        return ids.map((id) =>
          byId.has(id)
            ? new PermanentError(`Immich would not add asset ${id} to the album "${name}" (${byId.get(id)})`)
            : undefined
        );
      }, { maxBatch: 1000 });
      this.#adders.set(albumId, adder);
    }
    return adder;
  }

  #forget(album: AlbumRef, albumId: string): void {
    this.state.delete(`${this.stateKey}:album:${album.id}`);
    this.#resolving.delete(album.id);
    this.#adders.delete(albumId);
    void this.#byName?.then((m) => {
      for (const [name, ids] of m) m.set(name, ids.filter((id) => id !== albumId));
    });
    const owners = this.#ownerIndex();
    delete owners[albumId];
    this.state.set(this.#ownersKey, owners);
  }

  /** The Immich album id for a Photos album: remembered, found by name, or created, once. */
  #resolve(album: AlbumRef): Promise<string> {
    let pending = this.#resolving.get(album.id);
    if (!pending) {
      pending = this.#find(album);
      this.#resolving.set(album.id, pending);
      pending.catch(() => this.#resolving.delete(album.id));
    }
    return pending;
  }

  async #find(album: AlbumRef): Promise<string> {
    const key = `${this.stateKey}:album:${album.id}`;
    const remembered = this.state.get<string>(key);
    if (remembered) return remembered;
    const name = albumName(album, this.naming);
    const byName = await this.#existing();
    const owners = this.#ownerIndex();
    // An album already owned by this one: a kill came between the two writes below (each commits).
    let id = byName.get(name)?.find((candidate) => !owners[candidate] || owners[candidate] === album.id);
    if (!id) {
      const created = await this.client.json<AlbumSummary>("POST", "/albums", { albumName: name }, {
        what: `creating the album "${name}"`,
      });
      id = created.id;
      byName.set(name, [...byName.get(name) ?? [], id]);
    }
    owners[id] = album.id;
    this.state.set(this.#ownersKey, owners);
    this.state.set(key, id);
    return id;
  }

  get #ownersKey(): string {
    return `${this.stateKey}:album-owners`;
  }

  /**
   * Immich album id -> the Photos album id that owns it. Trackers from before this index was kept
   * get it built from the albums they remember.
   */
  #ownerIndex(): Record<string, string> {
    if (this.#owners) return this.#owners;
    let owners = this.state.get<Record<string, string>>(this.#ownersKey);
    if (!owners) {
      owners = {};
      const prefix = `${this.stateKey}:album:`;
      for (const key of this.state.keys?.(prefix) ?? []) {
        const id = this.state.get<string>(key);
        if (id) owners[id] = key.slice(prefix.length);
      }
      this.state.set(this.#ownersKey, owners);
    }
    return this.#owners = owners;
  }

  /** The user's albums by name, read once, the oldest first. */
  #existing(): Promise<Map<string, string[]>> {
    this.#byName ??= (async () => {
      const albums = await this.client.json<AlbumSummary[]>("GET", "/albums", undefined, {
        what: "listing albums",
      });
      const byName = new Map<string, string[]>();
      for (const a of [...albums].sort((x, y) => x.createdAt.localeCompare(y.createdAt))) {
        byName.set(a.albumName, [...byName.get(a.albumName) ?? [], a.id]);
      }
      return byName;
    })();
    this.#byName.catch(() => (this.#byName = undefined));
    return this.#byName;
  }
}
