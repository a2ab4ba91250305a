/**
 * `backup --status` (the last run's jobs and progress, what `serve` shows) and `backup --reset`
 * (forget a destination's backup history in the tracker; the backup itself is untouched).
 *
 * @example
 * ```ts
 * backupStatusMode(cli);
 * ```
 * @module
 */
import { ConfigError } from "../plugin/errors.ts";
import { backupStatus, type BackupStatusDocument, BackupStore } from "../tracker/backup.ts";
import { type BackupCli, eta } from "./backup_context.ts";
import { formatBytes, type Output } from "./output.ts";

export function backupStatusMode(cli: BackupCli): void {
  const doc = backupStatus(cli.session.tracker, {
    destination: cli.flags.to,
    staleAfterMs: cli.staleAfterMs,
  });
  if (cli.flags.json) cli.output.out(JSON.stringify(doc, null, 2));
  else printBackupStatus(cli.output, doc);
}

/** The status document as text. */
export function printBackupStatus(output: Output, doc: BackupStatusDocument): void {
  if (doc.destinations.length === 0) {
    output.out("no backup has run yet; start with: photos-sync backup --setup");
    return;
  }
  for (const d of doc.destinations) {
    output.out(`${d.name}: ${d.bucket}${d.remotePath ? `/${d.remotePath}` : ""}`);
    output.out(`  last completed backup: ${d.lastBackupAt ?? "never"}`);
    const r = d.run;
    if (!r) continue;
    const owner = r.status === "running"
      ? `, pid ${r.owner.pid} on ${r.owner.host}, heartbeat ${r.heartbeatAt}`
      : r.stale
      ? ` (its process ${r.owner.pid} is gone; the next backup resumes it)`
      : "";
    output.out(`  run #${r.id}: ${r.status.toLowerCase()}${owner}, started ${r.startedAt}`);
    const width = Math.max(...r.jobs.map((j) => j.source.length));
    for (const j of r.jobs) output.out(`    ${j.source.padEnd(width)}  ${jobParts(j).join(" · ")}`);
    const cold = d.cold.cold + d.cold.requested;
    if (cold > 0 || d.cold.restored > 0) {
      output.out(
        `  cold storage: ${d.cold.requested} requested, ${d.cold.cold} not yet, ${d.cold.restored} restored`,
      );
    }
  }
}

type StatusJob = NonNullable<BackupStatusDocument["destinations"][number]["run"]>["jobs"][number];

/** What the status says of one job: its state, sizes, counts, speed and error. */
function jobParts(j: StatusJob): string[] {
  const parts = [j.status.toLowerCase()];
  if (j.bytesTotal > 0 || j.bytesTransferred > 0) {
    parts.push(`${formatBytes(j.bytesTransferred)} / ${formatBytes(j.bytesTotal)}`);
  }
  if (j.filesTotal > 0) parts.push(`${j.filesTransferred}/${j.filesTotal} files`);
  if (j.filesArchived > 0) parts.push(`${j.filesArchived} archived`);
  if (j.status === "running") parts.push(`${formatBytes(j.speed)}/s`, eta(j.etaSeconds));
  if (j.retryCount > 0) parts.push(`${j.retryCount} failed attempts`);
  if (j.error && j.status !== "succeeded") parts.push(`error: ${j.error}`);
  return parts;
}

export async function backupReset(cli: BackupCli): Promise<void> {
  const store = new BackupStore(cli.session.tracker);
  const name = cli.plugin().id.split(".").at(-1)!;
  const destination = store.destination(name);
  if (!destination) throw new ConfigError(`there is no backup history for ${name}; nothing to reset`);
  if (!cli.flags.yes) {
    const answer = await cli.ask(`Forget every backup run of ${name} in the tracker? [y/N] `);
    if (answer === null) throw new ConfigError("--reset needs a terminal to confirm, or --yes");
    if (!/^y(es)?$/i.test(answer)) {
      cli.output.out("nothing was reset");
      return;
    }
  }
  const { runs, jobs } = store.reset(destination.id, { staleAfterMs: cli.staleAfterMs });
  cli.output.out(`forgot ${runs} runs and ${jobs} jobs of ${name}; the backup itself is untouched`);
}
