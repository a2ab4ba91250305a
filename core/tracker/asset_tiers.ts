/**
 * The three tiers per asset (`status --assets`, serve's `/api/assets`): for each asset imported at
 * a destination, whether it is still in Photos, still at the destination (Immich), and each cold
 * copy with its storage classes, when all its files were last verified, and its restore.
 *
 * Read a page at a time in the order of the primary key (keyset paging), so 100 000 assets are
 * never held at once: `assetTierPages` walks them all, `assetTierPage` serves one page.
 *
 * @example
 * ```ts
 * for (const page of assetTierPages(tracker, { query: parseQuery("kind = video") })) {
 *   for (const a of page) console.log(a.assetId, a.inPhotos, a.atDestination, a.cold.length);
 * }
 * ```
 * @module
 */
import type { ColdRestore } from "./cold_state.ts";
import { compileQuery, type Query } from "./asset_query.ts";
import type { Tracker } from "./mod.ts";
import { int, json, type Row, sqlOf, text } from "./sql.ts";

/** One cold copy of an asset, summed over its files. */
export interface AssetColdTier {
  target: string;
  /** The storage classes of its files, as last seen (usually one). */
  storageClasses: string[];
  /** When the last of its files was verified; null while any file is unverified. */
  verifiedAt: string | null;
  /** The restore of its files: none, requested (the latest expected), or readable (the earliest expiry). */
  restore: ColdRestore;
  removedFromDestinationAt: string | null;
}

export interface AssetTiers {
  source: string;
  assetId: string;
  destination: string;
  filename: string;
  bytes: number;
  inPhotos: boolean;
  atDestination: boolean;
  cold: AssetColdTier[];
}

/** Which assets: optionally of one library and destination, optionally those an `archive --query` matches. */
export interface AssetTierFilter {
  source?: string;
  destination?: string;
  query?: Query;
}

/** Where a page starts: after this asset (exclusive), in primary-key order. */
export type AssetTierCursor = [source: string, assetId: string, destination: string];

interface ColdFileRow {
  target: string;
  removed: string | null;
  class: string;
  verified: string | null;
  state: ColdRestore["state"];
  tier: string | null;
  asked: string | null;
  until: string | null;
}

// A cold copy counts only while its bundle is whole and not brought back (as in `ColdStore.tiers`).
const COLD_FILES = `(SELECT json_group_array(json_object('target', c.target,
    'removed', c.removed_from_destination_at, 'class', o.storage_class, 'verified', o.verified_at,
    'state', o.restore_state, 'tier', o.restore_tier, 'asked', o.restore_requested_at, 'until', o.restore_until))
  FROM cold_assets c JOIN cold_objects o USING (source, asset_id, target)
  WHERE c.source = t.source AND c.asset_id = t.asset_id AND c.destination = t.destination
    AND c.restored_at IS NULL)`;

/** Up to `limit` assets after `after`, in primary-key order. */
export function assetTierPage(
  tracker: Tracker,
  filter: AssetTierFilter,
  after: AssetTierCursor | undefined,
  limit: number,
): AssetTiers[] {
  const params: Record<string, string | number> = {};
  const conditions = ["t.status = 'imported'"];
  if (filter.query) conditions.push(compileQuery(filter.query, params));
  if (filter.source !== undefined) {
    conditions.push("t.source = $source");
    params.source = filter.source;
  }
  if (filter.destination !== undefined) {
    conditions.push("t.destination = $destination");
    params.destination = filter.destination;
  }
  if (after) {
    conditions.push(
      "(t.source, t.asset_id, t.destination) > ($after_source, $after_asset, $after_destination)",
    );
    Object.assign(params, { after_source: after[0], after_asset: after[1], after_destination: after[2] });
  }
  return sqlOf(tracker).all(
    `SELECT t.source, t.asset_id, t.destination, a.filename, COALESCE(t.size, 0) AS bytes,
       (a.gone_at IS NULL AND ar.removed_from_source_at IS NULL) AS in_photos,
       (t.remote_gone_at IS NULL AND NOT EXISTS (SELECT 1 FROM cold_assets c WHERE c.source = t.source
         AND c.asset_id = t.asset_id AND c.destination = t.destination AND c.restored_at IS NULL
         AND c.removed_from_destination_at IS NOT NULL)) AS there,
       ${COLD_FILES} AS cold
     FROM transfers t JOIN assets a ON a.source = t.source AND a.asset_id = t.asset_id
     LEFT JOIN archived ar ON ar.source = t.source AND ar.asset_id = t.asset_id
       AND ar.destination = t.destination AND ar.restored_at IS NULL
     WHERE ${conditions.join(" AND ")}
     ORDER BY t.source, t.asset_id, t.destination LIMIT $limit`,
    { ...params, limit },
    tiersOf,
  );
}

/** Every matching asset, a page of `pageSize` at a time. */
export function* assetTierPages(
  tracker: Tracker,
  filter: AssetTierFilter,
  pageSize = 1000,
): Generator<AssetTiers[]> {
  let after: AssetTierCursor | undefined;
  while (true) {
    const page = assetTierPage(tracker, filter, after, pageSize);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = cursorAfter(page);
  }
}

/** The cursor that continues after the last asset of a page. */
export function cursorAfter(page: AssetTiers[]): AssetTierCursor {
  const last = page[page.length - 1];
  return [last.source, last.assetId, last.destination];
}

function tiersOf(r: Row): AssetTiers {
  return {
    source: text(r, "source"),
    assetId: text(r, "asset_id"),
    destination: text(r, "destination"),
    filename: text(r, "filename"),
    bytes: int(r, "bytes"),
    inPhotos: int(r, "in_photos") === 1,
    atDestination: int(r, "there") === 1,
    cold: coldTiersOf(json<ColdFileRow[]>(r, "cold", [])),
  };
}

/** The files' rows grouped into one entry per cold target. */
function coldTiersOf(files: ColdFileRow[]): AssetColdTier[] {
  const byTarget = new Map<string, ColdFileRow[]>();
  for (const f of files) byTarget.set(f.target, [...byTarget.get(f.target) ?? [], f]);
  return [...byTarget].sort(([a], [b]) => a < b ? -1 : 1).map(([target, rows]) => ({
    target,
    storageClasses: [...new Set(rows.map((f) => f.class))].sort(),
    verifiedAt: rows.some((f) => f.verified === null) ? null : rows.map((f) => f.verified!).sort().at(-1)!,
    restore: restoreOf(rows),
    removedFromDestinationAt: rows[0].removed,
  }));
}

/** Readable only when every file is; requested when any file is asked for; otherwise none. */
function restoreOf(rows: ColdFileRow[]): ColdRestore {
  if (rows.every((f) => f.state === "readable")) {
    return { state: "readable", until: rows.map((f) => f.until!).sort()[0] };
  }
  const asked = rows.filter((f) => f.state === "requested");
  if (asked.length === 0) return { state: "none" };
  const latest = asked.sort((a, b) => (a.until! < b.until! ? -1 : 1)).at(-1)!;
  return { state: "requested", tier: latest.tier!, requestedAt: latest.asked!, expectedBy: latest.until! };
}
