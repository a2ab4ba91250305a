/**
 * The status report from the tracker's facts: what has been imported where, problems by class,
 * Live Photo and Cinematic completeness, the last runs and backups. One grouped query per
 * destination, instant at any size. Here, below both, because `status` and `serve` both show it.
 *
 * @example
 * ```ts
 * import { Tracker } from "./mod.ts";
 * import { statusReport } from "./status.ts";
 *
 * const home = await Deno.makeTempDir();
 * const tracker = Tracker.open(`${home}/tracker.db`);
 * try {
 *   const report = statusReport(tracker, home);
 *   console.log(report.destinations.map((d) => `${d.destination}: ${d.imported} imported`));
 * } finally {
 *   tracker.close();
 *   await Deno.remove(home, { recursive: true });
 * }
 * ```
 * @module
 */
import { ArchiveStore } from "./archive_state.ts";
import { ColdStore, type ColdTotals, type TierTotals } from "./cold_state.ts";
import { backupStatus } from "./backup.ts";
import type { Tracker } from "./mod.ts";
import { int, type Row, sqlOf, text } from "./sql.ts";

export interface LibraryTotals {
  source: string;
  total: number;
  photos: number;
  videos: number;
  /** Originals on this disk. */
  local: number;
  /** Originals only in iCloud (need `--include-cloud`). */
  iCloudOnly: number;
  /** In Photos' Recently Deleted (never imported). */
  trashed: number;
  bySubtype: Record<string, number>;
  /** Assets not yet at the chosen destination (trashed ones aside). */
  pending?: number;
}

export interface DestinationTotals {
  destination: string;
  imported: number;
  failed: number;
  skipped: number;
  bytes: number;
  /** Imported, but the plan was incomplete (e.g. a Live Photo without its motion video). */
  incomplete: number;
  /** The incomplete assets by what they lack (`RAW file missing`: 2); an asset may lack more than one. */
  incompleteBy: Record<string, number>;
  /** Failed and skipped assets by error class (permanent, retryable, ...). */
  problems: Record<string, number>;
  livePhotos: { total: number; complete: number };
  cinematic: { total: number; withSidecars: number };
  /** Gone from the source, kept here. */
  goneFromSource: number;
  /** Deleted at the destination; not sent again. */
  removedThere: number;
  /** Imported assets by library scope: the owner's own library, or the iCloud Shared Library. */
  byScope: { personal: number; sharedLibrary: number };
}

export interface StatusReport {
  home: string;
  library?: LibraryTotals;
  /** The destination chosen by --to, if it could be reached. */
  reachable?: { destination: string; ok: boolean; description: string; version?: string };
  destinations: DestinationTotals[];
  runs: {
    id: number;
    command: string;
    status: string;
    startedAt: string;
    endedAt: string | null;
    dryRun: boolean;
  }[];
  /**
   * The two-way sync: what the last real sync moved each way, and what waits now (conflicts for
   * `review --resolve`, metadata for Photos). Null before any sync.
   */
  sync: {
    lastRun: {
      endedAt: string | null;
      status: string;
      toRemote: { assets: number; fields: Record<string, number> };
      toPhotos: { assets: number; fields: Record<string, number> };
      /** Of `toPhotos`, the assets whose change was queued for a source that can write it. */
      queuedIntoPhotos: number;
    } | null;
    conflicts: number;
    pendingIntoPhotos: number;
  };
  /** Archived assets per destination, how many left Photos, and the space that freed there. */
  archive: { destination: string; archived: number; removed: number; bytesFreed: number }[];
  /** Per destination, the three tiers of what it was sent: in Photos, there, cold (`archive --cold`). */
  tiers: TierTotals[];
  /** Per cold target: the assets whose bundle is verified there, their bytes and the stored (billed) bytes. */
  cold: ColdTotals[];
  /** Per backup destination: the last complete backup and the newest run (as `backup --status` sees them). */
  backups: {
    name: string;
    lastBackupAt: string | null;
    newestRun: {
      status: string;
      startedAt: string;
      endedAt: string | null;
      jobsCompleted: number;
      jobs: number;
    } | null;
  }[];
}

/** One destination's row of the grouped query, with its problems by class. */
function destinationTotalsOf(
  r: Row,
  problems: { destination: string; cls: string; n: number }[],
  lacking: { destination: string; reason: string; n: number }[],
): DestinationTotals {
  const destination = text(r, "destination");
  return {
    destination,
    imported: int(r, "imported"),
    failed: int(r, "failed"),
    skipped: int(r, "skipped"),
    bytes: int(r, "bytes"),
    incomplete: int(r, "incomplete"),
    incompleteBy: Object.fromEntries(
      lacking.filter((l) => l.destination === destination).map((l) => [l.reason, l.n]),
    ),
    problems: Object.fromEntries(
      problems.filter((p) => p.destination === destination).map((p) => [p.cls, p.n]),
    ),
    livePhotos: { total: int(r, "live"), complete: int(r, "live_complete") },
    cinematic: { total: int(r, "cinematic"), withSidecars: int(r, "cinematic_sidecars") },
    goneFromSource: int(r, "gone"),
    removedThere: int(r, "removed"),
    byScope: {
      personal: int(r, "imported") - int(r, "shared_library"),
      sharedLibrary: int(r, "shared_library"),
    },
  };
}

/** The tracker's part of the report; `extra` adds what needs the source or destination. */
export function statusReport(
  tracker: Tracker,
  home: string,
  extra: Pick<StatusReport, "library" | "reachable"> = {},
): StatusReport {
  const sql = sqlOf(tracker);
  const problems = sql.all(
    `SELECT destination, COALESCE(error_class, status) AS cls, COUNT(*) AS n FROM transfers
     WHERE status IN ('failed', 'skipped') GROUP BY destination, cls`,
    {},
    (r) => ({ destination: text(r, "destination"), cls: text(r, "cls"), n: int(r, "n") }),
  );
  const lacking = sql.all(
    `SELECT t.destination, j.value AS reason, COUNT(*) AS n FROM transfers t, json_each(t.incomplete) j
     WHERE t.status = 'imported' AND json_valid(t.incomplete) AND t.incomplete != '[]'
     GROUP BY t.destination, j.value ORDER BY n DESC, reason`,
    {},
    (r) => ({ destination: text(r, "destination"), reason: text(r, "reason"), n: int(r, "n") }),
  );
  const destinations = sql.all(
    `SELECT t.destination,
       SUM(t.status = 'imported') AS imported, SUM(t.status = 'failed') AS failed, SUM(t.status = 'skipped') AS skipped,
       COALESCE(SUM(CASE WHEN t.status = 'imported' THEN t.size END), 0) AS bytes,
       SUM(t.status = 'imported' AND t.incomplete IS NOT NULL AND t.incomplete != '[]') AS incomplete,
       SUM(t.status = 'imported' AND t.tags LIKE '%"live"%') AS live,
       SUM(t.status = 'imported' AND t.tags LIKE '%"live"%' AND t.incomplete NOT LIKE '%motion%') AS live_complete,
       SUM(t.status = 'imported' AND t.tags LIKE '%"cinematic"%') AS cinematic,
       SUM(t.status = 'imported' AND t.tags LIKE '%"cinematic"%' AND EXISTS (
         SELECT 1 FROM resources r WHERE r.source = t.source AND r.asset_id = t.asset_id
           AND r.destination = t.destination AND r.role IN ('adjustment', 'adjustment_base', 'sidecar'))) AS cinematic_sidecars,
       SUM(a.gone_at IS NOT NULL) AS gone, SUM(t.remote_gone_at IS NOT NULL) AS removed,
       SUM(t.status = 'imported' AND t.tags LIKE '%"shared-library"%') AS shared_library
     FROM transfers t JOIN assets a USING (source, asset_id)
     GROUP BY t.destination ORDER BY t.destination`,
    {},
    (r) => destinationTotalsOf(r, problems, lacking),
  );
  const runs = tracker.recentRuns(5).map(({ id, command, status, startedAt, endedAt, dryRun }) => ({
    id,
    command,
    status,
    startedAt,
    endedAt,
    dryRun,
  }));
  const backups = backupStatus(tracker).destinations.map((d) => ({
    name: d.name,
    lastBackupAt: d.lastBackupAt,
    newestRun: d.run && {
      status: d.run.status,
      startedAt: d.run.startedAt,
      endedAt: d.run.endedAt,
      jobsCompleted: d.counts.succeeded,
      jobs: d.run.jobs.length,
    },
  }));
  const archive = new ArchiveStore(tracker).totals();
  const cold = new ColdStore(tracker);
  return {
    home,
    ...extra,
    destinations,
    runs,
    sync: syncTotals(tracker),
    archive,
    tiers: cold.tiers(),
    cold: cold.totals(),
    backups,
  };
}

/** The last real sync's moves (from its recorded summary) and what waits now. */
function syncTotals(tracker: Tracker): StatusReport["sync"] {
  const sql = sqlOf(tracker);
  const last = tracker.recentRuns(50).find((r) => r.command === "sync" && !r.dryRun && r.endedAt !== null);
  const summary = (last?.summary ?? {}) as {
    toRemote?: unknown;
    toPhotos?: unknown;
    queuedIntoPhotos?: unknown;
  };
  const moved = (v: unknown) =>
    (v && typeof v === "object" ? v : { assets: 0, fields: {} }) as {
      assets: number;
      fields: Record<string, number>;
    };
  const count = (table: string) => sql.get(`SELECT COUNT(*) AS n FROM ${table}`, {}, (r) => int(r, "n")) ?? 0;
  return {
    lastRun: last
      ? {
        endedAt: last.endedAt,
        status: last.status,
        toRemote: moved(summary.toRemote),
        toPhotos: moved(summary.toPhotos),
        queuedIntoPhotos: typeof summary.queuedIntoPhotos === "number" ? summary.queuedIntoPhotos : 0,
      }
      : null,
    conflicts:
      sql.get(`SELECT COUNT(*) AS n FROM sync_conflicts WHERE resolution IS NULL`, {}, (r) => int(r, "n")) ??
        0,
    pendingIntoPhotos: count("pending_writes"),
  };
}
