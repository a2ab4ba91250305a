/**
 * `photos-sync schedule install|remove|status`: runs sync (and optionally backup and serve) in the
 * background, as a per-user LaunchAgent on macOS or systemd user units on Linux.
 * @module
 */
import type { Command } from "./parser.ts";
import { join, resolve } from "node:path";
import { loadConfig } from "../config/mod.ts";
import { envFileWarning } from "../config/private_files.ts";
import { existsSync } from "node:fs";
import { Tracker } from "../tracker/mod.ts";
import { remembered } from "../tracker/identity.ts";
import { ConfigError } from "../plugin/errors.ts";
import { checkScheduledConfig, jobsEnvFile } from "../schedule/config_check.ts";
import {
  formatInterval,
  jobNetworkEnv,
  parseInterval,
  type ScheduledJob,
  scheduledJobs,
} from "../schedule/jobs.ts";
import { jobProgram, writeLauncher } from "../schedule/launcher.ts";
import {
  installSchedule,
  removeSchedule,
  scheduleFiles,
  type ScheduleHost,
  scheduleStatus,
  systemHost,
} from "../schedule/mod.ts";
import { DEFAULT_PORT } from "../server/mod.ts";
import { isLoopback } from "../server/security.ts";
import { flagValues } from "./flags.ts";
import type { CommandContext } from "./command_context.ts";

interface InstallOptions {
  every: string;
  backupEvery?: string;
  coldVerifyEvery?: string;
  serve?: boolean;
  serveHost: string;
  servePort: string;
  dryRun?: boolean;
  json?: boolean;
}

async function homeOf(
  command: Command,
  ctx: CommandContext,
): Promise<{ home: string; envFile: Record<string, string | undefined> }> {
  const config = await loadConfig({ flags: flagValues(command), env: ctx.deps.env });
  ctx.setRedactor(config.redactor);
  const home = resolve(config.home);
  const warning = envFileWarning(join(home, ".env"));
  if (warning) ctx.output.err(warning);
  return { home, envFile: withRemembered(home, await jobsEnvFile(home)) };
}

/**
 * The jobs run with what the last import remembered below `.env` (as every command does), so the
 * configuration check counts it too.
 */
function withRemembered(home: string, envFile: Record<string, string | undefined>) {
  const path = join(home, "tracker.db");
  if (!existsSync(path)) return envFile;
  let values: Record<string, string> = {};
  const tracker = Tracker.open(path, { readOnly: true });
  try {
    values = remembered(tracker);
  } finally {
    tracker.close();
  }
  const merged = { ...envFile };
  for (const [name, value] of Object.entries(values)) {
    if (name.startsWith("PHOTOS_SYNC_") && merged[name] === undefined) merged[name] = value;
  }
  return merged;
}

export function registerSchedule(program: Command, ctx: CommandContext): void {
  const schedule = program.command("schedule")
    .description(
      "run sync (and optionally backup and serve) in the background: launchd on macOS, systemd on Linux",
    );

  schedule.command("install")
    .description("write and load the background jobs (replaces an earlier install)")
    .option("--every <interval>", "time between syncs, e.g. 30m, 6h, 1d", "6h")
    .option("--backup-every <interval>", "also run backup this often, e.g. 1d")
    .option(
      "--cold-verify-every <interval>",
      "also re-verify a random sample of the cold tier this often, e.g. 7d",
    )
    .option("--serve", "also keep `serve` running")
    .option("--serve-host <address>", "address for the background serve", "127.0.0.1")
    .option("--serve-port <n>", "port for the background serve", String(DEFAULT_PORT))
    .option("--dry-run", "print the files that would be written; change nothing")
    .option("--json", "print what was done as one JSON document")
    .action((opts: InstallOptions, command: Command) => installJobs(ctx, command, opts));

  schedule.command("remove")
    .description("unload and delete the background jobs")
    .option("--json", "print what was removed as one JSON document")
    .action((opts: { json?: boolean }, command: Command) => removeJobs(ctx, command, opts));

  schedule.command("status")
    .description("which background jobs are installed, their state, and how their last run ended")
    .option("--json", "print the status as one JSON document")
    .action((opts: { json?: boolean }, command: Command) => printJobStatus(ctx, command, opts));
}

/** `schedule install`: checks what the jobs will need, then writes and loads them (or prints them). */
async function installJobs(ctx: CommandContext, command: Command, opts: InstallOptions): Promise<void> {
  const { home, envFile } = await homeOf(command, ctx);
  const port = Number(opts.servePort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`--serve-port must be a port number, got ${opts.servePort}`);
  }
  if (opts.serve && !isLoopback(opts.serveHost) && !envFile.PHOTOS_SYNC_SERVE_TOKEN) {
    throw new ConfigError(
      `a background serve on ${opts.serveHost} needs PHOTOS_SYNC_SERVE_TOKEN in ${home}/.env ` +
        `(background jobs do not see this shell's environment)`,
    );
  }
  checkScheduledConfig({ home, envFile, plugins: ctx.deps.plugins });
  const host = systemHost();
  const { program, launcher } = jobProgram(home);
  const network = jobNetworkEnv(Deno.env.toObject());
  for (const name of network.withheld) {
    ctx.output.err(
      `warning: ${name} holds a password, so it is not written into the job files; if the jobs need ` +
        `that proxy, add it with \`systemctl --user edit\` (Linux) or to the LaunchAgent by hand (macOS)`,
    );
  }
  const jobs = scheduledJobs({
    program,
    home,
    every: parseInterval(opts.every, "--every"),
    backupEvery: opts.backupEvery === undefined
      ? undefined
      : parseInterval(opts.backupEvery, "--backup-every"),
    coldVerifyEvery: opts.coldVerifyEvery === undefined
      ? undefined
      : parseInterval(opts.coldVerifyEvery, "--cold-verify-every"),
    serve: opts.serve ? { host: opts.serveHost, port } : undefined,
    path: Deno.env.get("PATH"),
    network: network.env,
  });
  if (opts.dryRun) {
    const files = scheduleFiles(jobs, host);
    if (launcher) files.set(launcher.path, launcher.content);
    printDryRun(ctx, files, opts.json);
    return;
  }
  if (launcher) await writeLauncher(launcher);
  const files = [...(launcher ? [launcher.path] : []), ...await installSchedule(jobs, host)];
  printInstalled(ctx, { home, host, jobs, files }, opts.json);
}

function printDryRun(ctx: CommandContext, files: Map<string, string>, json?: boolean): void {
  if (json) {
    ctx.output.out(JSON.stringify({ dryRun: true, files: Object.fromEntries(files) }, null, 2));
    return;
  }
  for (const [path, content] of files) ctx.output.out(`# ${path}\n${content}`);
  ctx.output.out("dry run: nothing was written or loaded");
}

function printInstalled(
  ctx: CommandContext,
  done: { home: string; host: ScheduleHost; jobs: ScheduledJob[]; files: string[] },
  json?: boolean,
): void {
  const { home, host, jobs, files } = done;
  if (json) {
    const installed = jobs.map((j) => ({
      name: j.name,
      argv: j.argv,
      intervalSeconds: j.intervalSeconds ?? null,
      log: j.logFile,
    }));
    ctx.output.out(JSON.stringify({ installed, files }, null, 2));
    return;
  }
  for (const job of jobs) {
    const when = job.intervalSeconds ? `every ${formatInterval(job.intervalSeconds)}` : "kept running";
    ctx.output.out(`${job.name}: ${when}, log ${job.logFile}`);
  }
  for (const f of files) ctx.output.out(`  wrote ${f}`);
  ctx.output.out(`the jobs read their settings from ${home}/.env, not from this shell`);
  if (host.os === "linux") {
    ctx.output.out("to run them while you are logged out: loginctl enable-linger $USER");
  }
}

/** `schedule remove`: unloads and deletes whatever an install wrote. */
async function removeJobs(ctx: CommandContext, command: Command, opts: { json?: boolean }): Promise<void> {
  await homeOf(command, ctx);
  const removed = await removeSchedule(systemHost());
  if (opts.json) ctx.output.out(JSON.stringify({ removed }, null, 2));
  else if (removed.length === 0) ctx.output.out("no background job was installed");
  else for (const f of removed) ctx.output.out(`removed ${f}`);
}

/** `schedule status`: each job's state and its last run from the tracker. */
async function printJobStatus(
  ctx: CommandContext,
  command: Command,
  opts: { json?: boolean },
): Promise<void> {
  const { home } = await homeOf(command, ctx);
  const jobs = await scheduleStatus(systemHost(), { home });
  if (opts.json) {
    ctx.output.out(JSON.stringify({ home, jobs }, null, 2));
    return;
  }
  for (const j of jobs) {
    if (!j.installed) {
      ctx.output.out(`${j.name}: not installed`);
      continue;
    }
    const every = j.intervalSeconds ? `every ${formatInterval(j.intervalSeconds)}` : "kept running";
    ctx.output.out(`${j.name}: installed, ${every}, ${j.state ?? "state unknown"}`);
    if (j.nextRun) ctx.output.out(`  next run ${j.nextRun}`);
    ctx.output.out(
      j.lastRun
        ? `  last run ${j.lastRun.status}, started ${j.lastRun.startedAt}` +
          (j.lastRun.endedAt ? `, ended ${j.lastRun.endedAt}` : "")
        : "  no run recorded yet",
    );
  }
}
