/**
 * Metadata set on an asset that is already in Immich: what the upload's sidecar would have said
 * (for a duplicate), and what changed in Photos since the import (`sync`). Tags are created once
 * per session, however many assets ask for one at the same moment.
 * @module
 */
import type { Asset } from "../../../core/model/asset.ts";
import type { Plan } from "../../../core/model/plan.ts";
import type { AssetChanges } from "../../../core/plugin/types.ts";
import type { ImmichClient } from "./_client.ts";
import { GroupCommit } from "./_group_commit.ts";
import type { ImmichSettings, Visibility } from "./_settings.ts";
import { localIso } from "./_xmp.ts";

export class MetadataWriter {
  readonly #tagIds = new Map<string, Promise<string>>();
  readonly #bulks = new Map<string, GroupCommit<string, void>>();

  constructor(readonly client: ImmichClient, readonly tags: ImmichSettings["tags"]) {}

  /** The Immich tags of an asset: its keywords, and with `all` its media types under `Photos/`. */
  tagsOf(asset: Asset, plan: Plan): string[] {
    if (this.tags === "off") return [];
    const tags = asset.keywords.map((k) => k.trim()).filter(Boolean);
    if (this.tags === "all") tags.push(...plan.tags.map((t) => `Photos/${t}`));
    return [...new Set(tags)];
  }

  /** What the sidecar would have said, for an asset that was already in Immich. */
  async apply(asset: Asset, plan: Plan, id: string, visibility: Visibility): Promise<void> {
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
      await this.client.json("PUT", `/assets/${id}`, update, {
        what: `updating ${asset.filename} (${asset.id}), which was already in Immich`,
      });
    }
    const tags = this.tagsOf(asset, plan);
    if (tags.length > 0 && visibility !== "locked") {
      const tagIds = await Promise.all(tags.map((t) => this.#tagId(t)));
      await this.client.json("PUT", "/tags/assets", { tagIds, assetIds: [id] }, {
        what: `tagging ${asset.filename} (${asset.id})`,
      });
    }
  }

  /**
   * Pushes metadata that changed in Photos (`sync`). Favourite, visibility and date go out in bulk
   * `PUT /assets` shared with the other updates in flight; caption, location and rating need the
   * single `PUT /assets/{id}` (a bulk rating fails with 500 on 1.135.3). Immich keeps no title.
   */
  async update(remoteId: string, changes: AssetChanges): Promise<void> {
    const bulk = bulkBody(changes);
    const single = singleBody(changes);
    const what = `updating asset ${remoteId}`;
    if (Object.keys(bulk).length > 0) await this.#bulk(bulk).add(remoteId);
    if (Object.keys(single).length > 0) {
      await this.client.json("PUT", `/assets/${remoteId}`, single, { what });
    }
    if (changes.keywords !== undefined && this.tags !== "off") {
      await this.setKeywords(remoteId, changes.keywords);
    }
  }

  /** Makes these exactly the asset's keyword tags; the `Photos/…` media-type tags stay. */
  async setKeywords(remoteId: string, keywords: string[]): Promise<void> {
    const wanted = new Set(keywords.map((k) => k.trim()).filter(Boolean));
    const asset = await this.client.json<{ tags?: { id: string; value: string }[] }>(
      "GET",
      `/assets/${remoteId}`,
      undefined,
      { what: `reading the tags of asset ${remoteId}` },
    );
    const current = (asset.tags ?? []).filter((t) => !t.value.startsWith(MEDIA_TAGS));
    for (const tag of current.filter((t) => !wanted.has(t.value))) {
      await this.client.json("DELETE", `/tags/${tag.id}/assets`, { ids: [remoteId] }, {
        what: `removing the tag "${tag.value}" from asset ${remoteId}`,
      });
    }
    const have = new Set(current.map((t) => t.value));
    const missing = [...wanted].filter((k) => !have.has(k));
    if (missing.length === 0) return;
    const tagIds = await Promise.all(missing.map((t) => this.#tagId(t)));
    await this.client.json("PUT", "/tags/assets", { tagIds, assetIds: [remoteId] }, {
      what: `tagging asset ${remoteId}`,
    });
  }

  /** One bulk update per distinct body, shared by the updates in flight that send the same. */
  #bulk(body: Record<string, unknown>): GroupCommit<string, void> {
    const key = JSON.stringify(body);
    let commit = this.#bulks.get(key);
    if (!commit) {
      commit = new GroupCommit<string, void>(async (ids) => {
        const unique = [...new Set(ids)];
        const answer = await this.client.request("PUT", "/assets", { ids: unique, ...body }, {
          what: `updating ${unique.length} assets`,
          accept: unique.length > 1 ? [400] : [],
        });
        if (answer.status !== 400) return ids.map(() => undefined);
        // One unknown id refuses the whole batch: each asset then gets its own answer.
        return await Promise.all(
          ids.map((id) =>
            this.client.json("PUT", `/assets/${id}`, body, { what: `updating asset ${id}` }).then(
              () => undefined,
              (e: Error) => e,
            )
          ),
        );
      }, { maxBatch: 1000 });
      this.#bulks.set(key, commit);
    }
    return commit;
  }

  #tagId(value: string): Promise<string> {
    let pending = this.#tagIds.get(value);
    if (!pending) {
      pending = this.client.json<{ id: string }[]>("PUT", "/tags", { tags: [value] }, {
        what: `creating the tag "${value}"`,
      }).then((tags) => tags[0].id);
      this.#tagIds.set(value, pending);
      pending.catch(() => this.#tagIds.delete(value));
    }
    return pending;
  }
}

/** The prefix of the media-type tags `--immich-tags all` adds: not keywords. */
export const MEDIA_TAGS = "Photos/";

/** The fields the bulk `PUT /assets` takes. */
function bulkBody(changes: AssetChanges): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (changes.favorite !== undefined) body.isFavorite = changes.favorite;
  if (changes.hidden !== undefined) {
    body.visibility = changes.hidden ? changes.visibility ?? "archive" : "timeline";
  }
  if (changes.captured) body.dateTimeOriginal = localIso(changes.captured);
  return body;
}

/**
 * The fields only the single `PUT /assets/{id}` takes. A blank description clears the caption (and
 * beats a blank one in the file, transcript 15); Immich's API cannot clear a location (latitude and
 * longitude must be numbers), so a cleared location is left as it is.
 */
function singleBody(changes: AssetChanges): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (changes.caption !== undefined) body.description = changes.caption?.trim() ? changes.caption : "";
  if (changes.location) {
    body.latitude = changes.location.latitude;
    body.longitude = changes.location.longitude;
  }
  if (changes.rating !== undefined) body.rating = changes.rating ?? 0;
  return body;
}
