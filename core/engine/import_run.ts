/**
 * The import pipeline of design.md §1, one stage per file: list and diff (`import_list.ts`), plan
 * (`import_plan.ts`), spool (`spool.ts`), export and hash (`import_export.ts`), put, record and
 * stack (`import_put.ts`). This file runs the stages for each asset in its lane, while the listing
 * goes on, and counts the outcome. Plugins only do their step; the host wraps their sessions (`core/engine/wrap.ts`).
 *
 * @example
 * ```ts
 * const summary = await importAssets({ source, destination, handlers, tracker, ... });
 * ```
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { Plan } from "../model/plan.ts";
import { errorKind, messageOf, PermanentError } from "../plugin/errors.ts";
import { checkContents } from "./content_check.ts";
import { nextAttemptAt } from "./diff.ts";
import { exportAsset, lazyDir, tempDiskFailure } from "./import_export.ts";
import { inCloudLane, spoolWork } from "./import_list.ts";
import { planAsset } from "./import_plan.ts";
import { finishStacks, putAndRecord } from "./import_put.ts";
import { emptySummary, type ImportOptions, type ImportRun, noteWaiting } from "./import_types.ts";
import type { RunSummary } from "./import_types.ts";
import { runLanes } from "./lanes.ts";
import { sleep } from "./retry.ts";
import { Spool } from "./spool.ts";

export { planAsset } from "./import_plan.ts";
export type { HandlerEntry, ImportOptions, RunEvent, RunSummary } from "./import_types.ts";

/**
 * Imports every asset the diff selects. Resolves with the summary; rejects only on a fatal or
 * configuration error (after letting assets in flight finish), never because one asset failed.
 */
export async function importAssets(options: ImportOptions): Promise<RunSummary> {
  const started = Date.now();
  const abort = new AbortController();
  const ids = { source: options.sourceId, destination: options.destinationId };
  const run: ImportRun = {
    options,
    ids,
    summary: emptySummary(),
    emit: options.onEvent ?? (() => {}),
    signal: options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal,
    abort,
    states: options.states ?? options.tracker.transfers(ids.source, ids.destination),
    now: options.now ?? (() => new Date()),
  };
  const paceDownload = downloadPacer(run);
  await using spool = await Spool.create<Asset>(options.tempRoot).catch((e) => {
    throw tempDiskFailure(e, options.tempRoot);
  });
  try {
    await finishStacks(run);
    // Uploads start with the first assets listed; the listing runs ahead into the spool.
    const [listing, work] = await Promise.allSettled([
      listInto(run, spool),
      runLanes(untilAborted(spool.read(), run.signal), (a) => (inCloudLane(run, a) ? "cloud" : "local"), {
        local: { concurrency: options.concurrency, work: (a) => importOne(run, a) },
        cloud: { concurrency: options.cloudConcurrency ?? 1, work: (a) => importOne(run, a, paceDownload) },
      }),
    ]);
    // A failed listing stopped the work; a fatal error in the work stopped the listing.
    if (listing.status === "rejected") throw listing.reason;
    if (work.status === "rejected") throw work.reason;
  } finally {
    run.summary.durationMs = Date.now() - started;
  }
  return run.summary;
}

/**
 * Lists into the spool, then reports the total with work to do (the start event: assets may have
 * been imported before it). A listing that fails stops the run: no new asset starts, those in
 * flight finish, and the error is the run's.
 */
async function listInto(run: ImportRun, spool: Spool<Asset>): Promise<void> {
  try {
    await spoolWork(run, spool);
  } catch (e) {
    const error = tempDiskFailure(e, run.options.tempRoot);
    run.abort.abort(error);
    throw error;
  } finally {
    spool.end();
  }
  run.emit({ type: "start", total: spool.count, listed: run.summary.listed });
}

/**
 * iCloud downloads start at most one per `delaySeconds`. Each takes its slot right before the
 * download itself, so slow local work ahead of it (a busy disk) cannot squeeze two downloads
 * closer together; a dry run downloads nothing and never waits.
 */
function downloadPacer(run: ImportRun): () => Promise<void> {
  let nextCloudStart = 0;
  return async () => {
    const delayMs = (run.options.delaySeconds ?? 0) * 1000;
    const slot = Math.max(Date.now(), nextCloudStart);
    nextCloudStart = slot + delayMs;
    if (slot > Date.now()) await sleep(slot - Date.now(), run.signal);
    // A timer that fired late moves the next slot with it: the pause is between real starts.
    nextCloudStart = Math.max(nextCloudStart, Date.now() + delayMs);
  };
}

/** One asset through plan, (download), export and hash, put and record; `paceDownload` for the iCloud lane. */
async function importOne(run: ImportRun, asset: Asset, paceDownload?: () => Promise<void>): Promise<void> {
  const { options, summary, signal } = run;
  if (signal.aborted) return; // stopping (a signal, a fatal error): no new asset starts
  let plan: Plan;
  try {
    plan = planAsset(asset, options.handlers, { policy: options.policy });
    if (!plan.resources.some((r) => r.key === plan.primary)) {
      throw new PermanentError(`${asset.filename} (${asset.id}) has no original resource to import`);
    }
  } catch (e) {
    return fail(run, asset, e);
  }
  if (options.dryRun) {
    summary.wouldImport++;
    run.emit({ type: "asset", assetId: asset.id, filename: asset.filename, outcome: "would-import", plan });
    return;
  }
  const dir = lazyDir(options.tempRoot);
  try {
    if (paceDownload) await paceDownload();
    if (paceDownload && options.source.download) {
      await options.source.download([asset]);
    }
    const files = await exportAsset(run, asset, plan, dir);
    await checkContents(asset.filename, files);
    const group = { asset, plan, files };
    signal.throwIfAborted(); // exported but not sent: abandoned, nothing recorded
    const resources = await putAndRecord(run, group);
    const duplicate = resources.find((r) => r.key === plan.primary)?.duplicate;
    const bytes = files.reduce((n, f) => n + f.size, 0);
    if (duplicate) summary.duplicates++;
    else summary.imported++;
    summary.bytes += bytes;
    const outcome = duplicate ? "duplicate" : "imported";
    run.emit({ type: "asset", assetId: asset.id, filename: asset.filename, outcome, bytes });
  } catch (e) {
    fail(run, asset, e);
  } finally {
    if (dir.made) await Deno.remove(dir.path, { recursive: true }).catch(() => {});
  }
}

/** Records one asset's failure, or stops the run on a fatal or configuration error. */
function fail(run: ImportRun, asset: Asset, e: unknown): void {
  const kind = errorKind(e);
  if (kind === "fatal" || kind === "config") {
    run.abort.abort(e);
    throw e;
  }
  if (run.signal.aborted) return; // cancelled: this asset was not tried to the end; record nothing
  const previous = run.states.get(asset.id)?.attempts ?? 0;
  const next = kind === "retryable" ? nextAttemptAt(previous + 1, run.now()) : null;
  run.options.tracker.recordFailure(run.ids, asset, { kind, message: messageOf(e), nextAttemptAt: next });
  if (next) noteWaiting(run.summary, next);
  run.summary.failed++;
  run.emit({
    type: "asset",
    assetId: asset.id,
    filename: asset.filename,
    outcome: "failed",
    kind,
    error: messageOf(e),
  });
}

/** The items, until the signal aborts. */
async function* untilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  for await (const item of items) {
    if (signal.aborted) return;
    yield item;
  }
}
