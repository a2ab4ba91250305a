/**
 * The cold tier per asset: each file of an archived asset kept as a cold copy (a Glacier or B2
 * object), with where it is, its class, size and SHA-1, when it was stored and last verified, and
 * its restore; and per asset, when the whole bundle was verified cold and when it left Immich.
 *
 * A file is recorded as soon as it was stored (so a run that dies does not store it again); the
 * asset only once every file of its bundle was verified at the cold target.
 *
 * @example
 * ```ts
 * const cold = new ColdStore(tracker);
 * cold.recordFile(ids, "A1", { key: "original", remoteId: "assets/2024/IMG_1_ab12cd34.HEIC", ... });
 * cold.recordStored(ids, "A1", { destination: "immich:https://nas", bytes: 1200 });
 * ```
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { Tracker } from "./mod.ts";
import { int, intOrNull, json, now, type Row, type Sql, sqlOf, text, textOrNull } from "./sql.ts";

/** The Photos library's key and the cold target's key. */
export interface ColdIds {
  source: string;
  target: string;
}

/** Where a file's restore stands, as this tool last saw or asked it. */
export type ColdRestore =
  | { state: "none" }
  /** Asked for in `tier`; `expectedBy` is when the tier's longest wait is over. */
  | { state: "requested"; tier: string; requestedAt: string; expectedBy: string }
  /** A readable copy exists until `until`. */
  | { state: "readable"; until: string };

/** What is known of one file when it was stored. */
export interface ColdFileFacts {
  key: string;
  remoteId: string;
  objectKey: string;
  storageClass: string;
  size: number;
  storedBytes: number;
  sha1: string;
}

export interface ColdFile extends ColdFileFacts {
  uploadedAt: string;
  verifiedAt: string | null;
  restore: ColdRestore;
}

export interface ColdAsset {
  assetId: string;
  /** The cold target's key. */
  target: string;
  /** The Immich destination the asset was archived at. */
  destination: string;
  storedAt: string;
  bytes: number;
  removedFromDestinationAt: string | null;
  /** The asset as its bundle was made (its metadata), to put back when restored. */
  asset: Asset;
}

export interface ColdTotals {
  target: string;
  assets: number;
  bytes: number;
  /** What the store bills (encrypted objects). */
  storedBytes: number;
  /** Of these, how many left Immich. */
  removedFromDestination: number;
}

/** The three tiers of what one destination (Immich) was sent: still in Photos, in it, cold. */
export interface TierTotals {
  destination: string;
  photos: { assets: number; bytes: number };
  atDestination: { assets: number; bytes: number };
  cold: { assets: number; bytes: number };
}

function restoreOf(r: Row): ColdRestore {
  const state = text(r, "restore_state");
  if (state === "requested") {
    return {
      state,
      tier: text(r, "restore_tier"),
      requestedAt: text(r, "restore_requested_at"),
      expectedBy: text(r, "restore_until"),
    };
  }
  if (state === "readable") return { state, until: text(r, "restore_until") };
  return { state: "none" };
}

function fileOf(r: Row): ColdFile {
  return {
    key: text(r, "key"),
    remoteId: text(r, "remote_id"),
    objectKey: text(r, "object_key"),
    storageClass: text(r, "storage_class"),
    size: int(r, "size"),
    storedBytes: int(r, "stored_bytes"),
    sha1: text(r, "sha1"),
    uploadedAt: text(r, "uploaded_at"),
    verifiedAt: textOrNull(r, "verified_at"),
    restore: restoreOf(r),
  };
}

function assetOf(r: Row): ColdAsset {
  return {
    assetId: text(r, "asset_id"),
    target: text(r, "target"),
    destination: text(r, "destination"),
    storedAt: text(r, "stored_at"),
    bytes: int(r, "bytes"),
    removedFromDestinationAt: textOrNull(r, "removed_from_destination_at"),
    asset: json(r, "asset", {} as Asset),
  };
}

const WHERE_ASSET = `source = $source AND target = $target AND asset_id = $asset_id`;

export class ColdStore {
  readonly #sql: Sql;

  constructor(tracker: Tracker) {
    this.#sql = sqlOf(tracker);
  }

  /** The files of an asset stored at the target, by resource key. */
  files(ids: ColdIds, assetId: string): Map<string, ColdFile> {
    const rows = this.#sql.all(
      `SELECT * FROM cold_objects WHERE ${WHERE_ASSET} ORDER BY key`,
      { ...ids, asset_id: assetId },
      fileOf,
    );
    return new Map(rows.map((f) => [f.key, f]));
  }

  /** Records one file as stored (again: the newer facts); its verification is `recordVerified`'s. */
  recordFile(ids: ColdIds, assetId: string, file: ColdFileFacts): void {
    this.#sql.run(
      `INSERT INTO cold_objects (source, asset_id, target, key, remote_id, object_key, storage_class, size,
         stored_bytes, sha1, uploaded_at)
       VALUES ($source, $asset_id, $target, $key, $remote_id, $object_key, $class, $size, $stored, $sha1, $at)
       ON CONFLICT (source, asset_id, target, key) DO UPDATE SET remote_id = excluded.remote_id,
         object_key = excluded.object_key, storage_class = excluded.storage_class, size = excluded.size,
         stored_bytes = excluded.stored_bytes, sha1 = excluded.sha1, uploaded_at = excluded.uploaded_at,
         verified_at = NULL`,
      {
        ...ids,
        asset_id: assetId,
        key: file.key,
        remote_id: file.remoteId,
        object_key: file.objectKey,
        class: file.storageClass,
        size: file.size,
        stored: file.storedBytes,
        sha1: file.sha1,
        at: now(),
      },
    );
  }

  /** Marks these files of an asset verified at the target now (`storageClass`: as it was seen). */
  recordVerified(ids: ColdIds, assetId: string, files: { key: string; storageClass: string }[]): void {
    const at = now();
    this.#sql.transaction(() => {
      for (const f of files) {
        this.#sql.run(
          `UPDATE cold_objects SET verified_at = $at, storage_class = $class WHERE ${WHERE_ASSET} AND key = $key`,
          { ...ids, asset_id: assetId, key: f.key, class: f.storageClass, at },
        );
      }
    });
  }

  /** Records the asset's whole bundle as verified at the target. */
  recordStored(
    ids: ColdIds,
    assetId: string,
    facts: { destination: string; bytes: number; asset: Asset },
  ): void {
    this.#sql.run(
      `INSERT INTO cold_assets (source, asset_id, target, destination, stored_at, bytes, asset)
       VALUES ($source, $asset_id, $target, $destination, $at, $bytes, $asset)
       ON CONFLICT (source, asset_id, target) DO UPDATE SET destination = excluded.destination,
         bytes = excluded.bytes, asset = excluded.asset, restored_at = NULL`,
      {
        ...ids,
        asset_id: assetId,
        destination: facts.destination,
        bytes: facts.bytes,
        asset: JSON.stringify(facts.asset),
        at: now(),
      },
    );
  }

  /** The assets whose bundle is at the target and not brought back, by id. */
  assets(ids: ColdIds): Map<string, ColdAsset> {
    const rows = this.#sql.all(
      `SELECT * FROM cold_assets WHERE source = $source AND target = $target AND restored_at IS NULL`,
      { ...ids },
      assetOf,
    );
    return new Map(rows.map((a) => [a.assetId, a]));
  }

  /** Every (library, target) pair that keeps assets cold, for the checks that visit each target. */
  targets(): ColdIds[] {
    return this.#sql.all(
      `SELECT DISTINCT source, target FROM cold_assets WHERE restored_at IS NULL ORDER BY source, target`,
      {},
      (r) => ({ source: text(r, "source"), target: text(r, "target") }),
    );
  }

  /** The assets of a Photos library kept only cold (removed from Immich, not brought back), at any target. */
  coldOnly(source: string): ColdAsset[] {
    return this.#sql.all(
      `SELECT * FROM cold_assets WHERE source = $source AND removed_from_destination_at IS NOT NULL
         AND restored_at IS NULL ORDER BY target, asset_id`,
      { source },
      assetOf,
    );
  }

  /**
   * The assets of a library and Immich destination whose bundle is whole at a cold target and that
   * are not recorded as removed from Immich: asset id -> the targets. What a run killed between
   * Immich's trashing and its record of it left behind.
   */
  keptColdInDestination(ids: { source: string; destination: string }): Map<string, string[]> {
    const rows = this.#sql.all(
      `SELECT asset_id, target FROM cold_assets WHERE source = $source AND destination = $destination
         AND removed_from_destination_at IS NULL AND restored_at IS NULL ORDER BY asset_id, target`,
      { ...ids },
      (r) => [text(r, "asset_id"), text(r, "target")] as const,
    );
    const byAsset = new Map<string, string[]>();
    for (const [id, target] of rows) byAsset.set(id, [...byAsset.get(id) ?? [], target]);
    return byAsset;
  }

  /** Records what a restore request did or what the target now says of a file's restore. */
  recordRestore(ids: ColdIds, assetId: string, key: string, restore: ColdRestore): void {
    const requested = restore.state === "requested" ? restore : undefined;
    this.#sql.run(
      `UPDATE cold_objects SET restore_state = $state, restore_tier = $tier, restore_requested_at = $asked,
         restore_until = $until WHERE ${WHERE_ASSET} AND key = $key`,
      {
        ...ids,
        asset_id: assetId,
        key,
        state: restore.state,
        tier: requested?.tier ?? null,
        asked: requested?.requestedAt ?? null,
        until: requested?.expectedBy ?? (restore.state === "readable" ? restore.until : null),
      },
    );
  }

  markRemovedFromDestination(ids: ColdIds, assetIds: readonly string[]): void {
    const at = now();
    this.#sql.transaction(() => {
      for (const id of assetIds) {
        this.#sql.run(
          `UPDATE cold_assets SET removed_from_destination_at = $at WHERE ${WHERE_ASSET}`,
          { ...ids, asset_id: id, at },
        );
      }
    });
  }

  /** The asset is back in a living tier: no longer counted cold-only (its objects stay). */
  markRestored(ids: ColdIds, assetId: string): void {
    this.#sql.run(`UPDATE cold_assets SET restored_at = $at WHERE ${WHERE_ASSET}`, {
      ...ids,
      asset_id: assetId,
      at: now(),
    });
  }

  /**
   * Per destination, of the assets imported there: how many (and their bytes) are still in Photos
   * (not gone, not removed by `archive`), still there (not deleted there, not removed by
   * `archive --cold`), and kept cold (a verified bundle at any cold target).
   */
  tiers(): TierTotals[] {
    return this.#sql.all(
      `SELECT t.destination,
         SUM(a.gone_at IS NULL AND ar.removed_from_source_at IS NULL) AS photos,
         COALESCE(SUM(CASE WHEN a.gone_at IS NULL AND ar.removed_from_source_at IS NULL THEN t.size END), 0)
           AS photos_bytes,
         SUM(t.remote_gone_at IS NULL AND c.removed IS NULL) AS there,
         COALESCE(SUM(CASE WHEN t.remote_gone_at IS NULL AND c.removed IS NULL THEN t.size END), 0) AS there_bytes,
         SUM(c.asset_id IS NOT NULL) AS cold, COALESCE(SUM(c.bytes), 0) AS cold_bytes
       FROM transfers t JOIN assets a USING (source, asset_id)
       LEFT JOIN archived ar ON ar.source = t.source AND ar.asset_id = t.asset_id
         AND ar.destination = t.destination AND ar.restored_at IS NULL
       LEFT JOIN (SELECT source, asset_id, destination, MAX(bytes) AS bytes,
           MAX(removed_from_destination_at) AS removed FROM cold_assets WHERE restored_at IS NULL
           GROUP BY source, asset_id, destination) c
         ON c.source = t.source AND c.asset_id = t.asset_id AND c.destination = t.destination
       WHERE t.status = 'imported' GROUP BY t.destination ORDER BY t.destination`,
      {},
      (r) => ({
        destination: text(r, "destination"),
        photos: { assets: int(r, "photos"), bytes: int(r, "photos_bytes") },
        atDestination: { assets: int(r, "there"), bytes: int(r, "there_bytes") },
        cold: { assets: int(r, "cold"), bytes: int(r, "cold_bytes") },
      }),
    );
  }

  /** Per target: assets whose bundle is cold, their bytes, what the store bills, how many left Immich. */
  totals(): ColdTotals[] {
    return this.#sql.all(
      `SELECT a.target, COUNT(*) AS assets, SUM(a.bytes) AS bytes,
         SUM(removed_from_destination_at IS NOT NULL) AS removed,
         COALESCE((SELECT SUM(o.stored_bytes) FROM cold_objects o WHERE o.target = a.target
           AND EXISTS (SELECT 1 FROM cold_assets c WHERE c.source = o.source AND c.asset_id = o.asset_id
             AND c.target = o.target AND c.restored_at IS NULL)), 0) AS stored
       FROM cold_assets a WHERE a.restored_at IS NULL GROUP BY a.target ORDER BY a.target`,
      {},
      (r) => ({
        target: text(r, "target"),
        assets: int(r, "assets"),
        bytes: intOrNull(r, "bytes") ?? 0,
        storedBytes: int(r, "stored"),
        removedFromDestination: int(r, "removed"),
      }),
    );
  }
}
