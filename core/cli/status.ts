/**
 * `photos-sync status`: what the tracker knows, per destination, and the last runs.
 * Reads only the tracker, so it is instant whatever the library size.
 * @module
 */
import type { Command } from "commander";
import type { Tracker } from "../tracker/mod.ts";
import { flagValues } from "./flags.ts";
import type { CommandContext } from "./mod.ts";
import { formatBytes, type Output } from "./output.ts";
import { Session } from "./session.ts";

export interface StatusReport {
  home: string;
  destinations: {
    destination: string;
    imported: number;
    failed: number;
    skipped: number;
    bytes: number;
    incomplete: number;
  }[];
  runs: {
    id: number;
    command: string;
    status: string;
    startedAt: string;
    endedAt: string | null;
    dryRun: boolean;
  }[];
}

export function statusReport(tracker: Tracker, home: string): StatusReport {
  const destinations = tracker.query<{
    destination: string;
    imported: number;
    failed: number;
    skipped: number;
    bytes: number;
    incomplete: number;
  }>(
    `SELECT destination,
            SUM(status = 'imported') AS imported, SUM(status = 'failed') AS failed, SUM(status = 'skipped') AS skipped,
            COALESCE(SUM(CASE WHEN status = 'imported' THEN size END), 0) AS bytes,
            SUM(status = 'imported' AND incomplete IS NOT NULL AND incomplete != '[]') AS incomplete
     FROM transfers GROUP BY destination ORDER BY destination`,
  );
  const runs = tracker.recentRuns(5).map(({ id, command, status, startedAt, endedAt, dryRun }) => ({
    id,
    command,
    status,
    startedAt,
    endedAt,
    dryRun,
  }));
  return { home, destinations, runs };
}

export function printStatus(output: Output, report: StatusReport): void {
  output.out(`data directory: ${report.home}`);
  if (report.destinations.length === 0) output.out("nothing imported yet; start with: photos-sync import");
  for (const d of report.destinations) {
    output.out(`${d.destination}`);
    output.out(
      `  imported ${d.imported} (${formatBytes(d.bytes)}), failed ${d.failed}, skipped ${d.skipped}`,
    );
    if (d.incomplete > 0) {
      output.out(`  incomplete ${d.incomplete} (e.g. Live Photos without their motion video)`);
    }
  }
  if (report.runs.length > 0) output.out("last runs:");
  for (const r of report.runs) {
    output.out(`  #${r.id} ${r.command}${r.dryRun ? " (dry run)" : ""} ${r.status}, started ${r.startedAt}`);
  }
}

export function registerStatus(program: Command, ctx: CommandContext): void {
  program.command("status")
    .description("show what has been imported where, problems, and the last runs")
    .option("--json", "print the report as one JSON document")
    .action(async (opts: { json?: boolean }, command: Command) => {
      const session = await Session.open({
        plugins: ctx.deps.plugins,
        output: ctx.output,
        flags: flagValues(command),
        env: ctx.deps.env,
        command: "status",
      });
      ctx.setRedactor(session.config.redactor);
      try {
        const report = statusReport(session.tracker, session.config.home);
        if (opts.json) ctx.output.out(JSON.stringify(report, null, 2));
        else printStatus(ctx.output, report);
      } finally {
        await session.close();
      }
    });
}
