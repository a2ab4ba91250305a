/**
 * `archive`: marks assets as archived once the destination verifiably holds them whole, and only
 * then, on request, takes them out of Photos. For each selected asset its plan is made again and
 * every planned file must have reached the destination and be held there now with the SHA-1 it was
 * sent with (read from the destination itself), the Live Photo's video linked and the stack in place.
 * An asset is removed from Photos only after its verification in the same run, within a share of
 * the library, and from then on `sync` and `cleanup` never count it as gone.
 *
 * @example
 * ```ts
 * const summary = await archiveAssets({ ...options, select: { album: "2019" }, removeFromSource: false });
 * ```
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { PlanPolicy } from "../model/policy.ts";
import { ConfigError } from "../plugin/errors.ts";
import type { AssetDestinationSession, SourceSession } from "../plugin/types.ts";
import { ArchiveStore } from "../tracker/archive_state.ts";
import { ColdStore } from "../tracker/cold_state.ts";
import type { Tracker } from "../tracker/mod.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { assetsMatching, type Query } from "./archive_query.ts";
import { hashFile } from "./hash.ts";
import { planAsset } from "./import_plan.ts";
import type { HandlerEntry } from "./import_types.ts";
import { sidecarKeys, type SidecarStore } from "./sidecar_store.ts";

/** Which assets to archive; an asset must match every criterion given. */
export interface ArchiveSelection {
  ids?: ReadonlySet<string>;
  /** An album title (case-insensitive). */
  album?: string;
  /** Captured before this ISO instant. */
  before?: string;
  /** Larger than this many bytes (its files together, as the destination holds them). */
  largerThan?: number;
  /** Matching this `--query` over the tracker's facts (see archive_query.ts). */
  query?: Query;
}

export interface ArchiveOptions {
  sourceId: string;
  source: SourceSession;
  destinationId: string;
  destination: AssetDestinationSession;
  tracker: Tracker;
  handlers: HandlerEntry[];
  policy?: Partial<PlanPolicy>;
  /** Where the sidecars (adjustment data, ...) are kept, which Immich cannot hold: verified there. */
  sidecars?: SidecarStore;
  select: ArchiveSelection;
  dryRun: boolean;
  /** Move the verified assets to Photos' Recently Deleted. */
  removeFromSource: boolean;
  /** Refuse the removal above this share of the library (default 0.05). */
  maxShare?: number;
  /** Asked before the removal, with what would go; false keeps everything. */
  confirm?: (assets: { assetId: string; filename: string; bytes: number }[]) => Promise<boolean>;
  signal?: AbortSignal;
  onEvent?: (event: ArchiveEvent) => void;
}

export type ArchiveEvent =
  | { type: "archived"; assetId: string; filename: string; bytes: number; again: boolean }
  | { type: "refused"; assetId: string; filename: string; reason: string }
  | { type: "removed"; assetIds: string[] };

export interface ArchiveSummary {
  selected: number;
  /** Verified and marked archived (or, in a dry run, would be). */
  archived: number;
  bytes: number;
  refused: { assetId: string; filename: string; reason: string }[];
  /** Moved to Photos' Recently Deleted. */
  removed: number;
  /** Why nothing was removed from Photos, when removal was asked for. */
  removalRefused?: string;
}

export async function archiveAssets(options: ArchiveOptions): Promise<ArchiveSummary> {
  if (!options.destination.verify) {
    throw new ConfigError(
      `the destination cannot say what it holds of each file, so nothing can be verified for archiving; ` +
        `archive to Immich or a folder, which can`,
    );
  }
  const ids = { source: options.sourceId, destination: options.destinationId };
  const summary: ArchiveSummary = { selected: 0, archived: 0, bytes: 0, refused: [], removed: 0 };
  const verified: { asset: Asset; bytes: number }[] = [];
  const states = options.tracker.transfers(ids.source, ids.destination);
  const sent = new SyncStore(options.tracker);
  const store = new ArchiveStore(options.tracker);
  const archivedBefore = store.archived(ids);
  const matching = options.select.query
    ? assetsMatching(options.tracker, ids, options.select.query)
    : undefined;
  const cold = new ColdStore(options.tracker);
  const keptCold = cold.keptColdInDestination(ids);
  const inPhotos = new Set<string>();
  for await (const asset of options.source.list()) {
    options.signal?.throwIfAborted();
    if (!asset.trashed) inPhotos.add(asset.id);
    const state = states.get(asset.id);
    if (asset.trashed || state?.status !== "imported" || state.remoteGone) continue;
    // The files are looked up only for assets the cheap criteria kept: not a query per listed asset.
    if (matching && !matching.has(asset.id)) continue;
    if (!selected(asset, undefined, options.select)) continue;
    const files = sent.resources(ids, asset.id);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    if (!selected(asset, bytes, options.select)) continue;
    if (keptCold.has(asset.id) && await trashedForCold(options, files)) {
      // A run killed after Immich trashed it for its verified cold copy, before it noted so.
      const targets = keptCold.get(asset.id)!;
      if (!options.dryRun) {
        for (const target of targets) {
          cold.markRemovedFromDestination({ source: ids.source, target }, [asset.id]);
        }
      }
      continue;
    }
    summary.selected++;
    const outcome = await verifyAsset(options, asset, files);
    if (typeof outcome === "string") {
      summary.refused.push({ assetId: asset.id, filename: asset.filename, reason: outcome });
      options.onEvent?.({ type: "refused", assetId: asset.id, filename: asset.filename, reason: outcome });
      continue;
    }
    verified.push({ asset, bytes });
    summary.archived++;
    summary.bytes += bytes;
    const again = archivedBefore.has(asset.id);
    if (!options.dryRun) store.recordArchived(ids, asset.id, { verified: outcome, bytes });
    options.onEvent?.({ type: "archived", assetId: asset.id, filename: asset.filename, bytes, again });
  }
  // A run killed after Photos took them and before it noted so: archived, and gone from Photos.
  const left = [...archivedBefore.values()].filter((a) =>
    a.removedFromSourceAt === null && !inPhotos.has(a.assetId)
  );
  if (!options.dryRun && left.length > 0) store.markRemovedFromSource(ids, left.map((a) => a.assetId));
  if (options.removeFromSource) await removeVerified(options, ids, summary, verified, inPhotos.size);
  return summary;
}

/** Whether every file of the asset is in the destination's trash (as `archive --cold --remove-from-immich` leaves it). */
async function trashedForCold(options: ArchiveOptions, files: { remoteId: string }[]): Promise<boolean> {
  if (files.length === 0) return false;
  const held = await options.destination.verify!(files.map((f) => f.remoteId));
  return files.every((f) => held[f.remoteId]?.trashed === true);
}

/** Whether the asset matches; the size is judged only once it is known (`bytes` given). */
function selected(asset: Asset, bytes: number | undefined, select: ArchiveSelection): boolean {
  if (select.ids && !select.ids.has(asset.id)) return false;
  if (select.album) {
    const wanted = select.album.toLowerCase();
    if (!asset.albums.some((a) => a.title.toLowerCase() === wanted)) return false;
  }
  if (select.before && !(asset.captured && Date.parse(asset.captured.utc) < Date.parse(select.before))) {
    return false;
  }
  if (select.largerThan !== undefined && bytes !== undefined && !(bytes > select.largerThan)) return false;
  return true;
}

/** The verified checksums by resource key, or why the destination does not hold the asset whole. */
async function verifyAsset(
  options: ArchiveOptions,
  asset: Asset,
  files: { key: string; sha1: string; remoteId: string }[],
): Promise<Record<string, string> | string> {
  const plan = planAsset(asset, options.handlers, { policy: options.policy });
  const sent = new Map(files.map((f) => [f.key, f]));
  const missing = plan.resources.filter((r) => !sent.has(r.key)).map((r) => r.key);
  if (missing.length > 0) {
    return `its ${
      missing.join(", ")
    } never reached the destination (run photos-sync reclassify --repair, then archive again)`;
  }
  const checksums: Record<string, string> = {};
  const kept = new Set(options.sidecars ? sidecarKeys(plan) : []);
  for (const key of kept) {
    const why = await keptWhole(options, asset.id, key, sent.get(key)!.sha1);
    if (why) return why;
    checksums[key] = sent.get(key)!.sha1;
  }
  const atDestination = [...sent.values()].filter((f) => !kept.has(f.key));
  const held = await options.destination.verify!(atDestination.map((f) => f.remoteId));
  for (const { key } of plan.resources) {
    if (kept.has(key)) continue;
    const file = sent.get(key)!;
    const there = held[file.remoteId];
    if (!there) return `its ${key} is no longer at the destination`;
    if (there.trashed) return `its ${key} is in the destination's trash`;
    if (there.sha1 !== file.sha1) {
      return `its ${key} differs at the destination (SHA-1 ${there.sha1}, sent as ${file.sha1})`;
    }
    checksums[key] = there.sha1;
  }
  for (const rel of plan.relations) {
    const [from, to] = [sent.get(rel.from)!, sent.get(rel.to)!];
    if (
      rel.type === "motion_of" && held[to.remoteId]?.motionId !== undefined &&
      held[to.remoteId]?.motionId !== from.remoteId
    ) {
      return `its Live Photo video is not linked to the still at the destination`;
    }
    const stack = held[to.remoteId]?.stack;
    if (rel.type === "stack" && stack !== undefined && !stack?.includes(from.remoteId)) {
      return `its ${rel.from} is not stacked with its ${rel.to} at the destination`;
    }
  }
  return checksums;
}

/** Why the sidecar store does not hold the asset's `key` with this SHA-1, or undefined when it does. */
async function keptWhole(options: ArchiveOptions, assetId: string, key: string, sha1: string) {
  const recorded = options.tracker.sidecars(options.sourceId, assetId).some((s) =>
    s.key === key && s.sha1 === sha1
  );
  if (!recorded) {
    return `its ${key} was never kept in the sidecar store (run photos-sync reclassify --repair)`;
  }
  const path = options.sidecars!.pathOf(sha1);
  const there = await hashFile(path).catch(() => undefined);
  if (!there) return `its ${key} is missing from the sidecar store (${path})`;
  if (there.sha1 !== sha1) {
    return `its ${key} differs in the sidecar store (SHA-1 ${there.sha1}, kept as ${sha1})`;
  }
  return undefined;
}

/** Moves the assets verified in this run to Recently Deleted, within the share and once confirmed. */
async function removeVerified(
  options: ArchiveOptions,
  ids: { source: string; destination: string },
  summary: ArchiveSummary,
  verified: { asset: Asset; bytes: number }[],
  listed: number,
): Promise<void> {
  if (verified.length === 0) return;
  if (!options.source.delete) {
    summary.removalRefused = "the source cannot delete assets (PhotoKit on the Mac can); nothing was removed";
    return;
  }
  const share = options.maxShare ?? 0.05;
  if (verified.length > share * listed) {
    summary.removalRefused =
      `${verified.length} of ${listed} assets would leave Photos, more than the allowed ` +
      `${Math.round(share * 100)}%; nothing was removed. If this is right, run again with --max-share ` +
      `${Math.ceil((verified.length / listed) * 100) / 100}`;
    return;
  }
  const list = verified.map(({ asset, bytes }) => ({ assetId: asset.id, filename: asset.filename, bytes }));
  if (options.dryRun || !(await (options.confirm?.(list) ?? Promise.resolve(false)))) {
    if (!options.dryRun) summary.removalRefused = "not confirmed; nothing was removed";
    return;
  }
  const { deleted } = await options.source.delete(list.map((a) => a.assetId));
  new ArchiveStore(options.tracker).markRemovedFromSource(ids, deleted);
  summary.removed = deleted.length;
  options.onEvent?.({ type: "removed", assetIds: deleted });
}
