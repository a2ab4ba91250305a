/**
 * The document the dashboard, the event stream and the metrics are made from: the `status --json --tracker-only`
 * report, runs in progress with throughput and ETA, the last runs, problems by reason and backup
 * jobs. Everything is read from the tracker, written by other processes.
 *
 * @example
 * ```ts
 * const snapshots = new SnapshotReader(tracker, { home });
 * const doc = snapshots.read();
 * doc.live[0]?.etaSeconds;
 * ```
 * @module
 */
import { statusReport } from "../tracker/status.ts";
import type { RunRow, Tracker } from "../tracker/mod.ts";
import { type BackupStatus, backupStatus } from "./backup_status.ts";
import { problemsByReason, type ProblemSummary } from "./problems.ts";

/** A run in progress, with what its progress record says and what follows from it. */
export interface LiveRun {
  id: number;
  command: string;
  startedAt: string;
  /** When the run last wrote its progress. */
  heartbeatAt: string;
  dryRun: boolean;
  /** Assets finished (imported, already there or failed). */
  done: number;
  failed: number;
  /** Assets found unchanged and passed over. */
  skipped: number;
  bytes: number;
  /** Assets the run has work for, once its listing is spooled (null until then). */
  total: number | null;
  assetsPerSecond: number;
  bytesPerSecond: number;
  /** Seconds left at the current pace, when the total is known. */
  etaSeconds: number | null;
  /** The progress record as the run wrote it (other commands may add fields). */
  progress: unknown;
}

export interface RunView {
  id: number;
  command: string;
  status: RunRow["status"];
  startedAt: string;
  endedAt: string | null;
  dryRun: boolean;
  durationSeconds: number | null;
  summary: unknown;
}

export interface Snapshot {
  generatedAt: string;
  /** Exactly what `photos-sync status --json --tracker-only` prints (no library read, no destination call). */
  status: unknown;
  live: LiveRun[];
  runs: RunView[];
  problems: ProblemSummary[];
  backups: BackupStatus;
}

export interface SnapshotOptions {
  /** The data directory, shown in the status report. */
  home: string;
  /** Builds the status report (default: the one `status --json --tracker-only` prints). */
  status?: (tracker: Tracker, home: string) => unknown;
  /** Where backup jobs come from (default: the tracker's backup tables). */
  backups?: (tracker: Tracker) => BackupStatus;
  /** How many finished runs to list (default 10). */
  runs?: number;
}

const RATE_WINDOW_MS = 60_000;

/** Turns progress records written over time into a recent pace, per run. */
class RateMeter {
  readonly #samples = new Map<number, { t: number; done: number; bytes: number }[]>();

  observe(run: { id: number; at: number; started: number; done: number; bytes: number }) {
    let samples = this.#samples.get(run.id);
    if (!samples) this.#samples.set(run.id, samples = []);
    if (samples.at(-1)?.t !== run.at) samples.push({ t: run.at, done: run.done, bytes: run.bytes });
    while (samples.length > 2 && run.at - samples[0].t > RATE_WINDOW_MS) samples.shift();
    const first = samples[0];
    const span = (run.at - first.t) / 1000;
    // Until the window has a few seconds in it, the average since the start is the better guess.
    if (samples.length >= 2 && span >= 3) {
      return { assets: (run.done - first.done) / span, bytes: (run.bytes - first.bytes) / span };
    }
    const elapsed = (run.at - run.started) / 1000;
    return elapsed > 0 ? { assets: run.done / elapsed, bytes: run.bytes / elapsed } : { assets: 0, bytes: 0 };
  }

  forgetAllBut(ids: Set<number>): void {
    for (const id of this.#samples.keys()) if (!ids.has(id)) this.#samples.delete(id);
  }
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** Reads snapshots from one tracker connection; keeps the pace of live runs between reads. */
export class SnapshotReader {
  readonly #rates = new RateMeter();
  readonly #status: (tracker: Tracker, home: string) => unknown;
  readonly #backups: (tracker: Tracker) => BackupStatus;

  constructor(readonly tracker: Tracker, readonly options: SnapshotOptions) {
    this.#status = options.status ?? statusReport;
    this.#backups = options.backups ?? backupStatus;
  }

  /** Changes when another process committed to the tracker since the last look. */
  get version(): number {
    return this.tracker.dataVersion;
  }

  read(): Snapshot {
    const recent = this.tracker.recentRuns(this.options.runs ?? 10);
    const live = recent.filter((r) => r.status === "running").map((r) => this.#live(r));
    this.#rates.forgetAllBut(new Set(live.map((r) => r.id)));
    return {
      generatedAt: new Date().toISOString(),
      status: this.#status(this.tracker, this.options.home),
      live,
      runs: recent.map((r) => ({
        id: r.id,
        command: r.command,
        status: r.status,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        dryRun: r.dryRun,
        durationSeconds: r.endedAt ? (Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000 : null,
        summary: r.summary,
      })),
      problems: problemsByReason(this.tracker),
      backups: this.#backups(this.tracker),
    };
  }

  #live(run: RunRow): LiveRun {
    const p = (run.progress ?? {}) as Record<string, unknown>;
    const done = count(p.done);
    const bytes = count(p.bytes);
    const skipped = count(p.skipped);
    const total = typeof p.total === "number" && p.total > 0 ? p.total : null;
    const rate = this.#rates.observe({
      id: run.id,
      at: Date.parse(run.heartbeatAt),
      started: Date.parse(run.startedAt),
      done,
      bytes,
    });
    // The total counts the assets with work to do (the engine spools them first); unchanged ones are not in it.
    const remaining = total === null ? null : Math.max(0, total - done);
    return {
      id: run.id,
      command: run.command,
      startedAt: run.startedAt,
      heartbeatAt: run.heartbeatAt,
      dryRun: run.dryRun,
      done,
      failed: count(p.failed),
      skipped,
      bytes,
      total,
      assetsPerSecond: rate.assets,
      bytesPerSecond: rate.bytes,
      etaSeconds: remaining === null
        ? null
        : remaining === 0
        ? 0
        : rate.assets > 0
        ? Math.round(remaining / rate.assets)
        : typeof p.etaSeconds === "number"
        ? p.etaSeconds
        : null,
      progress: run.progress,
    };
  }
}
