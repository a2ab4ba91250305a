/**
 * Albums renamed (or moved to another folder) in Photos: the album keeps its id, so no asset's
 * membership changed, but its title at the destination must follow. Each album's title and folders
 * as last given to the destination are kept, with the library it was seen in; an album seen with
 * others is renamed there once, through one of its members (`albums()` renames an album whose title
 * changed); or, at a destination that keeps album names with each asset (`albumsPerAsset`: the
 * folder's sidecars), through every member. Albums deleted in Photos: their members already left them (each asset's albums are
 * synced), so the destination holds empty albums; with deletions propagated they are deleted there
 * too, behind the share limit of asset deletions.
 * @module
 */
import type { AlbumRef, Asset } from "../model/asset.ts";
import { errorKind, messageOf } from "../plugin/errors.ts";
import type { SyncRun } from "./sync_types.ts";

/** A member of an album: its id and its albums (not the whole asset, which a listing lets go). */
export interface AlbumMember {
  id: string;
  albums: AlbumRef[];
}

/** The albums the listing showed, each with one of its members, or all of them (`everyMember`). */
export class AlbumsSeen {
  readonly #albums = new Map<string, { album: AlbumRef; members: AlbumMember[] }>();

  constructor(readonly everyMember = false) {}

  note(asset: Asset): void {
    for (const album of asset.albums) {
      if (album.shared) continue;
      const seen = this.#albums.get(album.id);
      const member = { id: asset.id, albums: asset.albums };
      if (!seen) this.#albums.set(album.id, { album, members: [member] });
      else if (this.everyMember) seen.members.push(member);
    }
  }

  get all(): { album: AlbumRef; members: AlbumMember[] }[] {
    return [...this.#albums.values()];
  }
}

const labelOf = (album: AlbumRef) => JSON.stringify([album.title, album.folders]);

/** Renames at the destination the albums whose title or folders changed in Photos. */
export async function renameAlbums(run: SyncRun, seen: AlbumsSeen): Promise<void> {
  const { destination, tracker, dryRun } = run.options;
  if (!destination.albums) return;
  const known = run.store.albumLabels(run.ids.destination);
  for (const { album, members } of seen.all) {
    if (run.options.signal?.aborted) return;
    const label = labelOf(album);
    const was = known.get(album.id);
    if (was?.label === label && was.source === run.ids.source) continue;
    const renamed = was !== undefined && was.label !== label;
    if (renamed) run.summary.albumsRenamed++;
    if (dryRun) continue;
    try {
      for (const member of renamed ? members : []) {
        const primary = tracker.primaryRemoteId(run.ids, member.id);
        if (primary) await destination.albums(primary, member.albums);
      }
      run.store.recordAlbumLabel(run.ids, album.id, label);
    } catch (e) {
      if (errorKind(e) === "fatal" || errorKind(e) === "config") throw e;
      run.clean = false;
      run.summary.updateFailed++;
      run.options.onEvent?.({
        type: "warning",
        assetId: members[0].id,
        message: `renaming the album ${album.title} failed (the next sync tries again): ${messageOf(e)}`,
      });
    }
  }
}

/**
 * The albums this library gave the destination that Photos no longer has (not merely emptied: the
 * source names every album it has, empty ones included). Deleted at the destination only with
 * deletions propagated and within their share limit; counted either way.
 */
export async function removeDeletedAlbums(run: SyncRun): Promise<void> {
  const { source, destination, dryRun } = run.options;
  if (!source.listAlbums || run.summary.import.listed === 0) return;
  const known = run.store.albumLabels(run.ids.destination);
  const ours = [...known].filter(([, seen]) => seen.source === run.ids.source).map(([id]) => id);
  if (ours.length === 0) return;
  const present = new Set((await source.listAlbums()).map((album) => album.id));
  const gone = ours.filter((id) => !present.has(id));
  run.summary.albumsGone = gone.length;
  if (gone.length === 0 || !run.options.propagateDeletions) return;
  if (!destination.removeAlbums) {
    run.summary.refused ??=
      "the destination cannot delete albums; the albums deleted in Photos stay there, empty";
    return;
  }
  const share = run.options.maxDeleteShare ?? 0.05;
  if (gone.length > share * ours.length) {
    run.summary.refused ??= `${gone.length} of ${ours.length} albums would be deleted at the destination, ` +
      `more than the allowed ${Math.round(share * 100)}%; none was deleted. If this is right, run again ` +
      `with --max-delete-share ${Math.ceil((gone.length / ours.length) * 100) / 100}`;
    return;
  }
  if (!dryRun) {
    await destination.removeAlbums(gone);
    run.store.forgetAlbums(run.ids.destination, gone);
  }
  run.summary.albumsRemoved = gone.length;
}
