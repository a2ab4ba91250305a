/**
 * What the two-way sync asks of PhotoKit, in the helper's terms: the synced fields a destination
 * changed, as psb_write takes them, and psb_history's answer in the source's ids (bare UUIDs, the
 * ids `list()` yields and the library reader shares).
 *
 * @example
 * ```ts
 * const fields = nativeFields({ favorite: true, captured: { utc: "2025-05-26T14:27:06.603Z", offsetSeconds: 7200 } });
 * // { favorite: true, creationDate: "2025-05-26T14:27:06.603Z", timeZoneOffset: 7200 }
 * ```
 * @module
 */
import type { SideFields } from "../../../core/model/synced.ts";
import { PermanentError } from "../../../core/plugin/errors.ts";
import { bareId } from "./_asset.ts";
import type { NativeFields, NativeHistory } from "./bridge.ts";

/**
 * The fields psb_write takes for these synced fields. Photos keeps no star rating: a rating is
 * refused by name before anything is written (no rating is what Photos has already).
 */
export function nativeFields(fields: Omit<SideFields, "people">): NativeFields {
  if (fields.rating !== undefined && fields.rating !== null) {
    throw new PermanentError(
      `Photos keeps no star rating, so rating ${fields.rating} cannot be written into it; nothing was written`,
    );
  }
  const native: NativeFields = {};
  if (fields.favorite !== undefined) native.favorite = fields.favorite;
  if (fields.hidden !== undefined) native.hidden = fields.hidden;
  if (fields.title !== undefined) native.title = fields.title;
  if (fields.caption !== undefined) native.caption = fields.caption;
  if (fields.keywords !== undefined) native.keywords = [...fields.keywords];
  if (fields.location !== undefined) {
    native.location = fields.location &&
      { latitude: fields.location.latitude, longitude: fields.location.longitude };
  }
  if (fields.albums !== undefined) native.albums = [...fields.albums];
  // A cleared date goes as null, which the helper refuses by name: Photos cannot clear one.
  if (fields.captured === null) native.creationDate = null;
  else if (fields.captured !== undefined) {
    native.creationDate = new Date(fields.captured.utc).toISOString();
    native.timeZoneOffset = fields.captured.offsetSeconds;
  }
  return native;
}

/**
 * The source's answer for a history: the assets changed, in bare UUIDs, or `all`. An album change
 * is `all` too: PhotoKit names the album whose members changed, not the assets that left it, and
 * an asset taken out of an album must not go unnoticed.
 */
export function changedIds(history: NativeHistory): string[] | "all" {
  if (history.all) return "all";
  const albums = history.albums;
  if (albums.inserted.length + albums.updated.length + albums.deleted.length > 0) return "all";
  const { inserted, updated, deleted } = history.assets;
  return [...new Set([...inserted, ...updated, ...deleted].map(bareId))].sort();
}
