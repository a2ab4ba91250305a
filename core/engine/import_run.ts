/**
 * The import pipeline of design.md §1: list -> diff -> plan -> export -> hash -> put -> record.
 * Plugins only do their step; retries, concurrency, dry-run and bookkeeping live here.
 *
 * @example
 * ```ts
 * const summary = await importAssets({ source, destination, handlers, tracker, ... });
 * ```
 * @module
 */
import { type Asset, needsDownload } from "../model/asset.ts";
import { type ExportedFile, type ExportedGroup, type Plan, PlanBuilder } from "../model/plan.ts";
import type { PlanPolicy } from "../model/policy.ts";
import { errorKind, FatalError, messageOf, PermanentError, PluginError } from "../plugin/errors.ts";
import type { OptionValues } from "../plugin/options.ts";
import type { DestinationSession, HandlerPlugin, RemoteRef, SourceSession } from "../plugin/types.ts";
import type { Tracker } from "../tracker/mod.ts";
import { decide, nextAttemptAt, type SkipReason } from "./diff.ts";
import { hashFile } from "./hash.ts";
import { runLanes } from "./lanes.ts";
import { retry, type RetryOptions, sleep } from "./retry.ts";
import { sidecarKeys, type SidecarStore } from "./sidecar_store.ts";
import { Spool } from "./spool.ts";
import type { TransferState } from "../tracker/mod.ts";

export interface HandlerEntry {
  plugin: HandlerPlugin;
  options: OptionValues;
}

/** What the run reports as it goes; the CLI turns these into progress lines or JSON. */
export type RunEvent =
  | { type: "start"; total: number; listed: number }
  | { type: "asset"; assetId: string; filename: string; outcome: "imported" | "duplicate"; bytes: number }
  | { type: "asset"; assetId: string; filename: string; outcome: "would-import"; plan: Plan }
  | { type: "asset"; assetId: string; filename: string; outcome: "failed"; kind: string; error: string }
  | { type: "skip"; assetId: string; reason: SkipReason; detail?: string }
  | { type: "retry"; assetId: string; attempt: number; delayMs: number; error: string }
  /** Something went wrong after the asset was safely recorded (e.g. stacking it with its burst). */
  | { type: "warning"; assetId: string; message: string };

export interface RunSummary {
  listed: number;
  imported: number;
  duplicates: number;
  failed: number;
  wouldImport: number;
  skipped: Record<SkipReason, number>;
  bytes: number;
  durationMs: number;
  /**
   * The assets that wait out a back-off after a transient failure (skipped as `waiting`, or failed
   * so in this run) and when they may be tried again, first and last; null when none waits.
   */
  retryLater: { assets: number; earliest: string; latest: string } | null;
}

export interface ImportOptions {
  sourceId: string;
  source: SourceSession;
  destinationId: string;
  destination: DestinationSession;
  handlers: HandlerEntry[];
  /** The run's policy handed to every plan (default: {@link DEFAULT_POLICY}). */
  policy?: Partial<PlanPolicy>;
  /** Where exported sidecars are kept; unset: they only go to the destination. */
  sidecars?: SidecarStore;
  tracker: Tracker;
  /** Per-asset export directories are made under here and removed after each asset. */
  tempRoot: string;
  dryRun: boolean;
  concurrency: number;
  /** Stop after this many assets with work to do (0: no limit). */
  limit?: number;
  allowNetwork?: boolean;
  retryPermanent?: boolean;
  /** Only these asset ids (e.g. `review --retry`). */
  only?: Set<string>;
  /** Put these again although imported: the destination keeps what it has and adds what is missing. */
  resend?: Set<string>;
  /** Assets already listed in this run, used instead of listing the source again. */
  assets?: AsyncIterable<Asset> | Iterable<Asset>;
  /** Concurrency of the iCloud download lane (default 1): gentle with iCloud, whatever `concurrency` is. */
  cloudConcurrency?: number;
  /** Seconds between the starts of two iCloud downloads (default 0); local work is never paced. */
  delaySeconds?: number;
  /** Route by the source's iCloud facts (default true); false: everything is tried locally first. */
  trustLocalFacts?: boolean;
  /** The tracker's transfer states, when the caller loaded them already (one read per run). */
  states?: Map<string, TransferState>;
  /** Sees every listed asset with its tracker state, e.g. for `sync` to reconcile changes. */
  onListed?: (asset: Asset, state: TransferState | undefined) => void;
  retry?: RetryOptions;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  now?: () => Date;
}

/** A full or unwritable temp disk stops the run with one message instead of failing every asset. */
function tempDiskFailure(e: unknown, tempRoot: string): unknown {
  const code = (e as { code?: string }).code;
  if (code === "ENOSPC" || /No space left on device/.test(messageOf(e))) {
    return new FatalError(
      `no space left on the temporary disk (${tempRoot}); free space there or set TMPDIR to a larger disk`,
    );
  }
  return e;
}

/** Applies every handler that claims the asset, in order, to one plan under the run's policy. */
export function planAsset(
  asset: Asset,
  handlers: HandlerEntry[],
  options: { policy?: Partial<PlanPolicy> } = {},
): Plan {
  const builder = new PlanBuilder(asset, { policy: options.policy });
  for (const { plugin, options } of handlers) {
    try {
      if (!plugin.applies(asset)) continue;
      plugin.plan(asset, builder, options);
      builder.markHandler(plugin.id);
    } catch (e) {
      throw new PluginError(plugin.id, `plan(${asset.id})`, e);
    }
  }
  return builder.build();
}

/**
 * Imports every asset the diff selects. Resolves with the summary; rejects only on a fatal or
 * configuration error (after letting assets in flight finish), never because one asset failed.
 */
export async function importAssets(options: ImportOptions): Promise<RunSummary> {
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const ids = { source: options.sourceId, destination: options.destinationId };
  const emit = options.onEvent ?? (() => {});
  const summary: RunSummary = {
    listed: 0,
    imported: 0,
    duplicates: 0,
    failed: 0,
    wouldImport: 0,
    skipped: {
      imported: 0,
      changed: 0,
      waiting: 0,
      permanent: 0,
      trashed: 0,
      cloud: 0,
      removed: 0,
      policy: 0,
    },
    bytes: 0,
    durationMs: 0,
    retryLater: null,
  };
  const states = options.states ?? options.tracker.transfers(ids.source, ids.destination);
  const abort = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, abort.signal]) : abort.signal;
  const limit = options.limit ?? 0;

  // The library is listed once; what has work to do is spooled to disk, so the total is known
  // before the first export while memory stays flat.
  async function spoolWork(spool: Spool<Asset>): Promise<void> {
    const listing = options.assets ?? options.source.list();
    for await (const asset of listing) {
      if (signal.aborted) return;
      if (options.only && !options.only.has(asset.id)) continue;
      summary.listed++;
      const state = states.get(asset.id);
      options.onListed?.(asset, state);
      const d = decide(asset, state, {
        now: now(),
        retryPermanent: options.retryPermanent,
        repair: options.resend?.has(asset.id),
      });
      if (d.action === "import" && skippedByPolicy(asset, state)) continue;
      const skip = d.action === "skip"
        ? d.reason
        : cloudLane(asset) && !options.allowNetwork
        ? "cloud" as const
        : undefined;
      if (skip) {
        summary.skipped[skip]++;
        if (skip === "waiting") noteWaiting(summary, state!.nextAttemptAt!);
        if (skip !== "imported") emit({ type: "skip", assetId: asset.id, reason: skip });
        continue;
      }
      if (limit > 0 && spool.count >= limit) continue;
      await spool.add(asset);
    }
  }

  /**
   * Whether the run's policy leaves the asset out (an unpicked burst frame): planning is cheap and
   * pure, so it happens here too, before the asset takes a place in the spool or under --limit.
   * The skip is recorded once, and looked at again by every run in case the policy changed.
   */
  function skippedByPolicy(asset: Asset, state: TransferState | undefined): boolean {
    let plan: Plan;
    try {
      plan = planAsset(asset, options.handlers, { policy: options.policy });
    } catch {
      return false; // importOne plans again and records the failure
    }
    if (!plan.skip) return false;
    summary.skipped.policy++;
    emit({ type: "skip", assetId: asset.id, reason: "policy", detail: plan.skip });
    const known = state?.status === "skipped" && state.errorClass === "policy";
    if (!options.dryRun && !known) options.tracker.recordSkipped(ids, asset, plan.skip);
    return true;
  }

  const cloudLane = (asset: Asset) => options.trustLocalFacts !== false && needsDownload(asset);

  // iCloud downloads start at most one per `delaySeconds`. Each takes its slot right before the
  // download itself, so slow local work ahead of it (a busy disk) cannot squeeze two downloads
  // closer together; a dry run downloads nothing and never waits.
  let nextCloudStart = 0;
  async function paceDownload(): Promise<void> {
    const delayMs = (options.delaySeconds ?? 0) * 1000;
    const slot = Math.max(Date.now(), nextCloudStart);
    nextCloudStart = slot + delayMs;
    if (slot > Date.now()) await sleep(slot - Date.now(), signal);
    // A timer that fired late moves the next slot with it: the pause is between real starts.
    nextCloudStart = Math.max(nextCloudStart, Date.now() + delayMs);
  }
  const paced = (asset: Asset) => importOne(asset, true);

  async function importOne(asset: Asset, download = false): Promise<void> {
    if (signal.aborted) return; // stopping (a signal, a fatal error): no new asset starts
    let plan: Plan;
    try {
      plan = planAsset(asset, options.handlers, { policy: options.policy });
      if (!plan.resources.some((r) => r.key === plan.primary)) {
        throw new PermanentError(`${asset.filename} (${asset.id}) has no original resource to import`);
      }
    } catch (e) {
      return fail(asset, e);
    }
    if (options.dryRun) {
      summary.wouldImport++;
      emit({ type: "asset", assetId: asset.id, filename: asset.filename, outcome: "would-import", plan });
      return;
    }
    const dir = lazyDir(options.tempRoot);
    try {
      if (download) await paceDownload();
      if (download && options.source.download) {
        await retry(
          () => options.source.download!([asset]),
          retryOptions(asset.id),
        );
      }
      const files = await retry(async () => {
        const exported = await options.source.export({
          asset,
          plan,
          get dir() {
            return dir.path;
          },
          allowNetwork: options.allowNetwork ?? false,
        });
        const files = await hashAll(asset, plan, exported);
        await storeSidecars(asset, plan, files);
        return files;
      }, retryOptions(asset.id));
      const group = { asset, plan, files };
      signal.throwIfAborted(); // exported but not sent: abandoned, nothing recorded
      const result = await retry(
        () => options.destination.put(group),
        retryOptions(asset.id),
      );
      checkPutResult(options.destinationId, plan, result.resources);
      options.tracker.recordImported(ids, group, result.resources);
      await stackAcrossAssets(group);
      const primary = result.resources.find((r) => r.key === plan.primary);
      const bytes = files.reduce((n, f) => n + f.size, 0);
      if (primary?.duplicate) summary.duplicates++;
      else summary.imported++;
      summary.bytes += bytes;
      emit({
        type: "asset",
        assetId: asset.id,
        filename: asset.filename,
        outcome: primary?.duplicate ? "duplicate" : "imported",
        bytes,
      });
    } catch (e) {
      fail(asset, e);
    } finally {
      if (dir.made) await Deno.remove(dir.path, { recursive: true }).catch(() => {});
    }
  }

  function fail(asset: Asset, e: unknown): void {
    const kind = errorKind(e);
    if (kind === "fatal" || kind === "config") {
      abort.abort(e);
      throw e;
    }
    if (signal.aborted) return; // cancelled: this asset was not tried to the end; record nothing
    const previous = states.get(asset.id)?.attempts ?? 0;
    const next = kind === "retryable" ? nextAttemptAt(previous + 1, now()) : null;
    options.tracker.recordFailure(ids, asset, { kind, message: messageOf(e), nextAttemptAt: next });
    if (next) noteWaiting(summary, next);
    summary.failed++;
    emit({
      type: "asset",
      assetId: asset.id,
      filename: asset.filename,
      outcome: "failed",
      kind,
      error: messageOf(e),
    });
  }

  function retryOptions(assetId: string): RetryOptions {
    return {
      ...options.retry,
      signal,
      onRetry: (error, attempt, delayMs) =>
        emit({ type: "retry", assetId, attempt, delayMs, error: messageOf(error) }),
    };
  }

  /** Copies the asset's sidecars into the store and records them, before the destination sees them. */
  async function storeSidecars(asset: Asset, plan: Plan, files: ExportedFile[]): Promise<void> {
    if (!options.sidecars) return;
    const keys = sidecarKeys(plan);
    if (keys.length === 0) return;
    const stored = [];
    for (const file of files.filter((f) => keys.includes(f.key))) {
      await options.sidecars.put(file);
      const role = plan.resources.find((r) => r.key === file.key)!.role;
      stored.push({ key: file.key, role, name: file.name, sha1: file.sha1, size: file.size });
    }
    options.tracker.recordSidecars(ids.source, asset.id, stored);
  }

  /**
   * Stacks the members of a group that spans assets (a burst) once this asset is recorded: every
   * member imported so far, under the group's primary. Called again as each member arrives, so
   * the destination's `stack` must accept a member list that grows. A member stays pending in the
   * tracker until a stack that holds it is confirmed, so what a killed run or a failed call left
   * unstacked is stacked by the next run ({@link finishStacks}).
   */
  async function stackAcrossAssets(group: ExportedGroup): Promise<void> {
    const stackGroup = group.plan.stackGroup;
    if (stackGroup) await stackMembers(stackGroup.id, group.asset);
  }

  async function stackMembers(groupId: string, asset?: Asset): Promise<void> {
    // The session is a view of the declared capabilities: `stack` exists only if it was declared.
    if (!options.destination.stack) return;
    const members = options.tracker.stackMembers(ids, groupId);
    const top = members.find((m) => m.primary);
    const others = members.filter((m) => m !== top).map((m) => m.remoteId);
    const done = () => options.tracker.stacked(ids, groupId, members.map((m) => m.assetId));
    // Nothing to stack yet: whichever member comes next stacks everyone recorded by then.
    if (!top || others.length === 0) return done();
    const assetId = asset?.id ?? top.assetId;
    try {
      await retry(
        () => options.destination.stack!(top.remoteId, others),
        retryOptions(assetId),
      );
      done();
    } catch (e) {
      if (errorKind(e) === "fatal") throw e;
      const what = asset ? `${asset.filename} is imported, but stacking it` : `stacking the imported members`;
      emit({
        type: "warning",
        assetId,
        message: `${what} with ${groupId} failed (the next run tries again): ${messageOf(e)}`,
      });
    }
  }

  /** Stacks left pending by an earlier run that was killed or whose stack call failed. */
  async function finishStacks(): Promise<void> {
    if (options.dryRun || !options.destination.stack) return;
    for (const groupId of options.tracker.pendingStacks(ids)) {
      if (signal.aborted) return;
      await stackMembers(groupId);
    }
  }

  async function hashAll(asset: Asset, plan: Plan, exported: { key: string; path: string }[]) {
    const files: ExportedFile[] = [];
    for (const planned of plan.resources) {
      const file = exported.find((f) => f.key === planned.key);
      if (!file) {
        throw new PluginError(
          options.sourceId,
          "export",
          new PermanentError(`${asset.filename}: the source produced no file for ${planned.key}`),
        );
      }
      files.push({ key: planned.key, name: planned.name, path: file.path, ...await hashFile(file.path) });
    }
    return files;
  }

  await using spool = await Spool.create<Asset>(options.tempRoot).catch((e) => {
    throw tempDiskFailure(e, options.tempRoot);
  });
  try {
    await spoolWork(spool).catch((e) => {
      throw tempDiskFailure(e, options.tempRoot);
    });
    emit({ type: "start", total: spool.count, listed: summary.listed });
    await finishStacks();
    await runLanes(untilAborted(spool.read(), signal), (a) => (cloudLane(a) ? "cloud" : "local"), {
      local: { concurrency: options.concurrency, work: (a) => importOne(a) },
      cloud: { concurrency: options.cloudConcurrency ?? 1, work: paced },
    });
  } finally {
    summary.durationMs = Date.now() - started;
  }
  return summary;
}

/** Counts one more asset that waits out a back-off, widening the span of back-off ends by its own. */
function noteWaiting(summary: RunSummary, until: string): void {
  const span = summary.retryLater ??= { assets: 0, earliest: until, latest: until };
  span.assets++;
  if (Date.parse(until) < Date.parse(span.earliest)) span.earliest = until;
  if (Date.parse(until) > Date.parse(span.latest)) span.latest = until;
}

function checkPutResult(destinationId: string, plan: Plan, refs: RemoteRef[]): void {
  const missing = plan.resources.filter((r) => !refs.some((ref) => ref.key === r.key)).map((r) => r.key);
  if (missing.length > 0) {
    throw new PluginError(destinationId, "put", new Error(`returned no remote id for ${missing.join(", ")}`));
  }
}

/**
 * The private per-asset export directory, made on first use: sources that hand out files they
 * already keep (the library reader) never touch it, and making and removing a directory per asset
 * cost about 3 ms on ext4 here, more than the rest of a small photo's import.
 */
function lazyDir(root: string): { readonly path: string; readonly made: boolean } {
  const path = `${root}/asset-${crypto.randomUUID()}`;
  let made = false;
  return {
    get path() {
      if (!made) {
        try {
          Deno.mkdirSync(path, { mode: 0o700 });
        } catch (e) {
          throw tempDiskFailure(e, root);
        }
        made = true;
      }
      return path;
    },
    get made() {
      return made;
    },
  };
}

/** The items, until the signal aborts. */
async function* untilAborted<T>(items: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  for await (const item of items) {
    if (signal.aborted) return;
    yield item;
  }
}
