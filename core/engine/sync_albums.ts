/**
 * Albums renamed (or moved to another folder) in Photos: the album keeps its id, so no asset's
 * membership changed, but its title at the destination must follow. Each album's title and folders
 * as last given to the destination are kept; an album seen with others is renamed there once,
 * through one of its members (`albums()` renames an album whose title changed).
 * @module
 */
import type { AlbumRef, Asset } from "../model/asset.ts";
import { errorKind, messageOf } from "../plugin/errors.ts";
import type { SyncRun } from "./sync_types.ts";

/** The albums the listing showed, each with one of its members. */
export class AlbumsSeen {
  readonly #albums = new Map<string, { album: AlbumRef; member: Asset }>();

  note(asset: Asset): void {
    for (const album of asset.albums) {
      if (!album.shared && !this.#albums.has(album.id)) this.#albums.set(album.id, { album, member: asset });
    }
  }

  get all(): { album: AlbumRef; member: Asset }[] {
    return [...this.#albums.values()];
  }
}

const labelOf = (album: AlbumRef) => JSON.stringify([album.title, album.folders]);

/** Renames at the destination the albums whose title or folders changed in Photos. */
export async function renameAlbums(run: SyncRun, seen: AlbumsSeen): Promise<void> {
  const { destination, tracker, dryRun } = run.options;
  if (!destination.albums) return;
  const known = run.store.albumLabels(run.ids.destination);
  for (const { album, member } of seen.all) {
    if (run.options.signal?.aborted) return;
    const label = labelOf(album);
    const was = known.get(album.id);
    if (was === label) continue;
    if (was !== undefined) run.summary.albumsRenamed++;
    if (dryRun) continue;
    const primary = tracker.primaryRemoteId(run.ids, member.id);
    try {
      if (was !== undefined && primary) await destination.albums(primary, member.albums);
      run.store.recordAlbumLabel(run.ids.destination, album.id, label);
    } catch (e) {
      if (errorKind(e) === "fatal" || errorKind(e) === "config") throw e;
      run.clean = false;
      run.summary.updateFailed++;
      run.options.onEvent?.({
        type: "warning",
        assetId: member.id,
        message: `renaming the album ${album.title} failed (the next sync tries again): ${messageOf(e)}`,
      });
    }
  }
}
