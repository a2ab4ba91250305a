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
import type { ImmichSettings, Visibility } from "./_settings.ts";
import { localIso } from "./_xmp.ts";

export class MetadataWriter {
  readonly #tagIds = new Map<string, Promise<string>>();

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

  /** Pushes metadata that changed in Photos since the import (`sync`). */
  async update(remoteId: string, changes: AssetChanges): Promise<void> {
    const body: Record<string, unknown> = {};
    if (changes.favorite !== undefined) body.isFavorite = changes.favorite;
    if (changes.hidden !== undefined) {
      body.visibility = changes.hidden ? changes.visibility ?? "archive" : "timeline";
    }
    if (changes.captured) body.dateTimeOriginal = localIso(changes.captured);
    if (Object.keys(body).length === 0) return;
    await this.client.json("PUT", `/assets/${remoteId}`, body, { what: `updating asset ${remoteId}` });
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
