/**
 * The Photos albums an asset goes into, from the source's album references. An album of this very
 * library (its id is a Photos album's) is used as it is; any other is the album this destination
 * made for it earlier (kept in plugin state), or a new one of the same title in the same folders.
 * Shared albums are left out: PhotoKit cannot add to them.
 *
 * @example
 * ```ts
 * const albums = new AlbumResolver(bridge, ctx.state);
 * const ids = await albums.resolve(asset.albums); // Photos album ids, in the asset's order
 * ```
 * @module
 */
import type { AlbumRef } from "../../../core/model/asset.ts";
import type { StateStore } from "../../../core/plugin/types.ts";
import type { PhotosBridge } from "../../source/photokit/bridge.ts";
import { OneAtATime } from "./_one_at_a_time.ts";

const stateKey = (ref: AlbumRef) => `album:${ref.id}`;

export class AlbumResolver {
  readonly #made = new OneAtATime();

  constructor(readonly bridge: PhotosBridge, readonly state: StateStore) {}

  /** The Photos album ids for these references, creating the albums Photos lacks. */
  async resolve(refs: readonly AlbumRef[]): Promise<string[]> {
    const own = refs.filter((ref) => !ref.shared);
    if (own.length === 0) return [];
    const mapped = own.map((ref) => this.state.get<string>(stateKey(ref)));
    const asked = [...new Set([...own.map((ref) => ref.id), ...mapped.filter((id) => id !== undefined)])];
    const found = new Set((await this.bridge.lookupAlbums(asked)).found);
    const ids: string[] = [];
    for (const [i, ref] of own.entries()) {
      if (found.has(ref.id)) ids.push(ref.id);
      else if (mapped[i] !== undefined && found.has(mapped[i])) ids.push(mapped[i]);
      else ids.push(await this.#make(ref));
    }
    return [...new Set(ids)];
  }

  /** A new album for `ref`, once however many puts ask for it at the same time. */
  #make(ref: AlbumRef): Promise<string> {
    return this.#made.run(ref.id, async () => {
      // Another put may have made it while this one waited.
      const made = this.state.get<string>(stateKey(ref));
      if (made !== undefined && (await this.bridge.lookupAlbums([made])).found.length > 0) return made;
      const id = await this.bridge.createAlbum(ref.title, ref.folders);
      this.state.set(stateKey(ref), id);
      return id;
    });
  }
}
