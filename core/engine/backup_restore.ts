/**
 * The restore: one source or all of them downloaded and decrypted into a directory, then verified
 * against the backup. Objects in cold storage are asked for once (again only after 48 h) and
 * polled for; the tracker remembers which, so a restore started again continues where it stopped.
 *
 * @example
 * ```ts
 * const summary = await runRestore({ session, canWarmUp: true, into: "/tmp/restored", signal });
 * ```
 * @module
 */
import { join } from "node:path";
import { PermanentError } from "../plugin/errors.ts";
import type { BackupTargetSession, TreeProgress } from "../plugin/types.ts";
import type { BackupStore } from "../tracker/backup.ts";
import { sleep } from "./retry.ts";

export type RestoreEvent =
  | { type: "restore"; source: string; target: string; round: number }
  | { type: "progress"; source: string; progress: TreeProgress }
  | { type: "warmup"; requested: number; waiting: number }
  | { type: "waiting"; seconds: number; cold: number };

export interface RestoreSummary {
  /** What was restored: one source's name, or `all`. */
  source: string;
  target: string;
  files: number;
  bytes: number;
  /** Objects still in cold storage (the restore is incomplete while this is not 0). */
  cold: number;
  /** Restore requests sent to the archive tier in this invocation. */
  requested: number;
  verified: { matching: number; missing: number; differs: number; extra: number } | null;
  complete: boolean;
}

export interface RestoreOptions {
  session: BackupTargetSession;
  /** Destinations without `warmup` cannot restore cold objects. */
  canWarmUp: boolean;
  /** Records cold-storage state when there is a tracker (a restore on a new machine may have none). */
  store?: BackupStore;
  destinationId?: number;
  /** One source, or every source when unset. */
  source?: string;
  /** Local directory; the source(s) land in `<into>/<name>/`. */
  into: string;
  archive?: string;
  asOf?: string;
  /** Keep polling for cold objects this long (ms); 0 returns at once with what is still cold. */
  waitMs?: number;
  pollMs?: number;
  signal: AbortSignal;
  onEvent?: (event: RestoreEvent) => void;
  now?: () => Date;
}

/** Objects asked for this long ago and still cold are asked for again (Deep Archive Bulk: up to 48 h). */
const ASK_AGAIN_AFTER_MS = 48 * 3600_000;

/** Where cold-storage state is recorded: the tracker's store and the destination's id, when there is a tracker. */
type ColdRecord = { store: BackupStore; id: number } | undefined;

/** What the tracker knew of each cold object before this round. */
type KnownCold = ReturnType<BackupStore["coldObjects"]>;

/** Records as restored every object known to be cold that this round could read. */
function recordReadable(record: ColdRecord, cold: readonly string[]): KnownCold {
  const known: KnownCold = record?.store.coldObjects(record.id) ?? new Map();
  if (record) {
    const readable = [...known].filter(([path, s]) => s.state !== "restored" && !cold.includes(path))
      .map(([path]) => path);
    record.store.setColdState(record.id, { paths: readable, state: "restored" });
  }
  return known;
}

/**
 * Asks the archive tier for the cold objects not asked for yet, or asked for too long ago, and
 * records them; returns how many were asked for.
 */
async function askForCold(
  options: RestoreOptions,
  record: ColdRecord,
  known: KnownCold,
  cold: readonly string[],
): Promise<number> {
  if (!options.canWarmUp) {
    throw new PermanentError(
      `${cold.length} objects are in an archive tier, and this destination cannot ask for them`,
    );
  }
  const at = (options.now ?? (() => new Date()))().getTime();
  const ask = cold.filter((path) => {
    const s = known.get(path);
    return !s || s.state !== "requested" || !s.requestedAt ||
      at - Date.parse(s.requestedAt) > ASK_AGAIN_AFTER_MS;
  });
  record?.store.setColdState(record.id, { paths: cold.filter((p) => !known.has(p)), state: "cold" });
  if (ask.length > 0) {
    await options.session.warmup!(ask);
    record?.store.setColdState(record.id, { paths: ask, state: "requested" });
  }
  return ask.length;
}

/** Compares the restored tree with the backup. */
async function verifyRestored(
  options: RestoreOptions,
  target: string,
): Promise<NonNullable<RestoreSummary["verified"]>> {
  const check = await options.session.verifyTree({
    local: target,
    name: options.source,
    archive: options.archive,
  });
  const count = (k: string) => check.differences.filter((d) => d.kind === k).length;
  return {
    matching: check.matching,
    missing: count("missing-local"),
    differs: count("differs") + count("error"),
    extra: count("missing-remote"),
  };
}

/**
 * Downloads and decrypts one source or all of them into a directory, then verifies the result
 * against the backup. Objects in an archive tier are asked for (once; again only after 48 h) and
 * the restore polls for them while `waitMs` allows; started again, it continues where it stopped.
 */
export async function runRestore(options: RestoreOptions): Promise<RestoreSummary> {
  const emit = options.onEvent ?? (() => {});
  const info = await options.session.prepareBackup({ create: false });
  if (info.state === "new") {
    throw new PermanentError(`there is no backup at ${info.description}; nothing to restore`);
  }
  const target = options.source ? join(options.into, options.source) : options.into;
  const deadline = Date.now() + (options.waitMs ?? 0);
  const source = options.source ?? "all";
  const summary: RestoreSummary = {
    source,
    target,
    files: 0,
    bytes: 0,
    cold: 0,
    requested: 0,
    verified: null,
    complete: false,
  };
  const record: ColdRecord = options.store && options.destinationId !== undefined
    ? { store: options.store, id: options.destinationId }
    : undefined;
  for (let round = 1;; round++) {
    emit({ type: "restore", source, target, round });
    const result = await options.session.restoreTree({
      name: options.source,
      target,
      archive: options.archive,
      asOf: options.asOf,
      onProgress: (p) => emit({ type: "progress", source, progress: p }),
    });
    summary.files += result.files;
    summary.bytes += result.bytes;
    summary.cold = result.cold.length;
    const known = recordReadable(record, result.cold);
    if (result.cold.length === 0) break;
    const asked = await askForCold(options, record, known, result.cold);
    summary.requested += asked;
    emit({ type: "warmup", requested: asked, waiting: result.cold.length });
    const pollMs = options.pollMs ?? 15 * 60_000;
    if (Date.now() + pollMs > deadline) return summary;
    emit({ type: "waiting", seconds: Math.round(pollMs / 1000), cold: result.cold.length });
    await sleep(pollMs, options.signal);
  }
  const verified = await verifyRestored(options, target);
  summary.verified = verified;
  summary.complete = verified.missing === 0 && verified.differs === 0;
  return summary;
}
