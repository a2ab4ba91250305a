/**
 * The round trip's bookkeeping: which assets are archived (verified whole at a destination, then
 * free to leave Photos), when they left Photos, and what they became when brought back.
 *
 * @example
 * ```ts
 * const store = new ArchiveStore(tracker);
 * store.recordArchived(ids, "A1", { verified: { original: "ab12..." }, bytes: 1200 });
 * store.archived(ids).has("A1"); // true
 * ```
 * @module
 */
import type { ResourceRole } from "../model/asset.ts";
import type { Tracker } from "./mod.ts";
import { int, json, now, type Row, type Sql, sqlOf, text, textOrNull } from "./sql.ts";

export interface ArchiveIds {
  source: string;
  destination: string;
}

export interface ArchivedAsset {
  assetId: string;
  archivedAt: string;
  /** The SHA-1 of every file as the destination was verified to hold it, by resource key. */
  verified: Record<string, string>;
  bytes: number;
  removedFromSourceAt: string | null;
  restoredAt: string | null;
  /** The id the asset was brought back as (a new Photos id). */
  restoredAs: string | null;
}

function archivedOf(r: Row): ArchivedAsset {
  return {
    assetId: text(r, "asset_id"),
    archivedAt: text(r, "archived_at"),
    verified: json(r, "verified", {}),
    bytes: int(r, "bytes"),
    removedFromSourceAt: textOrNull(r, "removed_from_source_at"),
    restoredAt: textOrNull(r, "restored_at"),
    restoredAs: textOrNull(r, "restored_as"),
  };
}

export class ArchiveStore {
  readonly #sql: Sql;

  constructor(tracker: Tracker) {
    this.#sql = sqlOf(tracker);
  }

  /** Every archived asset not brought back, by id. */
  archived(ids: ArchiveIds): Map<string, ArchivedAsset> {
    const rows = this.#sql.all(
      `SELECT * FROM archived WHERE source = $source AND destination = $destination AND restored_at IS NULL`,
      { ...ids },
      archivedOf,
    );
    return new Map(rows.map((a) => [a.assetId, a]));
  }

  /** Marks an asset archived once its files were verified at the destination (again: the newer check). */
  recordArchived(
    ids: ArchiveIds,
    assetId: string,
    facts: { verified: Record<string, string>; bytes: number },
  ): void {
    this.#sql.run(
      `INSERT INTO archived (source, asset_id, destination, archived_at, verified, bytes)
       VALUES ($source, $asset_id, $destination, $at, $verified, $bytes)
       ON CONFLICT (source, asset_id, destination) DO UPDATE SET verified = excluded.verified, bytes = excluded.bytes,
         archived_at = excluded.archived_at, restored_at = NULL, restored_as = NULL`,
      { ...ids, asset_id: assetId, at: now(), verified: JSON.stringify(facts.verified), bytes: facts.bytes },
    );
  }

  markRemovedFromSource(ids: ArchiveIds, assetIds: readonly string[]): void {
    for (const id of assetIds) {
      this.#sql.run(
        `UPDATE archived SET removed_from_source_at = $at
         WHERE source = $source AND destination = $destination AND asset_id = $asset_id`,
        { ...ids, asset_id: id, at: now() },
      );
    }
  }

  markRestored(ids: ArchiveIds, assetId: string, restoredAs: string): void {
    this.#sql.run(
      `UPDATE archived SET restored_at = $at, restored_as = $restored_as
       WHERE source = $source AND destination = $destination AND asset_id = $asset_id`,
      { ...ids, asset_id: assetId, at: now(), restored_as: restoredAs },
    );
  }

  /** Archived assets and bytes per destination, and how much of it left Photos (the space freed). */
  totals(): { destination: string; archived: number; removed: number; bytesFreed: number }[] {
    return this.#sql.all(
      `SELECT destination, COUNT(*) AS archived, SUM(removed_from_source_at IS NOT NULL) AS removed,
         COALESCE(SUM(CASE WHEN removed_from_source_at IS NOT NULL THEN bytes END), 0) AS freed
       FROM archived WHERE restored_at IS NULL GROUP BY destination ORDER BY destination`,
      {},
      (r) => ({
        destination: text(r, "destination"),
        archived: int(r, "archived"),
        removed: int(r, "removed"),
        bytesFreed: int(r, "freed"),
      }),
    );
  }
}

/** One file of an archived asset, as the tracker recorded it when it was sent. */
export interface ArchivedFile {
  key: string;
  role: ResourceRole;
  name: string;
  sha1: string;
  remoteId: string;
}

/** The files the tracker recorded for an asset sent from Photos (source) to Immich (destination). */
export function archivedFiles(
  tracker: Tracker,
  ids: { source: string; destination: string },
  assetId: string,
): ArchivedFile[] {
  return sqlOf(tracker).all(
    `SELECT key, role, name, sha1, remote_id FROM resources
     WHERE source = $source AND destination = $destination AND asset_id = $asset_id ORDER BY key`,
    { ...ids, asset_id: assetId },
    (r: Row) => ({
      key: text(r, "key"),
      role: text(r, "role") as ResourceRole,
      name: text(r, "name"),
      sha1: text(r, "sha1"),
      remoteId: text(r, "remote_id"),
    }),
  );
}
