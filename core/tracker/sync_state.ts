/**
 * The two-way sync's state: per asset and destination, the values both sides last agreed on; the
 * conflicts kept for `review --resolve`; the metadata waiting to be written into Photos; and where
 * each side's change feed was read up to.
 *
 * @example
 * ```ts
 * const store = new SyncStore(tracker);
 * store.recordAgreed(ids, "A1", { favorite: true });
 * store.agreed(ids).get("A1"); // { favorite: true }
 * ```
 * @module
 */
import { canonicalJson, type SideFields, type SyncedField } from "../model/synced.ts";
import type { Tracker } from "./mod.ts";
import { int, json, now, type Row, type Sql, sqlOf, text, textOrNull } from "./sql.ts";

export interface SyncIds {
  source: string;
  destination: string;
}

/** A field changed on both sides to different values, as `sync` found it. */
export interface StoredConflict {
  assetId: string;
  field: SyncedField;
  base: unknown;
  photos: unknown;
  remote: unknown;
  foundAt: string;
}

export interface PendingWrite {
  assetId: string;
  fields: Omit<SideFields, "people">;
  queuedAt: string;
}

export class SyncStore {
  readonly #sql: Sql;

  constructor(tracker: Tracker) {
    this.#sql = sqlOf(tracker);
  }

  /** The agreed fields of every asset with any, by asset id. */
  agreed(ids: SyncIds): Map<string, SideFields> {
    return new Map([...this.agreedTexts(ids)].map(([id, t]) => [id, JSON.parse(t) as SideFields]));
  }

  /** The same as stored, one JSON text per asset (see {@link canonicalJson}), in one pass. */
  agreedTexts(ids: SyncIds): Map<string, string> {
    return new Map(
      this.#sql.allArrays<[string, string]>(
        `SELECT asset_id, fields FROM sync_state WHERE source = $source AND destination = $destination`,
        { ...ids },
      ),
    );
  }

  /**
   * One asset's agreed fields as stored (see {@link canonicalJson}): a sync reads them only for the
   * assets whose stamp moved, so a no-op reads none.
   */
  agreedText(ids: SyncIds, assetId: string): string | undefined {
    return this.#sql.get(
      `SELECT fields FROM sync_state WHERE source = $source AND asset_id = $asset_id AND destination = $destination`,
      { ...ids, asset_id: assetId },
      (r) => text(r, "fields"),
    );
  }

  /**
   * Replaces what both sides agree on for one asset, with the stamp of the listing that matched
   * them (null: Photos' side may differ, so the next sync compares the fields again).
   */
  recordAgreed(
    ids: SyncIds,
    assetId: string,
    fields: SideFields,
    stamp: number | null = null,
    at = now(),
  ): void {
    this.#sql.transaction(() => this.#agree(ids, assetId, fields, stamp, at));
  }

  #agree(ids: SyncIds, assetId: string, fields: SideFields, stamp: number | null, at: string): void {
    this.#sql.run(
      `INSERT INTO sync_state (source, asset_id, destination, fields, agreed_at)
       VALUES ($source, $asset_id, $destination, $fields, $at)
       ON CONFLICT (source, asset_id, destination) DO UPDATE SET fields = excluded.fields, agreed_at = excluded.agreed_at`,
      { ...ids, asset_id: assetId, fields: canonicalJson(fields), at },
    );
    this.#stamp(ids, assetId, stamp);
  }

  /**
   * Stamps assets a sync found unchanged in Photos since they were agreed on, in one transaction;
   * with agreed values, those replace the stored ones (a field the destination no longer keeps
   * dropped), stamp and all.
   */
  restamp(
    ids: SyncIds,
    stamps: Iterable<[assetId: string, stamp: number | null, agreed?: SideFields]>,
  ): void {
    this.#sql.transaction(() => {
      const at = now();
      for (const [assetId, stamp, agreed] of stamps) {
        if (agreed) this.#agree(ids, assetId, agreed, stamp, at);
        else this.#stamp(ids, assetId, stamp);
      }
    });
  }

  #stamp(ids: SyncIds, assetId: string, stamp: number | null): void {
    this.#sql.run(
      `UPDATE transfers SET sync_stamp = $stamp
       WHERE source = $source AND asset_id = $asset_id AND destination = $destination`,
      { ...ids, asset_id: assetId, stamp },
    );
  }

  /**
   * What the import sent of a new asset becomes what both sides agree on; an asset that has agreed
   * values keeps them (a put again, for a new edit, must not hide a metadata change not yet synced).
   */
  recordSent(ids: SyncIds, assetId: string, fields: SideFields, at = now()): void {
    this.#sql.run(
      `INSERT INTO sync_state (source, asset_id, destination, fields, agreed_at)
       VALUES ($source, $asset_id, $destination, $fields, $at) ON CONFLICT DO NOTHING`,
      { ...ids, asset_id: assetId, fields: canonicalJson(fields), at },
    );
  }

  /** The open conflicts, oldest first; of one asset when `assetId` is given. */
  conflicts(ids: SyncIds, assetId?: string): StoredConflict[] {
    return this.#sql.all(
      `SELECT asset_id, field, base, photos, remote, found_at FROM sync_conflicts
       WHERE source = $source AND destination = $destination AND ($asset_id IS NULL OR asset_id = $asset_id)
         AND resolution IS NULL
       ORDER BY found_at, asset_id, field`,
      { ...ids, asset_id: assetId ?? null },
      conflictOf,
    );
  }

  /** Makes these the open conflicts of one asset (none: it has none any more). */
  replaceConflicts(
    ids: SyncIds,
    assetId: string,
    conflicts: { field: SyncedField; base: unknown; photos: unknown; remote: unknown }[],
    at = now(),
  ): void {
    this.#sql.transaction(() => {
      const kept = new Map(this.conflicts(ids, assetId).map((c) => [c.field, c.foundAt]));
      this.#sql.run(
        `DELETE FROM sync_conflicts WHERE source = $source AND destination = $destination AND asset_id = $asset_id`,
        { ...ids, asset_id: assetId },
      );
      for (const c of conflicts) {
        this.#sql.run(
          `INSERT INTO sync_conflicts (source, asset_id, destination, field, base, photos, remote, found_at)
           VALUES ($source, $asset_id, $destination, $field, $base, $photos, $remote, $found_at)`,
          {
            ...ids,
            asset_id: assetId,
            field: c.field,
            base: JSON.stringify(c.base ?? null),
            photos: JSON.stringify(c.photos ?? null),
            remote: JSON.stringify(c.remote ?? null),
            // A conflict found again keeps the time it was first found.
            found_at: kept.get(c.field) ?? at,
          },
        );
      }
    });
  }

  /**
   * Settles open conflicts for one side: the agreed value becomes the other side's, so the next
   * sync sees only the chosen side changed and carries its value over. Returns how many.
   */
  resolve(ids: SyncIds, side: "photos" | "immich", only: { assetId?: string; field?: string } = {}): number {
    return this.#sql.transaction(() => {
      const chosen = this.conflicts(ids, only.assetId).filter((c) => !only.field || c.field === only.field);
      for (const c of chosen) {
        const agreed = this.#sql.get(
          `SELECT fields FROM sync_state WHERE source = $source AND destination = $destination AND asset_id = $asset_id`,
          { ...ids, asset_id: c.assetId },
          (r) => json<SideFields>(r, "fields", {}),
        ) ?? {};
        const fields = { ...agreed, [c.field]: side === "photos" ? c.remote : c.photos };
        this.#agree(ids, c.assetId, fields as SideFields, null, now());
        this.#sql.run(
          `UPDATE sync_conflicts SET resolution = $side
           WHERE source = $source AND destination = $destination AND asset_id = $asset_id AND field = $field`,
          { ...ids, side, asset_id: c.assetId, field: c.field },
        );
      }
      return chosen.length;
    });
  }

  /** Assets with a conflict settled by `review --resolve` that no sync has applied yet. */
  /**
   * How many assets the tracker holds for this source and destination, and how many of them are
   * imported, present there and without a sync stamp (those a listing compares whatever Photos'
   * history says: left in conflict, or imported since the last listing).
   */
  transferCounts(ids: SyncIds): { tracked: number; unstamped: number } {
    return this.#sql.get(
      `SELECT count(*) AS n,
              ifnull(sum(status = 'imported' AND remote_gone_at IS NULL AND sync_stamp IS NULL), 0) AS u
       FROM transfers WHERE source = $source AND destination = $destination`,
      { ...ids },
      (r) => ({ tracked: int(r, "n"), unstamped: int(r, "u") }),
    ) ?? { tracked: 0, unstamped: 0 };
  }

  resolvedAssets(ids: SyncIds): Set<string> {
    const rows = this.#sql.all(
      `SELECT DISTINCT asset_id FROM sync_conflicts
       WHERE source = $source AND destination = $destination AND resolution IS NOT NULL`,
      { ...ids },
      (r) => text(r, "asset_id"),
    );
    return new Set(rows);
  }

  /** The open conflict count per destination, for `status`. */
  conflictCount(destination: string): number {
    return this.#sql.get(
      `SELECT COUNT(*) AS n FROM sync_conflicts WHERE destination = $destination AND resolution IS NULL`,
      { destination },
      (r) => Number(r.n),
    ) ?? 0;
  }

  /** Metadata waiting to be written into the library by a source that can write. */
  pendingWrites(source: string): PendingWrite[] {
    return this.#sql.all(
      `SELECT asset_id, fields, queued_at FROM pending_writes WHERE source = $source ORDER BY queued_at, asset_id`,
      { source },
      (r) => ({
        assetId: text(r, "asset_id"),
        fields: json(r, "fields", {}),
        queuedAt: text(r, "queued_at"),
      }),
    );
  }

  /** Adds fields to what waits for one asset; a later value of a field replaces the earlier one. */
  queueWrite(source: string, assetId: string, fields: Omit<SideFields, "people">, at = now()): void {
    this.#sql.transaction(() => {
      const waiting = this.#sql.get(
        `SELECT fields FROM pending_writes WHERE source = $source AND asset_id = $asset_id`,
        { source, asset_id: assetId },
        (r) => ({ fields: json<Record<string, unknown>>(r, "fields", {}) }),
      );
      this.#sql.run(
        `INSERT INTO pending_writes (source, asset_id, fields, queued_at) VALUES ($source, $asset_id, $fields, $at)
         ON CONFLICT (source, asset_id) DO UPDATE SET fields = excluded.fields`,
        { source, asset_id: assetId, fields: JSON.stringify({ ...waiting?.fields, ...fields }), at },
      );
    });
  }

  clearWrite(source: string, assetId: string): void {
    this.#sql.run(`DELETE FROM pending_writes WHERE source = $source AND asset_id = $asset_id`, {
      source,
      asset_id: assetId,
    });
  }

  /** The asset each of these remote ids belongs to (any member of its group), by remote id. */
  assetsOf(ids: SyncIds, remoteIds: readonly string[]): Map<string, string> {
    const found = new Map<string, string>();
    for (let i = 0; i < remoteIds.length; i += 500) {
      const rows = this.#sql.all(
        `SELECT remote_id, asset_id FROM resources
         WHERE source = $source AND destination = $destination
           AND remote_id IN (SELECT value FROM json_each($remote_ids))`,
        { ...ids, remote_ids: JSON.stringify(remoteIds.slice(i, i + 500)) },
        (r) => [text(r, "remote_id"), text(r, "asset_id")] as const,
      );
      for (const [remoteId, assetId] of rows) found.set(remoteId, assetId);
    }
    return found;
  }

  /** The remote id of every file that reached the destination from this source (for `pull`: what came from here). */
  remoteIdsAt(ids: SyncIds): Set<string> {
    return new Set(
      this.#sql.all(
        `SELECT remote_id FROM resources WHERE source = $source AND destination = $destination`,
        { ...ids },
        (r) => text(r, "remote_id"),
      ),
    );
  }

  /** Every file of one asset that reached the destination: its key, checksum, size and remote id. */
  resources(ids: SyncIds, assetId: string): { key: string; sha1: string; size: number; remoteId: string }[] {
    return this.#sql.all(
      `SELECT key, sha1, size, remote_id FROM resources
       WHERE source = $source AND destination = $destination AND asset_id = $asset_id ORDER BY key`,
      { ...ids, asset_id: assetId },
      (r) => ({
        key: text(r, "key"),
        sha1: text(r, "sha1"),
        size: int(r, "size"),
        remoteId: text(r, "remote_id"),
      }),
    );
  }

  /**
   * The asset as it was synced: its modification date, so the next run does not count it changed
   * again, and present at the destination again if it had been taken for deleted there.
   */
  noteSynced(ids: SyncIds, asset: { id: string; modified?: string }): void {
    this.#sql.run(
      `UPDATE transfers SET source_modified_at = COALESCE($modified, source_modified_at), remote_gone_at = NULL
       WHERE source = $source AND destination = $destination AND asset_id = $asset_id`,
      { ...ids, asset_id: asset.id, modified: asset.modified ?? null },
    );
  }

  /** Each album's title and folders as last given to the destination, by album id. */
  /** The albums last given to the destination: their label and the library they were seen in. */
  albumLabels(destination: string): Map<string, { label: string; source: string | undefined }> {
    const rows = this.#sql.all(
      `SELECT album_id, label, source FROM sync_albums WHERE destination = $destination`,
      { destination },
      (r) =>
        [text(r, "album_id"), {
          label: text(r, "label"),
          source: textOrNull(r, "source") ?? undefined,
        }] as const,
    );
    return new Map(rows);
  }

  recordAlbumLabel(ids: { source: string; destination: string }, albumId: string, label: string): void {
    this.#sql.run(
      `INSERT INTO sync_albums (destination, album_id, label, source)
       VALUES ($destination, $album_id, $label, $source)
       ON CONFLICT (destination, album_id) DO UPDATE SET label = excluded.label, source = excluded.source`,
      { destination: ids.destination, album_id: albumId, label, source: ids.source },
    );
  }

  /** Forgets albums deleted at the destination. */
  forgetAlbums(destination: string, albumIds: string[]): void {
    for (const albumId of albumIds) {
      this.#sql.run(
        `DELETE FROM sync_albums WHERE destination = $destination AND album_id = $album_id`,
        { destination, album_id: albumId },
      );
    }
  }

  checkpoint(destination: string, side: string): string | undefined {
    return this.#sql.get(
      `SELECT checkpoint FROM sync_checkpoints WHERE destination = $destination AND side = $side`,
      { destination, side },
      (r) => text(r, "checkpoint"),
    );
  }

  saveCheckpoint(destination: string, side: string, checkpoint: string, at = now()): void {
    this.#sql.run(
      `INSERT INTO sync_checkpoints (destination, side, checkpoint, saved_at) VALUES ($destination, $side, $checkpoint, $at)
       ON CONFLICT (destination, side) DO UPDATE SET checkpoint = excluded.checkpoint, saved_at = excluded.saved_at`,
      { destination, side, checkpoint, at },
    );
  }
}

function conflictOf(row: Row): StoredConflict {
  return {
    assetId: text(row, "asset_id"),
    field: text(row, "field") as SyncedField,
    base: json(row, "base", null),
    photos: json(row, "photos", null),
    remote: json(row, "remote", null),
    foundAt: text(row, "found_at"),
  };
}
