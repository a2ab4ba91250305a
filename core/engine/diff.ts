/**
 * Decides, for one listed asset, whether this run has work to do, from the tracker's state alone.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { TransferState } from "../tracker/mod.ts";

/** `policy`: the run's policy leaves the asset out (decided when it is planned). */
export type SkipReason =
  | "imported"
  | "changed"
  | "waiting"
  | "permanent"
  | "trashed"
  | "cloud"
  | "removed"
  | "policy";

export type Decision =
  | { action: "import"; reason: "new" | "retry" | "repair" | "policy" }
  | { action: "skip"; reason: SkipReason };

export interface DecideOptions {
  /** The run's clock, asked only for an asset waiting out a back-off (not once per listed asset). */
  now: () => Date;
  /**
   * Retry every problem now (`review --retry`): failures that were permanent, and transient ones
   * whose back-off has not passed yet.
   */
  retryPermanent?: boolean;
  /** Send again although imported (repair: the destination recognises what it has and adds the rest). */
  repair?: boolean;
}

export function decide(asset: Asset, state: TransferState | undefined, options: DecideOptions): Decision {
  if (asset.trashed) return { action: "skip", reason: "trashed" };
  if (!state) return { action: "import", reason: "new" };
  if (state.remoteGone) return { action: "skip", reason: "removed" };
  if (options.repair && state.status === "imported") return { action: "import", reason: "repair" };
  if (state.status === "imported") {
    const changed = asset.modified !== undefined && state.sourceModifiedAt !== null &&
      asset.modified !== state.sourceModifiedAt;
    return { action: "skip", reason: changed ? "changed" : "imported" };
  }
  // Skipped by policy: planned again, so a changed policy (e.g. --bursts all) imports it.
  if (state.status === "skipped" && state.errorClass === "policy") {
    return { action: "import", reason: "policy" };
  }
  if (state.errorClass === "permanent" || state.errorClass === "config" || state.status === "skipped") {
    return options.retryPermanent
      ? { action: "import", reason: "retry" }
      : { action: "skip", reason: "permanent" };
  }
  if (
    !options.retryPermanent && state.nextAttemptAt &&
    Date.parse(state.nextAttemptAt) > options.now().getTime()
  ) {
    return { action: "skip", reason: "waiting" };
  }
  return { action: "import", reason: "retry" };
}

/**
 * When a transiently failed asset may be tried again by a later run: 5 minutes after the first
 * failure, doubling with each failed attempt, at most a day.
 */
export function nextAttemptAt(attempts: number, now: Date): string {
  const minutes = Math.min(24 * 60, 5 * 2 ** Math.max(0, attempts - 1));
  return new Date(now.getTime() + minutes * 60_000).toISOString();
}
