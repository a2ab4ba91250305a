/**
 * `backup --verify [source]` (compare the sources with the backup) and `backup --restore [source]`
 * (download and decrypt into `--into`, waiting for cold storage while `--wait` allows, verified).
 * Both exit 1 when the result differs from the backup.
 *
 * @example
 * ```ts
 * await backupRestore(cli);
 * ```
 * @module
 */
import { resolve } from "node:path";
import { type RestoreEvent, type RestoreSummary, runRestore } from "../engine/backup_restore.ts";
import { verifyBackup } from "../engine/backup_verify.ts";
import { verifyColdTier } from "./backup_cold.ts";
import { ConfigError, errorKind, messageOf, PermanentError } from "../plugin/errors.ts";
import type { BackupTargetSession } from "../plugin/types.ts";
import { BackupStore } from "../tracker/backup.ts";
import { type BackupCli, type BackupFlags, files, progressLine } from "./backup_context.ts";
import { ExitCode } from "./command_context.ts";
import { formatBytes, type Output } from "./output.ts";

export async function backupVerify(cli: BackupCli): Promise<void> {
  const { output, flags } = cli;
  const only = typeof flags.verify === "string" ? flags.verify : undefined;
  const sources = await cli.sources(only);
  const { session } = await cli.open();
  const results = await verifyBackup(session, sources);
  if (flags.json) output.out(JSON.stringify({ type: "verify", results }, null, 2));
  // Archived assets kept cold are part of what a verify vouches for.
  let problems = await verifyColdTier(cli.session, output, { json: flags.json });
  for (const r of results) {
    const issues = r.notBackedUp + r.onlyInBackup + r.differs;
    problems += issues;
    if (flags.json) continue;
    output.out(
      `${r.source}: ${r.matching} match` +
        (issues === 0
          ? ""
          : `, ${r.notBackedUp} not backed up yet, ${r.onlyInBackup} only in the backup, ${r.differs} differ`),
    );
    for (const ex of r.examples) output.out(`    ${ex}`);
  }
  if (problems > 0) {
    if (!flags.json) output.out("the backup differs from the sources; a backup run brings it up to date");
    throw new ExitCode(1);
  }
}

/** Where to restore into and how long to wait; refuses flags that do not go together. */
function restoreFlags(flags: BackupFlags): { into: string; waitMs: number } {
  if (!flags.into) throw new ConfigError("--restore needs --into DIR, the directory to restore into");
  if (flags.archive && flags.asOf) throw new ConfigError("--archive and --as-of cannot be combined");
  const wait = Number(flags.wait ?? 0);
  if (!Number.isFinite(wait) || wait < 0) {
    throw new ConfigError(`--wait must be minutes, got ${flags.wait}`);
  }
  return { into: resolve(flags.into), waitMs: wait * 60_000 };
}

export async function backupRestore(cli: BackupCli): Promise<void> {
  const { flags, output } = cli;
  const { into, waitMs } = restoreFlags(flags);
  const only = typeof flags.restore === "string" ? flags.restore : undefined;
  const { session, row } = await cli.open();
  const store = new BackupStore(cli.session.tracker);
  const destination = store.destination(row.name) ?? store.saveDestination(row);
  let summary: RestoreSummary;
  try {
    summary = await runRestore({
      session,
      canWarmUp: session.warmup !== undefined,
      store,
      destinationId: destination.id,
      source: only,
      into,
      archive: flags.archive,
      asOf: flags.asOf,
      waitMs,
      signal: cli.session.abort.signal,
      onEvent: (e) => flags.json ? output.out(JSON.stringify(e)) : printEvent(output, e),
    });
  } catch (e) {
    output.status("");
    throw await withArchiveAreas(e, session, flags);
  }
  output.status("");
  if (flags.json) output.out(JSON.stringify({ type: "summary", ...summary }));
  else printSummary(output, summary);
  if (!summary.complete) throw new ExitCode(1);
}

/** An archive area that is not there: the error lists the ones that are. */
async function withArchiveAreas(
  e: unknown,
  session: BackupTargetSession,
  flags: BackupFlags,
): Promise<unknown> {
  if (errorKind(e) !== "permanent" || !flags.archive || !/not in the backup/.test(messageOf(e))) return e;
  const areas = await session.archives();
  return new PermanentError(
    `${messageOf(e)}; archive areas: ${areas.length > 0 ? areas.join(", ") : "none"}`,
  );
}

function printEvent(output: Output, e: RestoreEvent): void {
  if (e.type === "progress") output.status(progressLine(`restoring ${e.source}`, e.progress));
  else if (e.type === "warmup") {
    output.err(`${e.waiting} objects are in cold storage; asked for ${e.requested} of them now`);
  } else if (e.type === "waiting") {
    output.err(`waiting ${e.seconds} s for ${e.cold} objects to warm up`);
  }
}

function printSummary(output: Output, summary: RestoreSummary): void {
  output.out(`restored ${files(summary.files)} (${formatBytes(summary.bytes)}) into ${summary.target}`);
  if (summary.cold > 0) {
    output.out(
      `${files(summary.cold)} still in cold storage (asked for ${summary.requested} now). Glacier takes ` +
        `hours (Deep Archive Bulk: up to 48 h); run the same command again later, or with --wait MINUTES. ` +
        `It continues where it stopped and does not ask twice`,
    );
  } else if (summary.verified) {
    const v = summary.verified;
    output.out(
      summary.complete
        ? `verified: ${v.matching} files match the backup`
        : `VERIFY FAILED: ${v.missing} missing, ${v.differs} differ (${v.matching} match)`,
    );
    if (v.extra > 0) output.out(`note: ${v.extra} files in ${summary.target} are not from the backup`);
  }
}
