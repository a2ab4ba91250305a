/**
 * `unarchive` of assets that live only in the cold tier: their files are asked back from the
 * archive tier (a restore: cost and wait estimated, then confirmed), recorded, and the command
 * returns at once; a later run (or one that waits, polling) reads each restored file, checks its
 * SHA-1 against the one recorded when it was stored, and hands the bundles on to be put back
 * (into Photos, a folder or Immich) by the normal import.
 *
 * @example
 * ```ts
 * const summary = await restoreCold({ ...options, tier: "Bulk", days: 7, bringBack });
 * if (summary.waiting > 0) console.log(`ready by ${summary.readyBy}; run again then`);
 * ```
 * @module
 */
import { join } from "node:path";
import type { ExportedFile } from "../model/plan.ts";
import { messageOf } from "../plugin/errors.ts";
import type { AssetDestinationSession, ColdObject, RestoreEstimate, RestoreTier } from "../plugin/types.ts";
import { type ColdAsset, type ColdFile, type ColdIds, ColdStore } from "../tracker/cold_state.ts";
import type { Tracker } from "../tracker/mod.ts";
import { hashFile } from "./hash.ts";

/** A bundle read back from the cold tier, each file's SHA-1 checked. */
export interface RestoredBundle {
  cold: ColdAsset;
  files: ExportedFile[];
}

export interface ColdRestoreOptions {
  ids: ColdIds;
  target: AssetDestinationSession;
  assets: ColdAsset[];
  tier: RestoreTier;
  days: number;
  /** Asked before a restore that costs or waits, with the estimate; false asks for nothing. */
  confirm: (
    ask: { files: number; storedBytes: number; tier: RestoreTier } & RestoreEstimate,
  ) => Promise<boolean>;
  /** Poll until every asset is readable (or the time is up); without it, return at once. */
  wait?: { pollMs: number; timeoutMs: number; sleep?: (ms: number) => Promise<void> };
  tracker: Tracker;
  tempRoot: string;
  dryRun: boolean;
  /** Puts the bundles back; answers what each asset became (a new id), by asset id. */
  bringBack: (bundles: RestoredBundle[]) => Promise<Map<string, string>>;
  now?: () => Date;
}

export interface ColdRestoreSummary {
  selected: number;
  /** Files asked back from the archive tier in this run. */
  requested: number;
  estimate?: RestoreEstimate & { tier: RestoreTier };
  /** Assets whose files are not readable yet. */
  waiting: number;
  /** When the last asked file is expected readable (the tier's longest wait). */
  readyBy?: string;
  brought: number;
  refused: { assetId: string; filename: string; reason: string }[];
  restoreRefused?: string;
}

export async function restoreCold(options: ColdRestoreOptions): Promise<ColdRestoreSummary> {
  const summary: ColdRestoreSummary = {
    selected: options.assets.length,
    requested: 0,
    waiting: 0,
    brought: 0,
    refused: [],
  };
  let pending = options.assets;
  const deadline = Date.now() + (options.wait?.timeoutMs ?? 0);
  let asked = false;
  while (pending.length > 0) {
    const { ready, waiting, archived } = await sortByState(options, pending, summary);
    if (!asked && archived.length > 0) {
      asked = true;
      if (!(await askRestore(options, archived, summary))) return summary;
    }
    await bringBackReady(options, ready, summary);
    pending = waiting.concat(archived.map((a) => a.asset));
    const wait = options.wait;
    if (!wait || options.dryRun || pending.length === 0 || Date.now() >= deadline) break;
    await (wait.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(wait.pollMs);
  }
  summary.waiting = pending.length;
  summary.readyBy = latestExpected(options, pending);
  return summary;
}

type Sorted = {
  ready: { asset: ColdAsset; files: ColdFile[] }[];
  waiting: ColdAsset[];
  archived: { asset: ColdAsset; files: { file: ColdFile; state: ColdObject }[] }[];
};

/** Each asset by what the target says of its files now: all readable, some restoring, some still archived. */
async function sortByState(
  options: ColdRestoreOptions,
  assets: ColdAsset[],
  summary: ColdRestoreSummary,
): Promise<Sorted> {
  const store = new ColdStore(options.tracker);
  const sorted: Sorted = { ready: [], waiting: [], archived: [] };
  for (const asset of assets) {
    const files = [...store.files(options.ids, asset.assetId).values()];
    const states = await options.target.coldState!(files.map((f) => f.remoteId));
    const gone = files.find((f) => !states[f.remoteId]);
    if (gone || files.length === 0) {
      const reason = gone
        ? `its ${gone.key} is missing at the cold target`
        : "no file of it is recorded as cold";
      summary.refused.push({
        assetId: asset.assetId,
        filename: asset.asset.filename ?? asset.assetId,
        reason,
      });
      continue;
    }
    const cold = files.map((file) => ({ file, state: states[file.remoteId]! })).filter(({ state }) =>
      !readable(state)
    );
    const archived = cold.filter(({ state }) => state.restore.state === "archived");
    if (archived.length > 0) sorted.archived.push({ asset, files: archived });
    else if (cold.length > 0) sorted.waiting.push(asset);
    else sorted.ready.push({ asset, files });
    for (const { file, state } of files.map((file) => ({ file, state: states[file.remoteId]! }))) {
      if (state.restore.state === "restored" && !options.dryRun) {
        store.recordRestore(options.ids, asset.assetId, file.key, {
          state: "readable",
          until: state.restore.until,
        });
      }
    }
  }
  return sorted;
}

const readable = (s: ColdObject) => s.restore.state === "readable" || s.restore.state === "restored";

/** Estimates, confirms and asks the restore of every archived file; false when it was not confirmed. */
async function askRestore(
  options: ColdRestoreOptions,
  archived: Sorted["archived"],
  summary: ColdRestoreSummary,
): Promise<boolean> {
  const files = archived.flatMap((a) => a.files.map((f) => ({ ...f, assetId: a.asset.assetId })));
  const estimate = await options.target.estimateRestore!(files.map((f) => f.state), options.tier);
  const storedBytes = files.reduce((n, f) => n + f.state.storedBytes, 0);
  summary.estimate = { ...estimate, tier: options.tier };
  if (options.dryRun) return true;
  if (!(await options.confirm({ files: files.length, storedBytes, tier: options.tier, ...estimate }))) {
    summary.restoreRefused = "not confirmed; no restore was asked for";
    return false;
  }
  const answers = await options.target.requestRestore!(files.map((f) => f.file.remoteId), {
    tier: options.tier,
    days: options.days,
  });
  const now = (options.now ?? (() => new Date()))();
  const expectedBy = new Date(now.getTime() + estimate.hours * 3_600_000).toISOString();
  const store = new ColdStore(options.tracker);
  for (const f of files) {
    const answer = answers[f.file.remoteId];
    if (answer !== "requested" && answer !== "in-progress") continue;
    summary.requested++;
    const requested = {
      state: "requested" as const,
      tier: options.tier,
      requestedAt: now.toISOString(),
      expectedBy,
    };
    store.recordRestore(options.ids, f.assetId, f.file.key, requested);
  }
  return true;
}

/** Reads the ready assets' files back, checks their SHA-1s, and puts them back. */
async function bringBackReady(
  options: ColdRestoreOptions,
  ready: Sorted["ready"],
  summary: ColdRestoreSummary,
): Promise<void> {
  if (ready.length === 0 || options.dryRun) {
    summary.brought += options.dryRun ? ready.length : 0;
    return;
  }
  const dir = await Deno.makeTempDir({ dir: options.tempRoot, prefix: "cold-back-" });
  try {
    const bundles: RestoredBundle[] = [];
    for (const { asset, files } of ready) {
      const read = await readBack(options, dir, files);
      if (typeof read === "string") {
        summary.refused.push({
          assetId: asset.assetId,
          filename: asset.asset.filename ?? asset.assetId,
          reason: read,
        });
      } else bundles.push({ cold: asset, files: read });
    }
    const became = await options.bringBack(bundles);
    const store = new ColdStore(options.tracker);
    for (const id of became.keys()) store.markRestored(options.ids, id);
    summary.brought += became.size;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** What a user can do about a cold copy that does not read back as stored. */
const DAMAGED = "nothing was put back and the cold copy is left as it is: run the same unarchive again " +
  "to read it once more; if it still fails, take the asset from Photos or a backup (photos-sync backup " +
  "--restore), and check the other cold copies with photos-sync backup --verify-cold";

async function readBack(
  options: ColdRestoreOptions,
  dir: string,
  files: ColdFile[],
): Promise<ExportedFile[] | string> {
  const out: ExportedFile[] = [];
  const own = join(dir, crypto.randomUUID());
  await Deno.mkdir(own);
  for (const f of files) {
    const name = f.remoteId.split("/").at(-1)!.replace(/_[0-9a-f]{8}(\.[^.]*)?$/, "$1");
    const path = join(own, name);
    try {
      await options.target.fetchCold!(f.remoteId, path);
    } catch (e) {
      return `its ${f.key} cannot be read from the cold target (${messageOf(e)}); ${DAMAGED}`;
    }
    const { sha1, size } = await hashFile(path);
    if (sha1 !== f.sha1) {
      return `its ${f.key} reads back as SHA-1 ${sha1}, not the SHA-1 ${f.sha1} it was stored with; ${DAMAGED}`;
    }
    out.push({ key: f.key, name, path, sha1, size });
  }
  return out;
}

/** The latest expected time of the files still asked for, from the tracker. */
function latestExpected(options: ColdRestoreOptions, pending: ColdAsset[]): string | undefined {
  const store = new ColdStore(options.tracker);
  const times = pending.flatMap((a) =>
    [...store.files(options.ids, a.assetId).values()].map((f) =>
      f.restore.state === "requested" ? f.restore.expectedBy : ""
    )
  ).filter(Boolean).sort();
  return times.at(-1);
}
