/**
 * The facts the tracker keeps about each source asset, whatever the destinations.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { Sql } from "./sql.ts";

/** Upserts the facts about an asset; columns not named here keep their values. */
export function noteAsset(
  sql: Sql,
  ids: { source: string; libraryId?: string },
  asset: Asset,
  at: string,
): void {
  const { source, libraryId } = ids;
  sql.run(
    `INSERT INTO assets (source, asset_id, filename, media_kind, subtypes, captured_at, modified_at,
                         favorite, hidden, first_seen_at, last_seen_at, library_id)
     VALUES ($source, $asset_id, $filename, $media_kind, $subtypes, $captured_at, $modified_at,
             $favorite, $hidden, $at, $at, $library_id)
     ON CONFLICT (source, asset_id) DO UPDATE SET
       filename = excluded.filename, media_kind = excluded.media_kind, subtypes = excluded.subtypes,
       captured_at = excluded.captured_at, modified_at = excluded.modified_at,
       favorite = excluded.favorite, hidden = excluded.hidden, last_seen_at = excluded.last_seen_at,
       gone_at = NULL, library_id = COALESCE(excluded.library_id, library_id)`,
    {
      source,
      asset_id: asset.id,
      filename: asset.filename,
      media_kind: asset.kind,
      subtypes: JSON.stringify(asset.subtypes),
      captured_at: asset.captured?.utc ?? null,
      modified_at: asset.modified ?? null,
      favorite: asset.favorite ? 1 : 0,
      hidden: asset.hidden ? 1 : 0,
      at,
      library_id: libraryId ?? null,
    },
  );
}
