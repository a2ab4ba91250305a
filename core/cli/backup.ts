/**
 * `photos-sync backup`: encrypted offsite backup of Immich's files and this tool's data directory
 * to a destination with the "backup" capability (`b2`, `glacier`), and everything around it:
 * `--check`, `--setup`, `--status`, `--reset`, `--verify` and `--restore`. This file holds the
 * flags and picks the mode; each mode has its own file (`backup_*.ts`).
 * @module
 */
import type { Command } from "./parser.ts";
import { Option } from "./parser.ts";
import { ConfigError } from "../plugin/errors.ts";
import type { DestinationPlugin } from "../plugin/types.ts";
import { backupCheck } from "./backup_check.ts";
import { backupVerifyCold } from "./backup_cold.ts";
import { BackupCli, type BackupFlags } from "./backup_context.ts";
import { backupRestore, backupVerify } from "./backup_restore.ts";
import { backupRun } from "./backup_run.ts";
import { backupSetup } from "./backup_setup.ts";
import { backupReset, backupStatusMode } from "./backup_status.ts";
import { addCoreFlags, addPluginFlags, flagValues } from "./flags.ts";
import type { CommandContext } from "./command_context.ts";
import { Session } from "./session.ts";

/** Each mode's flag and what it runs; without one, a backup run. */
const MODES = {
  check: backupCheck,
  setup: backupSetup,
  status: backupStatusMode,
  reset: backupReset,
  verify: backupVerify,
  verifyCold: backupVerifyCold,
  restore: backupRestore,
} satisfies Record<string, (cli: BackupCli) => Promise<void> | void>;

type Mode = keyof typeof MODES;

export function registerBackup(program: Command, ctx: CommandContext): void {
  const cmd = program.command("backup")
    .description("encrypted offsite backup of Immich and this tool's data through rclone (B2, Glacier)")
    .option(
      "--check",
      "check rclone, the credentials, BACKUP_IMMICH_PATH and the destination; change nothing",
    )
    .option("--setup", "prepare a destination: credentials, encryption marker, versioning (asks, or --yes)")
    .option("--status", "show the last run's jobs and progress (what `serve` shows)")
    .option("--reset", "forget this destination's backup history in the tracker (remote data is kept)")
    .option("--verify [source]", "compare the sources with the backup (rclone cryptcheck); one source or all")
    .option(
      "--verify-cold [n]",
      "check the cold copies of archived assets at their targets (all, or n at random)",
    )
    .option("--restore [source]", "download and decrypt one source or all into --into, verified")
    .option("--to <name>", "destination: b2 (default), glacier (env BACKUP_TO)")
    .option(
      "--force",
      "take over a run whose owner cannot be proven dead; back up a source that became empty",
    )
    .option("--dry-run", "show what would be copied and archived; change nothing anywhere")
    .option("--json", "JSON output (events then a summary, or one document)")
    .option("--yes", "answer yes to --setup and --reset questions")
    .option("--into <dir>", "--restore: the directory to restore into")
    .option(
      "--archive <stamp>",
      "--restore: restore this archive area (replaced and deleted files of one run)",
    )
    .option("--as-of <time>", "--restore: the tree as it was at this ISO time (glacier, from versions)")
    .addOption(
      new Option("--wait <minutes>", "--restore: wait this long for objects in cold storage").default("0"),
    );
  addCoreFlags(cmd, [
    "backup-immich-path",
    "backup-stats-interval",
    "backup-max-retries",
    "backup-retention-days",
    "backup-credentials",
    "backup-op-vault",
    "backup-op-item",
  ]);
  addPluginFlags(cmd, backupPlugins(ctx), { choice: ctx.chosen, roles: ["backup-to"] });
  cmd.action(async (flags: BackupFlags, command: Command) => {
    const modes = (Object.keys(MODES) as Mode[]).filter((m) => flags[m] !== undefined && flags[m] !== false);
    if (modes.length > 1) {
      throw new ConfigError(`--${modes.join(" and --")} cannot be combined; run them one at a time`);
    }
    const session = await Session.open({
      plugins: ctx.deps.plugins,
      output: ctx.output,
      flags: flagValues(command),
      env: ctx.deps.env,
      command: "backup",
      dryRun: flags.dryRun,
      verbose: command.optsWithGlobals<{ verbose?: boolean }>().verbose,
      stops: ctx.stops,
    });
    ctx.setRedactor(session.config.redactor);
    try {
      const cli = new BackupCli(session, ctx.output, flags);
      return await (modes[0] ? MODES[modes[0]] : backupRun)(cli);
    } finally {
      await session.close();
    }
  });
}

function backupPlugins(ctx: CommandContext): DestinationPlugin[] {
  return ctx.deps.plugins.filter((p): p is DestinationPlugin =>
    p.kind === "destination" && p.backup !== undefined
  );
}
