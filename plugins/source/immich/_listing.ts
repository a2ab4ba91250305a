/**
 * Listing an Immich account as a source. `POST /search/metadata` is paged (1,000 at a time) per
 * visibility, as it lists only the timeline unless told otherwise (transcript 09); `locked` needs
 * an elevated session, which an API key never has, so it is left out. Trashed assets are not
 * listed. Albums and keywords are read once per album and per tag, never once per asset; people
 * and their faces come with the assets (`withPeople`).
 *
 * A Live Photo's motion video is a hidden asset of its own in Immich. It becomes the still's
 * `motion` resource and is not listed by itself: the videos are read first (their names, sizes
 * and checksums only), then the photos, then the videos no photo claimed. So photos come newest
 * first per visibility, then the videos.
 * @module
 */
import type { AlbumRef, Asset } from "../../../core/model/asset.ts";
import type { Logger } from "../../../core/plugin/types.ts";
import type { ImmichClient } from "../../destination/immich/_client.ts";
import { MEDIA_TAGS } from "../../destination/immich/_metadata.ts";
import { assetOf, type ListedAsset, type Motion, motionOf } from "./_asset.ts";

type Visibility = "timeline" | "archive" | "hidden";

/** Every visibility an API key can list (`locked` answers 401, transcript 09). */
const VISIBILITIES: readonly Visibility[] = ["timeline", "archive", "hidden"];
/** Immich shows no hidden asset in an album (a motion video it linked is taken out). */
const IN_ALBUMS: readonly Visibility[] = ["timeline", "archive"];

const PAGE_SIZE = 1000;

interface Page {
  assets: { items: ListedAsset[]; nextPage: string | null };
}

interface Tagged extends ListedAsset {
  tags?: { id: string; value: string }[];
}

export class Listing {
  constructor(
    readonly client: ImmichClient,
    /** The API key's user: search also returns partners' assets, which are not theirs to import. */
    readonly userId: string,
    readonly log: Logger,
  ) {}

  /** Every asset of the account but the trashed and locked ones, motion videos inside their stills. */
  async *all(): AsyncGenerator<Asset> {
    const albums = await this.#albums();
    const keywords = await this.#keywords();
    const extras = (item: ListedAsset, motion?: Motion) => ({
      albums: albums.get(item.id) ?? [],
      keywords: keywords.get(item.id) ?? [],
      motion,
    });
    const videos = new Map<string, Motion>();
    for await (const video of this.#search({ type: "VIDEO" })) videos.set(video.id, motionOf(video));
    // A trashed still still claims its video: Immich leaves the video alone when a still is trashed.
    const claimed = new Set<string>();
    for await (const item of this.#search({ type: "IMAGE", withPeople: true, withDeleted: true })) {
      if (item.livePhotoVideoId) claimed.add(item.livePhotoVideoId);
      if (item.isTrashed) continue;
      yield assetOf(
        item,
        extras(item, item.livePhotoVideoId ? videos.get(item.livePhotoVideoId) : undefined),
      );
    }
    videos.clear();
    for await (const item of this.#search({ type: "VIDEO", withPeople: true })) {
      if (!claimed.has(item.id)) yield assetOf(item, extras(item));
    }
  }

  /**
   * Only these assets, each looked up by itself (`GET /assets/{id}`, its motion video, its
   * albums): cheaper than listing the account for a few. An id Immich does not know, a trashed
   * asset and another user's are left out with a warning.
   */
  async *only(ids: readonly string[]): AsyncGenerator<Asset> {
    for (const id of new Set(ids)) {
      const item = await this.#get(id);
      if (!item) {
        this.log.warn(`Immich has no asset ${id} of this user outside the trash; it is not listed`);
        continue;
      }
      const video = item.livePhotoVideoId ? await this.#get(item.livePhotoVideoId) : undefined;
      const albums = await this.client.json<{ id: string; albumName: string }[]>(
        "GET",
        `/albums?assetId=${id}`,
        undefined,
        { what: `reading the albums of asset ${id}` },
      );
      const keywords = (item.tags ?? []).map((t) => t.value).filter((v) => !v.startsWith(MEDIA_TAGS));
      yield assetOf(item, {
        albums: albums.map(albumRef),
        keywords: [...new Set(keywords)].sort(),
        motion: video ? motionOf(video) : undefined,
      });
    }
  }

  /** One asset with its tags, or undefined when it is unknown, trashed or not this user's. */
  async #get(id: string): Promise<Tagged | undefined> {
    const answer = await this.client.request<Tagged>("GET", `/assets/${encodeURIComponent(id)}`, undefined, {
      what: `reading asset ${id}`,
      accept: [400, 404],
    });
    const item = answer.body;
    return answer.status === 200 && !item.isTrashed && item.ownerId === this.userId ? item : undefined;
  }

  /** Every asset of this user matching `filter`, in each visibility, with its EXIF facts. */
  async *#search(
    filter: Record<string, unknown>,
    visibilities: readonly Visibility[] = VISIBILITIES,
  ): AsyncGenerator<ListedAsset> {
    for (const visibility of visibilities) {
      for (let page: string | null = "1"; page !== null;) {
        const body = { ...filter, visibility, withExif: true, size: PAGE_SIZE, page: Number(page) };
        const answer: Page = await this.client.json("POST", "/search/metadata", body, {
          what: `listing ${visibility} assets (${JSON.stringify(filter)}, page ${page})`,
        });
        yield* answer.assets.items.filter((a) => a.ownerId === this.userId);
        page = answer.assets.nextPage;
      }
    }
  }

  /** The albums each asset is in: the albums once, then each album's members. */
  async #albums(): Promise<Map<string, AlbumRef[]>> {
    const albums = await this.client.json<{ id: string; albumName: string }[]>("GET", "/albums", undefined, {
      what: "listing albums",
    });
    const of = new Map<string, AlbumRef[]>();
    for (const album of albums) {
      for await (const item of this.#search({ albumIds: [album.id] }, IN_ALBUMS)) {
        of.set(item.id, [...of.get(item.id) ?? [], albumRef(album)]);
      }
    }
    return of;
  }

  /**
   * Each asset's keywords: its tags, without this tool's media-type tags (`Photos/…`). Searching a
   * tag also finds the assets of the tags below it (`Trips` finds `Trips/Paris`), so of an
   * asset's tags only the most specific ones are kept.
   */
  async #keywords(): Promise<Map<string, string[]>> {
    const tags = await this.client.json<{ id: string; value: string }[]>("GET", "/tags", undefined, {
      what: "listing tags",
    });
    const found = new Map<string, Set<string>>();
    for (const tag of tags) {
      for await (const item of this.#search({ tagIds: [tag.id] })) {
        found.set(item.id, (found.get(item.id) ?? new Set()).add(tag.value));
      }
    }
    const keywords = new Map<string, string[]>();
    for (const [id, values] of found) {
      const own = [...values].filter((v) => ![...values].some((w) => w.startsWith(`${v}/`)));
      const kept = own.filter((v) => !v.startsWith(MEDIA_TAGS)).sort();
      if (kept.length > 0) keywords.set(id, kept);
    }
    return keywords;
  }
}

/** Immich albums have no folders; a name the destination made of folders stays whole. */
function albumRef(album: { id: string; albumName: string }): AlbumRef {
  return { id: album.id, title: album.albumName, folders: [] };
}
