/**
 * Recording what a run did with assets: a confirmed put, a failed or skipped attempt, pushed
 * metadata, assets gone from the source or from the destination. Writes for one asset happen in
 * one transaction, only after the destination confirmed; updates name the columns they change.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { ExportedGroup } from "../model/plan.ts";
import type { ErrorKind } from "../plugin/errors.ts";
import type { RemoteRef } from "../plugin/types.ts";
import { noteAsset } from "./assets.ts";
import { incompleteAt } from "./classification.ts";
import { now, type Sql } from "./sql.ts";
import type { Ids, TransferStatus } from "./transfers.ts";

/** The transfer of a confirmed put (every column it sets; see {@link recordImported}). */
function upsertImported(
  sql: Sql,
  ids: Ids,
  put: { group: ExportedGroup; remote: RemoteRef[]; at: string },
): void {
  const { group, remote, at } = put;
  const { asset, plan, files } = group;
  sql.run(
    `INSERT INTO transfers (source, asset_id, destination, status, attempts, last_attempt_at, imported_at,
                            source_modified_at, size, handlers, tags, incomplete, synced_favorite, synced_hidden,
                            synced_captured_at, primary_key, stack_group, stack_primary, stack_pending)
     VALUES ($source, $asset_id, $destination, 'imported', 1, $at, $at, $source_modified_at, $size, $handlers,
             $tags, $incomplete, $synced_favorite, $synced_hidden, $synced_captured_at, $primary_key,
             $stack_group, $stack_primary, $stack_pending)
     ON CONFLICT (source, asset_id, destination) DO UPDATE SET
       status = 'imported', attempts = attempts + 1, error_class = NULL, error_message = NULL,
       next_attempt_at = NULL, last_attempt_at = excluded.last_attempt_at, imported_at = excluded.imported_at,
       source_modified_at = excluded.source_modified_at, size = excluded.size, handlers = excluded.handlers,
       tags = excluded.tags, incomplete = excluded.incomplete, synced_favorite = excluded.synced_favorite,
       synced_hidden = excluded.synced_hidden, synced_captured_at = excluded.synced_captured_at,
       primary_key = excluded.primary_key, remote_gone_at = NULL, stack_group = excluded.stack_group,
       stack_primary = excluded.stack_primary, stack_pending = excluded.stack_pending`,
    {
      source: ids.source,
      asset_id: asset.id,
      destination: ids.destination,
      at,
      source_modified_at: asset.modified ?? null,
      size: files.reduce((n, f) => n + f.size, 0),
      handlers: JSON.stringify(plan.handlers),
      tags: JSON.stringify(plan.tags),
      incomplete: JSON.stringify(incompleteAt(plan, remote.map((r) => r.key))),
      synced_favorite: asset.favorite ? 1 : 0,
      synced_hidden: asset.hidden ? 1 : 0,
      synced_captured_at: asset.captured?.utc ?? null,
      primary_key: plan.primary,
      stack_group: plan.stackGroup?.id ?? null,
      stack_primary: plan.stackGroup ? (plan.stackGroup.primary ? 1 : 0) : null,
      stack_pending: plan.stackGroup ? 1 : null,
    },
  );
}

/** One row per file the destination confirmed, and the asset's albums there. */
function upsertResources(
  sql: Sql,
  ids: Ids,
  put: { group: ExportedGroup; remote: RemoteRef[]; at: string },
): void {
  const { group, remote, at } = put;
  const { asset, plan, files } = group;
  for (const ref of remote) {
    const file = files.find((f) => f.key === ref.key);
    const planned = plan.resources.find((r) => r.key === ref.key);
    if (!file || !planned) throw new Error(`destination returned an unknown resource key ${ref.key}`);
    sql.run(
      `INSERT INTO resources (source, asset_id, destination, key, role, name, sha1, size, remote_id, duplicate,
                              recorded_at)
       VALUES ($source, $asset_id, $destination, $key, $role, $name, $sha1, $size, $remote_id, $duplicate, $at)
       ON CONFLICT (source, asset_id, destination, key) DO UPDATE SET
         role = excluded.role, name = excluded.name, sha1 = excluded.sha1, size = excluded.size,
         remote_id = excluded.remote_id, duplicate = excluded.duplicate, recorded_at = excluded.recorded_at`,
      {
        source: ids.source,
        asset_id: asset.id,
        destination: ids.destination,
        key: ref.key,
        role: planned.role,
        name: file.name,
        sha1: file.sha1,
        size: file.size,
        remote_id: ref.remoteId,
        duplicate: ref.duplicate ? 1 : 0,
        at,
      },
    );
  }
  for (const album of asset.albums) {
    sql.run(
      `INSERT INTO album_members (destination, album_id, album_title, album_folders, source, asset_id)
       VALUES ($destination, $album_id, $album_title, $album_folders, $source, $asset_id) ON CONFLICT DO UPDATE SET
         album_title = excluded.album_title, album_folders = excluded.album_folders`,
      {
        destination: ids.destination,
        album_id: album.id,
        album_title: album.title,
        album_folders: JSON.stringify(album.folders),
        source: ids.source,
        asset_id: asset.id,
      },
    );
  }
}

/**
 * Records a confirmed put: the asset's facts, its transfer, every remote resource and its albums,
 * in one transaction.
 */
export function recordImported(
  sql: Sql,
  ids: Ids & { libraryId?: string },
  group: ExportedGroup,
  remote: RemoteRef[],
): void {
  const at = now();
  sql.transaction(() => {
    noteAsset(sql, ids, group.asset, at);
    upsertImported(sql, ids, { group, remote, at });
    upsertResources(sql, ids, { group, remote, at });
  });
}

/**
 * Records a failed attempt. Keeps everything already known (remote ids of an earlier import,
 * album membership); only the attempt bookkeeping changes. An asset already imported stays
 * imported: a failed re-check must not hide that it is safe at the destination.
 */
export function recordFailure(
  sql: Sql,
  ids: Ids & { libraryId?: string },
  asset: Asset,
  failure: { kind: ErrorKind; message: string; nextAttemptAt: string | null; skipped?: boolean },
): void {
  const status: TransferStatus = failure.skipped ? "skipped" : "failed";
  const at = now();
  sql.transaction(() => {
    noteAsset(sql, ids, asset, at);
    sql.run(
      `INSERT INTO transfers (source, asset_id, destination, status, attempts, error_class, error_message,
                              last_attempt_at, next_attempt_at)
       VALUES ($source, $asset_id, $destination, $status, 1, $error_class, $error_message, $at, $next_attempt_at)
       ON CONFLICT (source, asset_id, destination) DO UPDATE SET
         status = CASE WHEN status = 'imported' THEN 'imported' ELSE excluded.status END,
         attempts = attempts + 1, error_class = excluded.error_class, error_message = excluded.error_message,
         last_attempt_at = excluded.last_attempt_at, next_attempt_at = excluded.next_attempt_at`,
      {
        source: ids.source,
        asset_id: asset.id,
        destination: ids.destination,
        status,
        error_class: failure.kind,
        error_message: failure.message,
        at,
        next_attempt_at: failure.nextAttemptAt,
      },
    );
  });
}

/**
 * Records that the run's policy leaves an asset out (e.g. an unpicked burst frame): status
 * `skipped`, class `policy`, the reason as the message. Attempts are not counted; the diff looks
 * at such an asset again on every run, so a changed policy imports it.
 */
export function recordSkipped(
  sql: Sql,
  ids: Ids & { libraryId?: string },
  asset: Asset,
  reason: string,
): void {
  const at = now();
  sql.transaction(() => {
    noteAsset(sql, ids, asset, at);
    sql.run(
      `INSERT INTO transfers (source, asset_id, destination, status, attempts, error_class, error_message,
                              last_attempt_at)
       VALUES ($source, $asset_id, $destination, 'skipped', 0, 'policy', $reason, $at)
       ON CONFLICT (source, asset_id, destination) DO UPDATE SET
         status = CASE WHEN status = 'imported' THEN 'imported' ELSE 'skipped' END,
         error_class = CASE WHEN status = 'imported' THEN error_class ELSE 'policy' END,
         error_message = CASE WHEN status = 'imported' THEN error_message ELSE excluded.error_message END,
         last_attempt_at = excluded.last_attempt_at, next_attempt_at = NULL`,
      { source: ids.source, asset_id: asset.id, destination: ids.destination, reason, at },
    );
  });
}

/** Records metadata that sync pushed; only the columns of the fields given change. */
export function recordSynced(
  sql: Sql,
  ids: Ids & { libraryId?: string },
  asset: Asset,
  pushed: { favorite?: boolean; hidden?: boolean; capturedAt?: string | null },
): void {
  sql.transaction(() => {
    noteAsset(sql, ids, asset, now());
    sql.run(
      `UPDATE transfers SET
         synced_favorite = CASE WHEN $set_favorite THEN $favorite ELSE synced_favorite END,
         synced_hidden = CASE WHEN $set_hidden THEN $hidden ELSE synced_hidden END,
         synced_captured_at = CASE WHEN $set_captured_at THEN $captured_at ELSE synced_captured_at END
       WHERE source = $source AND asset_id = $asset_id AND destination = $destination`,
      {
        set_favorite: pushed.favorite !== undefined ? 1 : 0,
        favorite: pushed.favorite ? 1 : 0,
        set_hidden: pushed.hidden !== undefined ? 1 : 0,
        hidden: pushed.hidden ? 1 : 0,
        set_captured_at: pushed.capturedAt !== undefined ? 1 : 0,
        captured_at: pushed.capturedAt ?? null,
        source: ids.source,
        asset_id: asset.id,
        destination: ids.destination,
      },
    );
  });
}

/** Marks assets as gone from the source (kept at every destination). */
export function markGone(sql: Sql, source: string, assetIds: string[]): void {
  const at = now();
  sql.transaction(() => {
    for (const id of assetIds) {
      sql.run(
        `UPDATE assets SET gone_at = $at WHERE source = $source AND asset_id = $asset_id AND gone_at IS NULL`,
        { at, source, asset_id: id },
      );
    }
  });
}

/** Marks assets as no longer at the destination (deleted there), so they are not sent again. */
export function markRemoteGone(sql: Sql, ids: Ids, assetIds: string[]): void {
  const at = now();
  sql.transaction(() => {
    for (const id of assetIds) {
      sql.run(
        `UPDATE transfers SET remote_gone_at = $at
         WHERE source = $source AND asset_id = $asset_id AND destination = $destination AND remote_gone_at IS NULL`,
        { at, source: ids.source, asset_id: id, destination: ids.destination },
      );
    }
  });
}

/**
 * Forgets everything recorded about one destination (transfers, files, album members, the
 * destination's `held:<key>` note and the sync's checkpoints there), so the next import sends every
 * asset again and the next sync starts its change feeds anew. The assets
 * themselves and other destinations are untouched. Returns how many transfers were dropped.
 */
export function forgetDestination(sql: Sql, destination: string): number {
  return sql.transaction(() => {
    const { changes } = sql.run(`DELETE FROM transfers WHERE destination = $destination`, { destination });
    sql.run(`DELETE FROM resources WHERE destination = $destination`, { destination });
    sql.run(`DELETE FROM album_members WHERE destination = $destination`, { destination });
    sql.run(`DELETE FROM plugin_state WHERE key = $key`, { key: `held:${destination}` });
    sql.run(`DELETE FROM sync_checkpoints WHERE destination = $destination`, { destination });
    return changes;
  });
}
