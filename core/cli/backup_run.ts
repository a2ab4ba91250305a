/**
 * `photos-sync backup` without a mode: one backup run, its events as lines (or JSON), then a
 * summary per job. Exits 1 when a job failed.
 *
 * @example
 * ```ts
 * await backupRun(new BackupCli(session, output, flags));
 * ```
 * @module
 */
import { join } from "node:path";
import { type BackupEvent, type BackupSummary, runBackup } from "../engine/backup.ts";
import type { BackupJobSummary } from "../engine/backup_job.ts";
import { TRACKER_SNAPSHOT } from "../engine/backup_sources.ts";
import { type BackupDestination, BackupStore } from "../tracker/backup.ts";
import type { Tracker } from "../tracker/mod.ts";
import { type BackupCli, files, progressLine } from "./backup_context.ts";
import { ExitCode } from "./command_context.ts";
import { formatBytes, type Output } from "./output.ts";
import { formatDuration } from "./run.ts";

export async function backupRun(cli: BackupCli): Promise<void> {
  const { output, flags } = cli;
  const sources = await cli.sources();
  const { session: destination, row } = await cli.open();
  const store = new BackupStore(cli.session.tracker);
  const record: BackupDestination = flags.dryRun
    ? store.destination(row.name) ?? { id: -1, createdAt: "", lastBackupAt: null, ...row }
    : store.saveDestination(row);
  const interactive = output.interactive && !flags.json;
  let summary: BackupSummary;
  try {
    summary = await runBackup({
      store,
      destination: record,
      session: destination,
      sources,
      dryRun: flags.dryRun ?? false,
      force: flags.force,
      maxRetries: Math.max(1, Number(cli.core["backup-max-retries"])),
      statsSeconds: interactive ? 1 : cli.statsSeconds,
      ownerStatsSeconds: cli.statsSeconds,
      staleAfterMs: cli.staleAfterMs,
      retentionDays: Number(cli.core["backup-retention-days"]),
      snapshot: () => snapshotTracker(cli.session.tracker, cli.session.config.home),
      signal: cli.session.abort.signal,
      onEvent: (e) => flags.json ? output.out(JSON.stringify(e)) : printEvent(output, e),
    });
  } catch (e) {
    output.status("");
    throw e; // a signal's interruption is reported by runCli, with the signal's exit code
  }
  output.status("");
  if (flags.json) output.out(JSON.stringify({ type: "summary", ...summary }));
  else printSummary(output, summary);
  if (summary.status !== "succeeded") throw new ExitCode(1);
}

/**
 * VACUUM INTO writes a consistent copy while the tracker stays in use; then it is renamed into
 * place, so the data job never sees a half-written file.
 */
async function snapshotTracker(tracker: Tracker, home: string): Promise<void> {
  const path = join(home, TRACKER_SNAPSHOT);
  await Deno.mkdir(join(path, ".."), { recursive: true });
  const tmp = `${path}.tmp`;
  await Deno.remove(tmp).catch(() => {});
  tracker.snapshotTo(tmp);
  await Deno.rename(tmp, path);
}

function printEvent(output: Output, e: BackupEvent): void {
  switch (e.type) {
    case "run":
      output.err(
        e.dryRun
          ? `dry run: backup to ${e.description}; nothing will be changed`
          : `${e.resumed ? "resuming" : "starting"} backup run #${e.runId} to ${e.description}`,
      );
      break;
    case "waiting":
      output.err(`waiting ${e.seconds} s ${e.reason}`);
      break;
    case "job":
      output.err(`${e.source}: ${e.attempt > 1 ? `attempt ${e.attempt}, ` : ""}backing up ${e.path}`);
      break;
    case "progress":
      output.status(progressLine(e.source, e.progress));
      break;
    case "retry":
      output.err(`${e.source}: ${e.error}; trying again in ${Math.round(e.delayMs / 1000)} s`);
      break;
    case "job-end":
      if (e.status === "failed") output.err(`${e.source}: failed: ${e.error}`);
      break;
    case "pruned":
      output.err(`removed the archive area ${e.archive} (older than the retention)`);
      break;
    case "warning":
      output.err(`warning: ${e.message}`);
      break;
  }
}

/** How one job ended, after its name in the summary. */
function jobLine(j: BackupJobSummary): string {
  switch (j.status) {
    case "dry-run":
      return `would copy ${files(j.wouldCopy ?? 0)} (${
        formatBytes(j.bytes)
      }), would archive ${j.wouldArchive}`;
    case "succeeded":
      return `completed: ${j.copied} copied (${formatBytes(j.bytes)}), ${j.archived} archived`;
    case "skipped":
      return "completed earlier in this run";
    case "interrupted":
      return "not finished";
    case "failed":
      return `FAILED${j.attempts > 1 ? ` after ${j.attempts} attempts` : ""}: ${j.error}`;
  }
}

function printSummary(output: Output, s: BackupSummary): void {
  const head = s.dryRun
    ? `dry run of the backup to ${s.destination}: nothing was changed`
    : `backup run #${s.runId} to ${s.destination}: ${s.status.toLowerCase()} in ${
      formatDuration(s.durationMs / 1000)
    }`;
  output.out(head);
  const width = Math.max(...s.jobs.map((j) => j.source.length));
  for (const j of s.jobs) output.out(`  ${j.source.padEnd(width)}  ${jobLine(j)}`);
  if (s.pruned.length > 0) output.out(`  removed ${s.pruned.length} expired archive areas`);
  const failed = s.jobs.filter((j) => j.status === "failed").length;
  if (failed > 0) output.out(`${failed} of ${s.jobs.length} jobs failed; run backup again to retry them`);
}
