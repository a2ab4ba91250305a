/**
 * The sidecar store's index: which asset and key each stored SHA-1 belongs to, whatever the
 * destination.
 * @module
 */
import { int, now, type Row, type Sql, text } from "./sql.ts";

/** A sidecar of an asset kept in the sidecar store, found there by its SHA-1. */
export interface StoredSidecar {
  key: string;
  role: string;
  name: string;
  sha1: string;
  size: number;
}

function storedSidecarOf(r: Row): StoredSidecar {
  return {
    key: text(r, "key"),
    role: text(r, "role"),
    name: text(r, "name"),
    sha1: text(r, "sha1"),
    size: int(r, "size"),
  };
}

/** Records which sidecars of an asset the sidecar store holds, by SHA-1 (replacing earlier rows). */
export function recordSidecars(sql: Sql, source: string, assetId: string, sidecars: StoredSidecar[]): void {
  const at = now();
  sql.transaction(() => {
    for (const s of sidecars) {
      sql.run(
        `INSERT INTO sidecars (source, asset_id, key, role, name, sha1, size, stored_at)
         VALUES ($source, $asset_id, $key, $role, $name, $sha1, $size, $at)
         ON CONFLICT (source, asset_id, key) DO UPDATE SET role = excluded.role, name = excluded.name,
           sha1 = excluded.sha1, size = excluded.size, stored_at = excluded.stored_at`,
        { source, asset_id: assetId, key: s.key, role: s.role, name: s.name, sha1: s.sha1, size: s.size, at },
      );
    }
  });
}

/** The stored sidecars of one asset, by key. */
export function sidecars(sql: Sql, source: string, assetId: string): StoredSidecar[] {
  return sql.all(
    `SELECT key, role, name, sha1, size FROM sidecars WHERE source = $source AND asset_id = $asset_id ORDER BY key`,
    { source, asset_id: assetId },
    storedSidecarOf,
  );
}
