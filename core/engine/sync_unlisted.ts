/**
 * When `sync` need not list the library at all: the source's change history names no change
 * since the last complete sync, the destination names none either, and that sync's listing left
 * nothing to do (everything it listed was imported, skipped for good or left in Recently Deleted;
 * nothing waits out a back-off, nothing was held back by `--limit`, no deletion
 * was refused), every imported asset carries a sync stamp (none is left in conflict or waits
 * for its first comparison), and the tracker holds as many assets as after that listing (none
 * forgotten since) with no stack waiting to be made. Then a listing would show what the last one showed and lead to nothing: a no-op
 * sync costs the two change queries, not a pass over the library.
 *
 * The facts of the last such listing are a checkpoint beside the others: when it was and the run's
 * options that decide what a listing leads to (policy, handlers, fields, deletions). Another option,
 * a day gone by (what changes outside Photos' history, such as a file removed from the bundle by
 * hand, is found within a day), or a clock set back lists again.
 *
 * @example
 * ```ts
 * if (leavesUnlisted(run, { changed: history.changed, remote, resend })) return run.summary;
 * ```
 * @module
 */
import type { RunSummary } from "./import_types.ts";
import { keptText } from "./sync_detect.ts";
import type { SyncRun } from "./sync_types.ts";

/** A listing older than this is made again, whatever the history says. */
export const RELIST_EVERY_MS = 24 * 60 * 60 * 1000;

/** Where the last settled listing's facts are kept: a checkpoint per source and destination. */
export function listingSide(source: string): string {
  return `listing:${source}`;
}

interface ListingNote {
  /** When the listing ran (ISO). */
  at: string;
  /** {@link listingOptions} of its run. */
  options: string;
  /** How many assets the tracker held for the source and destination after it. */
  tracked: number;
}

/** What may change what a listing leads to, beside the library itself: its run's options. */
export function listingOptions(run: SyncRun): string {
  const o = run.options;
  return JSON.stringify({
    policy: o.policy ?? null,
    handlers: o.handlers.map((h) => [h.plugin.id, h.options]),
    allowNetwork: o.allowNetwork ?? null,
    trustLocalFacts: o.trustLocalFacts ?? null,
    fields: o.sourceFields ?? null,
    kept: keptText(run),
    propagateDeletions: o.propagateDeletions ?? false,
    maxDeleteShare: o.maxDeleteShare ?? null,
    prefer: o.prefer ?? null,
  });
}

/**
 * Whether this run may leave the library unlisted (see the module): `changed` is what the source's
 * history says changed since the last complete sync (undefined: it cannot say), `remote` what the
 * destination changed or `review --resolve` settled, `resend` what is to be put again.
 */
export function leavesUnlisted(
  run: SyncRun,
  { changed, remote, resend }: { changed?: Set<string>; remote: Set<string>; resend: Set<string> },
): boolean {
  const { options } = run;
  if (!changed || changed.size > 0 || remote.size > 0 || resend.size > 0 || run.pending.size > 0) {
    return false;
  }
  if (options.only || options.assets || options.retryPermanent) return false;
  const text = run.store.checkpoint(run.ids.destination, listingSide(run.ids.source));
  let note: ListingNote;
  try {
    note = JSON.parse(text ?? "") as ListingNote;
  } catch {
    return false;
  }
  const age = (options.now?.() ?? new Date()).getTime() - Date.parse(note.at);
  if (!(age >= 0 && age < RELIST_EVERY_MS) || note.options !== listingOptions(run)) return false;
  // The tracker as that listing left it: a destination forgotten or rows removed since lists again.
  const { tracked, unstamped } = run.store.transferCounts(run.ids);
  if (unstamped > 0 || tracked !== note.tracked) return false;
  // A stack left pending (its call failed, said as a warning) is made by the import stage, at a
  // destination that stacks at all (elsewhere the mark stays and means nothing).
  return !options.destination.stack || options.tracker.pendingStacks(run.ids).length === 0;
}

/**
 * After a complete run that listed the library: notes the listing when it left nothing to do, so
 * the next run may leave the library unlisted; otherwise removes the note, so the next run lists.
 */
export function noteListing(run: SyncRun, startedAt: Date): void {
  const side = listingSide(run.ids.source);
  const { tracked } = run.store.transferCounts(run.ids);
  const note: ListingNote = { at: startedAt.toISOString(), options: listingOptions(run), tracked };
  run.store.saveCheckpoint(run.ids.destination, side, settled(run) ? JSON.stringify(note) : "");
}

/** Whether every asset the listing showed ended where the next listing would leave it. */
function settled(run: SyncRun): boolean {
  const s: RunSummary = run.summary.import;
  if (run.summary.refused || s.failed > 0 || s.wouldImport > 0) return false;
  // Left in iCloud stays so until Photos downloads it (a change its history names) or the options
  // allow the network (another fingerprint); a back-off ends with time alone.
  if (s.skipped.waiting > 0) return false;
  // Listed but neither imported nor skipped: held back by --limit.
  const ended = s.imported + s.duplicates + Object.values(s.skipped).reduce((a, b) => a + b, 0);
  return ended === s.listed;
}
