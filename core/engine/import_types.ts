/**
 * The shapes of an import run (its options, events and summary) and the summary's bookkeeping,
 * shared by every stage of the pipeline.
 * @module
 */
import type { SyncedField } from "../model/synced.ts";
import type { Asset } from "../model/asset.ts";
import type { Plan } from "../model/plan.ts";
import type { PlanPolicy } from "../model/policy.ts";
import type { OptionValues } from "../plugin/options.ts";
import type { AssetDestinationSession, HandlerPlugin, SourceSession } from "../plugin/types.ts";
import type { Tracker, TransferState, TransferStates } from "../tracker/mod.ts";
import type { SkipReason } from "./diff.ts";
import type { SidecarStore } from "./sidecar_store.ts";

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
  /** A plugin call is tried again (reported by the session wrapping, see core/engine/wrap.ts). */
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
  destination: AssetDestinationSession;
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
  /**
   * The synced fields the source reads and writes (its plugin's `fields`; default: reads all,
   * writes none). What an import sends of the fields read becomes what both sides agree on.
   */
  sourceFields?: { read: readonly SyncedField[]; write?: readonly SyncedField[] };
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
  states?: TransferStates;
  /** Sees every listed asset with its tracker state, e.g. for `sync` to reconcile changes. */
  onListed?: (asset: Asset, state: TransferState | undefined) => void;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  now?: () => Date;
}

/** What every stage of one run shares: its options, the tracker ids, the summary and the stop signal. */
export interface ImportRun {
  options: ImportOptions;
  ids: { source: string; destination: string };
  summary: RunSummary;
  emit: (event: RunEvent) => void;
  /** Aborts on the caller's signal and on a fatal error of any asset. */
  signal: AbortSignal;
  abort: AbortController;
  states: TransferStates;
  now: () => Date;
  /** Set once the destination refused to name people: the run's other assets leave them to sync. */
  peopleRefused?: boolean;
}

export function emptySummary(): RunSummary {
  return {
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
}

export /** Counts one more asset that waits out a back-off, widening the span of back-off ends by its own. */
function noteWaiting(summary: RunSummary, until: string): void {
  const span = summary.retryLater ??= { assets: 0, earliest: until, latest: until };
  span.assets++;
  if (Date.parse(until) < Date.parse(span.earliest)) span.earliest = until;
  if (Date.parse(until) > Date.parse(span.latest)) span.latest = until;
}
