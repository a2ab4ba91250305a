/**
 * `photos-sync status`: the library (from the source's own facts, one listing), what has been
 * imported where, problems by reason, Live Photo and Cinematic completeness, whether the destination
 * answers, and the last runs. The tracker part is `statusReport` (core/tracker/status.ts), shared with `serve`.
 * @module
 */
import type { Command } from "./parser.ts";
import { needsDownload } from "../model/asset.ts";
import { ConfigError, messageOf } from "../plugin/errors.ts";
import { type LibraryTotals, type StatusReport, statusReport } from "../tracker/status.ts";
import { addCoreFlags, addPluginFlags, flagValues } from "./flags.ts";
import type { CommandContext } from "./command_context.ts";
import { formatBytes, type Output } from "./output.ts";
import { Session } from "./session.ts";
import { printAssetTiers } from "./status_assets.ts";

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
      // The advice holds once the files are back: a repair alone cannot send what the library lacks.
      const what = Object.entries(d.incompleteBy).map(([reason, n]) => `${reason} ${n}`).join(", ");
      output.out(
        `  incomplete ${d.incomplete}${what ? `: ${what}` : ""} (once the library has what they lack, ` +
          `e.g. downloaded from iCloud: photos-sync reclassify --repair)`,
      );
    }
    if (d.goneFromSource > 0) output.out(`  gone from the source, kept here: ${d.goneFromSource}`);
    if (d.removedThere > 0) output.out(`  deleted there, not sent again: ${d.removedThere}`);
    if (d.byScope.sharedLibrary > 0) {
      output.out(
        `  from the iCloud Shared Library: ${d.byScope.sharedLibrary}, own library: ${d.byScope.personal}`,
      );
    }
  }
  printTiers(output, report);
  const sync = report.sync;
  if (sync.lastRun) {
    const { toRemote, toPhotos, queuedIntoPhotos: queued } = sync.lastRun;
    output.out(
      `last sync ${sync.lastRun.status} at ${sync.lastRun.endedAt}: ${toRemote.assets} assets to the destination, ` +
        `${toPhotos.assets - queued} into Photos${queued > 0 ? `, ${queued} queued for Photos` : ""}`,
    );
  }
  if (sync.conflicts > 0) {
    output.out(`  ${sync.conflicts} fields changed on both sides (see: photos-sync review --conflicts)`);
  }
  if (sync.pendingIntoPhotos > 0) {
    output.out(`  ${sync.pendingIntoPhotos} assets with changes waiting to be written into Photos`);
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

interface StatusFlags {
  json?: boolean;
  offline?: boolean;
  trackerOnly?: boolean;
  assets?: boolean;
  query?: string;
}

export function registerStatus(program: Command, ctx: CommandContext): void {
  const cmd = program.command("status")
    .description("the library, what has been imported where, problems, and the last runs")
    .option("--json", "print the report as one JSON document")
    .option("--offline", "do not contact the destination")
    .option("--tracker-only", "read neither the library nor the destination: only what the tracker knows")
    .option("--assets", "one line per imported asset: in Photos, in the destination, cold (from the tracker)")
    .option("--query <expr>", "with --assets: only the assets matching this archive --query expression");
  addCoreFlags(cmd, ["source", "library", "to"]);
  addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind !== "handler"), {
    choice: ctx.chosen,
    roles: ["source", "to"],
  });
  cmd.action(async (opts: StatusFlags, command: Command) => {
    if (opts.query !== undefined && !opts.assets) throw new ConfigError("--query goes with --assets");
    const session = await Session.open({
      plugins: ctx.deps.plugins,
      output: ctx.output,
      flags: flagValues(command),
      env: ctx.deps.env,
      command: "status",
    });
    ctx.setRedactor(session.config.redactor);
    try {
      if (opts.assets) {
        printAssetTiers(ctx.output, session.tracker, opts);
        return;
      }
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

/** What is archived, the three tiers (in Photos, there, cold) once any asset left one, and each cold target. */
function printTiers(output: Output, report: StatusReport): void {
  for (const a of report.archive) {
    output.out(
      `archived at ${a.destination}: ${a.archived} assets, ${a.removed} removed from Photos ` +
        `(${formatBytes(a.bytesFreed)} freed there)`,
    );
  }
  for (const t of report.tiers.filter((t) => t.cold.assets > 0 || t.photos.assets < t.atDestination.assets)) {
    output.out(
      `tiers of ${t.destination}: in Photos ${t.photos.assets} (${formatBytes(t.photos.bytes)}), ` +
        `there ${t.atDestination.assets} (${formatBytes(t.atDestination.bytes)}), ` +
        `cold ${t.cold.assets} (${formatBytes(t.cold.bytes)})`,
    );
  }
  for (const c of report.cold) {
    output.out(
      `cold at ${c.target}: ${c.assets} assets (${formatBytes(c.bytes)}, ${
        formatBytes(c.storedBytes)
      } stored), ` +
        `${c.removedFromDestination} removed from Immich`,
    );
  }
}
