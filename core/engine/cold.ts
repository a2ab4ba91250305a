/**
 * `archive --cold`: each archived asset's whole bundle (see `cold_bundle.ts`) goes to a cold
 * target (a destination with capability `cold`: Glacier, B2) through its asset role, is verified
 * there, and is recorded per file in the {@link ColdStore}. Then, on request, the assets whose cold
 * copy was verified in this run may leave Immich, within a share and once confirmed: never the last
 * verified copy.
 *
 * A file is recorded as soon as it was stored, so a run that dies does not store it again (and the
 * target's names follow the content, so a put that died unrecorded is a no-op the second time).
 *
 * @example
 * ```ts
 * const summary = await archiveCold({ ...options, wanted, removeFromImmich: true, confirm });
 * ```
 * @module
 */
import { join } from "node:path";
import { ConfigError, messageOf } from "../plugin/errors.ts";
import type { AssetDestinationSession, ColdObject, SourceSession } from "../plugin/types.ts";
import type { PlanPolicy } from "../model/policy.ts";
import { type ColdIds, ColdStore } from "../tracker/cold_state.ts";
import type { Tracker } from "../tracker/mod.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { type Bundle, collectBundles, type WantedAsset } from "./cold_bundle.ts";
import { hashFile } from "./hash.ts";
import type { HandlerEntry } from "./import_types.ts";

export interface ColdArchiveOptions {
  /** The Photos library's and Immich's keys in the tracker (where the assets were archived). */
  photos: { source: string; destination: string };
  wanted: WantedAsset[];
  targetId: string;
  target: AssetDestinationSession;
  /** Where the bytes come from: the Photos library while the asset is there, else Immich. */
  sources: { photos?: SourceSession; immich?: SourceSession };
  /** Immich, which the assets may leave (`remove`). */
  immich: AssetDestinationSession;
  tracker: Tracker;
  handlers: HandlerEntry[];
  policy?: Partial<PlanPolicy>;
  tempRoot: string;
  dryRun: boolean;
  removeFromImmich: boolean;
  /** Refuse the removal above this share of what this library has in Immich (default 0.05). */
  maxShare?: number;
  confirm?: (assets: { assetId: string; filename: string; bytes: number }[]) => Promise<boolean>;
  signal?: AbortSignal;
  onEvent?: (event: ColdEvent) => void;
}

export type ColdEvent =
  | { type: "cold"; assetId: string; filename: string; files: number; bytes: number; stored: number }
  | { type: "cold-refused"; assetId: string; filename: string; reason: string }
  | { type: "removed-from-immich"; assetIds: string[] };

interface Refusal {
  assetId: string;
  filename: string;
  reason: string;
}

export interface ColdSummary {
  selected: number;
  /** Bundles verified at the cold target (or, in a dry run, that would be stored). */
  cold: number;
  bytes: number;
  /** Files stored in this run (0 for a bundle already there). */
  uploaded: number;
  refused: Refusal[];
  removedFromImmich: number;
  removalRefused?: string;
}

export async function archiveCold(options: ColdArchiveOptions): Promise<ColdSummary> {
  const { target } = options;
  if (!target.coldState || !target.fetchCold) {
    throw new ConfigError(
      "the cold target keeps no cold copies it can describe; use --cold glacier or --cold b2",
    );
  }
  const summary: ColdSummary = {
    selected: options.wanted.length,
    cold: 0,
    bytes: 0,
    uploaded: 0,
    refused: [],
    removedFromImmich: 0,
  };
  const verified: { assetId: string; filename: string; bytes: number }[] = [];
  const dir = await Deno.makeTempDir({ dir: options.tempRoot, prefix: "cold-" });
  try {
    const { wanted, handlers, policy, signal } = options;
    const from = { ...options.sources, wanted, handlers, policy, signal, dir };
    await collectBundles(from, async (found) => {
      const outcome = "reason" in found ? found : await storeBundle(options, found);
      if ("reason" in outcome) {
        const { assetId, filename, reason } = outcome;
        summary.refused.push({ assetId, filename, reason });
        options.onEvent?.({ type: "cold-refused", assetId, filename, reason });
        return;
      }
      const { asset, files } = found as Bundle;
      const bytes = files.reduce((n, f) => n + f.size, 0);
      summary.cold++;
      summary.bytes += bytes;
      summary.uploaded += outcome.stored;
      verified.push({ assetId: asset.id, filename: asset.filename, bytes });
      options.onEvent?.({
        type: "cold",
        assetId: asset.id,
        filename: asset.filename,
        files: files.length,
        bytes,
        stored: outcome.stored,
      });
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  if (options.removeFromImmich) await removeFromImmich(options, summary, verified);
  return summary;
}

/** Stores what the target lacks of the bundle, then verifies all of it; why not, as text. */
async function storeBundle(
  options: ColdArchiveOptions,
  bundle: Bundle,
): Promise<{ stored: number } | Refusal> {
  const refuse = (reason: string) => ({ assetId: bundle.asset.id, filename: bundle.asset.filename, reason });
  const ids: ColdIds = { source: options.photos.source, target: options.targetId };
  const cold = new ColdStore(options.tracker);
  const recorded = cold.files(ids, bundle.asset.id);
  const pending = bundle.files.filter((f) => recorded.get(f.key)?.sha1 !== f.sha1);
  if (options.dryRun) return { stored: pending.length };
  if (pending.length > 0) {
    const { resources } = await options.target.put({
      asset: bundle.asset,
      plan: bundle.plan,
      files: pending,
    });
    const states = await options.target.coldState!(resources.map((r) => r.remoteId));
    for (const ref of resources) {
      const file = pending.find((f) => f.key === ref.key)!;
      const state = states[ref.remoteId];
      if (!state) return refuse(`its ${ref.key} is not at the cold target right after it was stored`);
      cold.recordFile(ids, bundle.asset.id, {
        ...factsOf(state),
        key: ref.key,
        remoteId: ref.remoteId,
        sha1: file.sha1,
      });
    }
  }
  const files = cold.files(ids, bundle.asset.id);
  const problem = await verifyCold(options, bundle, files);
  if (problem) return refuse(problem);
  cold.recordVerified(
    ids,
    bundle.asset.id,
    [...files.values()].map((f) => ({ key: f.key, storageClass: f.storageClass })),
  );
  const bytes = bundle.files.reduce((n, f) => n + f.size, 0);
  cold.recordStored(ids, bundle.asset.id, {
    destination: options.photos.destination,
    bytes,
    asset: bundle.asset,
  });
  return { stored: pending.length };
}

function factsOf(state: ColdObject) {
  return {
    objectKey: state.objectKey,
    storageClass: state.storageClass,
    size: state.size,
    storedBytes: state.storedBytes,
  };
}

/**
 * The target's own answer for every file of the bundle: there, of the size sent; and where the
 * object is readable now (B2, Instant Retrieval, a restored copy), read back and its SHA-1 compared.
 * An object in an archive tier cannot be read without a restore: its size and class are the check.
 */
async function verifyCold(
  options: ColdArchiveOptions,
  bundle: Bundle,
  files: Map<string, { remoteId: string; sha1: string; size: number }>,
): Promise<string | undefined> {
  const target = options.target;
  const wanted = bundle.files.map((f) => ({ file: f, held: files.get(f.key) }));
  const missing = wanted.find((w) => !w.held || w.held.sha1 !== w.file.sha1);
  if (missing) return `its ${missing.file.key} was not recorded at the cold target`;
  const states = await target.coldState!(wanted.map((w) => w.held!.remoteId));
  for (const { file, held } of wanted) {
    const state = states[held!.remoteId];
    if (!state) return `its ${file.key} is missing at the cold target`;
    if (state.size !== file.size) {
      return `its ${file.key} has ${state.size} bytes at the cold target, ${file.size} sent`;
    }
    if (state.restore.state !== "readable" && state.restore.state !== "restored") continue;
    const back = join(options.tempRoot, `readback-${crypto.randomUUID()}`);
    try {
      await target.fetchCold!(held!.remoteId, back);
      const { sha1 } = await hashFile(back);
      if (sha1 !== file.sha1) {
        return `its ${file.key} reads back from the cold target as SHA-1 ${sha1}, ${file.sha1} sent`;
      }
    } catch (e) {
      return `its ${file.key} cannot be read back from the cold target: ${messageOf(e)}`;
    } finally {
      await Deno.remove(back).catch(() => {});
    }
  }
  return undefined;
}

/** Moves the assets whose cold copy was verified in this run to Immich's trash, within the share, once confirmed. */
async function removeFromImmich(
  options: ColdArchiveOptions,
  summary: ColdSummary,
  verified: { assetId: string; filename: string; bytes: number }[],
): Promise<void> {
  if (verified.length === 0) return;
  if (!options.immich.remove) {
    summary.removalRefused = "the destination cannot remove assets; nothing was removed";
    return;
  }
  const inImmich = options.tracker.importedCount(options.photos.destination);
  const share = options.maxShare ?? 0.05;
  if (verified.length > share * inImmich) {
    summary.removalRefused =
      `${verified.length} of ${inImmich} assets would leave Immich, more than the allowed ` +
      `${Math.round(share * 100)}%; nothing was removed. If this is right, run again with --max-share ` +
      `${Math.ceil((verified.length / inImmich) * 100) / 100}`;
    return;
  }
  if (options.dryRun || !(await (options.confirm?.(verified) ?? Promise.resolve(false)))) {
    if (!options.dryRun) summary.removalRefused = "not confirmed; nothing was removed from Immich";
    return;
  }
  const sync = new SyncStore(options.tracker);
  const cold = new ColdStore(options.tracker);
  const ids = { source: options.photos.source, target: options.targetId };
  const removed: string[] = [];
  for (const a of verified) {
    await options.immich.remove(sync.resources(options.photos, a.assetId).map((f) => f.remoteId));
    // One asset at a time: a run that dies midway has recorded each asset that left.
    cold.markRemovedFromDestination(ids, [a.assetId]);
    removed.push(a.assetId);
  }
  summary.removedFromImmich = removed.length;
  options.onEvent?.({ type: "removed-from-immich", assetIds: removed });
}
