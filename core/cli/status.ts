/**
 * `photos-sync status`: the library (from the source's own facts, one listing), what has been
 * imported where, problems by reason, Live Photo and Cinematic completeness, whether the destination
 * answers, and the last runs. The tracker part is one grouped query per destination, instant at any size.
 * @module
 */
import type { Command } from "commander";
import { needsDownload } from "../model/asset.ts";
import { messageOf } from "../plugin/errors.ts";
import { backupStatus } from "../tracker/backup.ts";
import type { Tracker } from "../tracker/mod.ts";
import { addCoreFlags, addPluginFlags, flagValues } from "./flags.ts";
import type { CommandContext } from "./mod.ts";
import { formatBytes, type Output } from "./output.ts";
import { Session } from "./session.ts";

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
  /** Failed and skipped assets by error class (permanent, retryable, ...). */
  problems: Record<string, number>;
  livePhotos: { total: number; complete: number };
  cinematic: { total: number; withSidecars: number };
  /** Gone from the source, kept here. */
  goneFromSource: number;
  /** Deleted at the destination; not sent again. */
  removedThere: number;
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

/** The tracker's part of the report; `extra` adds what needs the source or destination. */
export function statusReport(
  tracker: Tracker,
  home: string,
  extra: Pick<StatusReport, "library" | "reachable"> = {},
): StatusReport {
  const rows = tracker.query<Record<string, string | number>>(
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
       SUM(a.gone_at IS NOT NULL) AS gone, SUM(t.remote_gone_at IS NOT NULL) AS removed
     FROM transfers t JOIN assets a USING (source, asset_id)
     GROUP BY t.destination ORDER BY t.destination`,
  );
  const problems = tracker.query<{ destination: string; cls: string; n: number }>(
    `SELECT destination, COALESCE(error_class, status) AS cls, COUNT(*) AS n FROM transfers
     WHERE status IN ('failed', 'skipped') GROUP BY destination, cls`,
  );
  const destinations = rows.map((r): DestinationTotals => ({
    destination: r.destination as string,
    imported: Number(r.imported),
    failed: Number(r.failed),
    skipped: Number(r.skipped),
    bytes: Number(r.bytes),
    incomplete: Number(r.incomplete),
    problems: Object.fromEntries(
      problems.filter((p) => p.destination === r.destination).map((p) => [p.cls, p.n]),
    ),
    livePhotos: { total: Number(r.live), complete: Number(r.live_complete) },
    cinematic: { total: Number(r.cinematic), withSidecars: Number(r.cinematic_sidecars) },
    goneFromSource: Number(r.gone),
    removedThere: Number(r.removed),
  }));
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
      jobsCompleted: d.counts.COMPLETED,
      jobs: d.run.jobs.length,
    },
  }));
  return { home, ...extra, destinations, runs, backups };
}

export function printStatus(output: Output, report: StatusReport): void {
  output.out(`data directory: ${report.home}`);
  const lib = report.library;
  if (lib) {
    output.out(`library (${lib.source}): ${lib.total} assets, ${lib.photos} photos, ${lib.videos} videos`);
    output.out(
      `  originals on disk ${lib.local}, only in iCloud ${lib.iCloudOnly}, recently deleted ${lib.trashed}`,
    );
    const subtypes = Object.entries(lib.bySubtype).map(([k, n]) => `${n} ${k}`).join(", ");
    if (subtypes) output.out(`  ${subtypes}`);
    if (lib.pending !== undefined) output.out(`  not yet imported: ${lib.pending}`);
  }
  if (report.reachable) {
    const r = report.reachable;
    output.out(`destination ${r.destination}: ${r.ok ? "reachable" : "NOT reachable"}, ${r.description}`);
  }
  if (report.destinations.length === 0) output.out("nothing imported yet; start with: photos-sync import");
  for (const d of report.destinations) {
    output.out(`${d.destination}`);
    output.out(
      `  imported ${d.imported} (${formatBytes(d.bytes)}), failed ${d.failed}, skipped ${d.skipped}`,
    );
    const problems = Object.entries(d.problems).map(([k, n]) => `${n} ${k}`).join(", ");
    if (problems) output.out(`  problems: ${problems} (see: photos-sync review)`);
    if (d.livePhotos.total > 0) {
      output.out(`  Live Photos ${d.livePhotos.total}, complete ${d.livePhotos.complete}`);
    }
    if (d.cinematic.total > 0) {
      output.out(`  Cinematic ${d.cinematic.total}, with sidecars ${d.cinematic.withSidecars}`);
    }
    if (d.incomplete > 0) {
      output.out(`  incomplete ${d.incomplete} (finish with: photos-sync reclassify --repair)`);
    }
    if (d.goneFromSource > 0) output.out(`  gone from the source, kept here: ${d.goneFromSource}`);
    if (d.removedThere > 0) output.out(`  deleted there, not sent again: ${d.removedThere}`);
  }
  for (const b of report.backups) {
    const newest = b.newestRun
      ? `, newest run ${b.newestRun.status} (${b.newestRun.jobsCompleted} of ${b.newestRun.jobs} jobs done)`
      : "";
    output.out(`backup ${b.name}: last complete ${b.lastBackupAt ?? "never"}${newest}`);
  }
  if (report.runs.length > 0) output.out("last runs:");
  for (const r of report.runs) {
    output.out(`  #${r.id} ${r.command}${r.dryRun ? " (dry run)" : ""} ${r.status}, started ${r.startedAt}`);
  }
}

/** Lists the source once and counts from its facts (no sampling); pending against one destination. */
async function libraryTotals(session: Session, destinationKey?: string): Promise<LibraryTotals> {
  const source = await session.openSource();
  const states = destinationKey ? session.tracker.transfers(source.session.key, destinationKey) : undefined;
  const totals: LibraryTotals = {
    source: source.id,
    total: 0,
    photos: 0,
    videos: 0,
    local: 0,
    iCloudOnly: 0,
    trashed: 0,
    bySubtype: {},
    pending: states ? 0 : undefined,
  };
  for await (const asset of source.session.list()) {
    totals.total++;
    if (asset.kind === "photo") totals.photos++;
    else totals.videos++;
    if (asset.trashed) totals.trashed++;
    if (needsDownload(asset)) totals.iCloudOnly++;
    else totals.local++;
    for (const s of asset.subtypes) totals.bySubtype[s] = (totals.bySubtype[s] ?? 0) + 1;
    if (states && !asset.trashed && states.get(asset.id)?.status !== "imported") totals.pending!++;
  }
  return totals;
}

export function registerStatus(program: Command, ctx: CommandContext): void {
  const cmd = program.command("status")
    .description("the library, what has been imported where, problems, and the last runs")
    .option("--json", "print the report as one JSON document")
    .option("--offline", "do not contact the destination")
    .option("--tracker-only", "read neither the library nor the destination: only what the tracker knows");
  addCoreFlags(cmd, ["source", "library", "to"]);
  addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind !== "handler"), {
    choice: ctx.chosen,
    roles: ["source", "to"],
  });
  cmd.action(async (opts: { json?: boolean; offline?: boolean; trackerOnly?: boolean }, command: Command) => {
    const session = await Session.open({
      plugins: ctx.deps.plugins,
      output: ctx.output,
      flags: flagValues(command),
      env: ctx.deps.env,
      command: "status",
    });
    ctx.setRedactor(session.config.redactor);
    try {
      const extra: Pick<StatusReport, "library" | "reachable"> = {};
      let destinationKey: string | undefined;
      if (!opts.offline && !opts.trackerOnly) {
        const name = String(session.config.core.to);
        try {
          const d = await session.openDestination();
          destinationKey = d.session.key;
          extra.reachable = { destination: d.session.key, ok: true, description: d.description };
        } catch (e) {
          extra.reachable = { destination: name, ok: false, description: messageOf(e) };
        }
      }
      // The library is read only when one is configured (PhotoKit always has the system library).
      const wantLibrary = !opts.trackerOnly &&
        (session.config.core.library !== undefined || session.config.core.source === "photokit");
      if (wantLibrary) extra.library = await libraryTotals(session, destinationKey);
      const report = statusReport(session.tracker, session.config.home, extra);
      if (opts.json) ctx.output.out(JSON.stringify(report, null, 2));
      else printStatus(ctx.output, report);
    } finally {
      await session.close();
    }
  });
}
