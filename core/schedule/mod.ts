/**
 * `schedule install|remove|status`: writes the per-user job files (LaunchAgents on macOS, systemd
 * user units on Linux), loads or unloads them, and reports their state with the last run recorded
 * in the tracker. The user's home directory and the command runner are parameters, so tests
 * generate and check everything without touching a real login session.
 *
 * @example
 * ```ts
 * const host = systemHost();
 * await installSchedule(scheduledJobs({ program: jobProgram(home).program, home }), host);
 * console.log(await scheduleStatus(host, { home }));
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import { existsSync } from "node:fs";
import { ConfigError } from "../plugin/errors.ts";
import { recentBackupRuns } from "../tracker/backup.ts";
import { Tracker } from "../tracker/mod.ts";
import { jobLabel, type JobName, type ScheduledJob } from "./jobs.ts";
import { launchAgentPlist } from "./launchd.ts";
import { systemdUnits } from "./systemd.ts";

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program (launchctl, systemctl) and returns how it ended; never throws for a non-zero exit. */
export type CommandRunner = (program: string, args: string[]) => Promise<CommandResult>;

export interface ScheduleHost {
  os: "darwin" | "linux";
  /** The user's home directory: the job files go under it. */
  userHome: string;
  /** The user id, for launchd's `gui/<uid>` domain. */
  uid: number;
  run: CommandRunner;
}

const JOB_NAMES: readonly JobName[] = ["sync", "backup", "serve"];

/** The real machine: this OS, $HOME, this user, programs from PATH. */
export function systemHost(): ScheduleHost {
  const os = Deno.build.os;
  if (os !== "darwin" && os !== "linux") {
    throw new ConfigError(`schedule supports macOS (launchd) and Linux (systemd); this is ${os}`);
  }
  const userHome = Deno.env.get("HOME");
  if (!userHome) throw new ConfigError("HOME is not set, so the per-user job folder cannot be found");
  return {
    os,
    userHome,
    uid: Deno.uid() ?? 0,
    run: async (program, args) => {
      try {
        const out = await new Deno.Command(program, { args, stdin: "null", stdout: "piped", stderr: "piped" })
          .output();
        const text = new TextDecoder();
        return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
      } catch (e) {
        if (e instanceof Deno.errors.NotFound) {
          return { code: 127, stdout: "", stderr: `${program} was not found on PATH` };
        }
        throw e;
      }
    },
  };
}

/** Where each job's files live for this host. */
export function jobFiles(host: ScheduleHost, name: JobName): { main: string; timer?: string } {
  if (host.os === "darwin") {
    return { main: join(host.userHome, "Library", "LaunchAgents", `${jobLabel.launchd(name)}.plist`) };
  }
  const dir = join(host.userHome, ".config", "systemd", "user");
  const base = join(dir, jobLabel.systemd(name));
  return { main: `${base}.service`, timer: name === "serve" ? undefined : `${base}.timer` };
}

/** The files `install` writes for these jobs: path -> content. */
export function scheduleFiles(jobs: readonly ScheduledJob[], host: ScheduleHost): Map<string, string> {
  const files = new Map<string, string>();
  for (const job of jobs) {
    const paths = jobFiles(host, job.name);
    if (host.os === "darwin") {
      files.set(paths.main, launchAgentPlist(job));
    } else {
      const units = systemdUnits(job);
      files.set(paths.main, units.service);
      if (units.timer && paths.timer) files.set(paths.timer, units.timer);
    }
  }
  return files;
}

async function must(host: ScheduleHost, program: string, args: string[], what: string): Promise<void> {
  const r = await host.run(program, args);
  if (r.code !== 0) {
    throw new Error(
      `${what} failed: ${program} ${args.join(" ")} exited ${r.code}: ${(r.stderr || r.stdout).trim()}`,
    );
  }
}

/** The systemd unit that starts a job: its timer, or the service itself for `serve`. */
function systemdEntry(name: JobName): string {
  return `${jobLabel.systemd(name)}.${name === "serve" ? "service" : "timer"}`;
}

/**
 * Writes and loads these jobs; jobs of an earlier install that are not in `jobs` any more are
 * unloaded and removed, so the installed set is exactly `jobs`. Returns the files written.
 */
export async function installSchedule(jobs: readonly ScheduledJob[], host: ScheduleHost): Promise<string[]> {
  const wanted = new Set(jobs.map((j) => j.name));
  await removeSchedule(host, { only: JOB_NAMES.filter((n) => !wanted.has(n)) });
  const files = scheduleFiles(jobs, host);
  for (const job of jobs) await Deno.mkdir(dirname(job.logFile), { recursive: true });
  if (host.os === "darwin") {
    for (const job of jobs) {
      const label = jobLabel.launchd(job.name);
      // A job loaded by an earlier install must go first, or bootstrap refuses it.
      await host.run("launchctl", ["bootout", `gui/${host.uid}/${label}`]);
    }
  }
  for (const [path, content] of files) {
    await Deno.mkdir(dirname(path), { recursive: true });
    await Deno.writeTextFile(path, content);
  }
  if (host.os === "darwin") {
    for (const job of jobs) {
      await must(
        host,
        "launchctl",
        ["bootstrap", `gui/${host.uid}`, jobFiles(host, job.name).main],
        `loading ${job.name}`,
      );
    }
  } else {
    await must(host, "systemctl", ["--user", "daemon-reload"], "reloading systemd");
    for (const job of jobs) {
      const unit = systemdEntry(job.name);
      await must(host, "systemctl", ["--user", "enable", unit], `enabling ${unit}`);
      // restart, not start: an earlier install's timer must pick up a new interval now.
      await must(host, "systemctl", ["--user", "restart", unit], `starting ${unit}`);
    }
  }
  return [...files.keys()];
}

/** Unloads and deletes the jobs' files (all of photos-sync's jobs unless `only` names some). Returns the files removed. */
export async function removeSchedule(
  host: ScheduleHost,
  options: { only?: readonly JobName[] } = {},
): Promise<string[]> {
  const removed: string[] = [];
  let reload = false;
  for (const name of options.only ?? JOB_NAMES) {
    const paths = jobFiles(host, name);
    const present = [paths.main, paths.timer].filter((p): p is string => !!p && existsSync(p));
    if (present.length === 0) continue;
    if (host.os === "darwin") {
      await host.run("launchctl", ["bootout", `gui/${host.uid}/${jobLabel.launchd(name)}`]);
    } else {
      await host.run("systemctl", ["--user", "disable", "--now", systemdEntry(name)]);
      if (name !== "serve") {
        await host.run("systemctl", ["--user", "stop", `${jobLabel.systemd(name)}.service`]);
      }
      reload = true;
    }
    for (const p of present) {
      await Deno.remove(p);
      removed.push(p);
    }
  }
  if (reload) await host.run("systemctl", ["--user", "daemon-reload"]);
  return removed;
}

export interface JobStatus {
  name: JobName;
  installed: boolean;
  files: string[];
  /** What launchd or systemd says about it (e.g. `active (waiting)`, `loaded, not running`). */
  state: string | null;
  /** Seconds between runs, read back from the installed file. */
  intervalSeconds: number | null;
  /** When systemd will run it next (launchd does not say). */
  nextRun: string | null;
  /** The last run the tracker recorded for this job's command. */
  lastRun: { status: string; startedAt: string; endedAt: string | null } | null;
}

function keyValues(text: string): Record<string, string> {
  return Object.fromEntries(
    text.split("\n").map((l) => /^\s*([^=]+?)\s*=\s*(.*)$/.exec(l)).filter((m) => m !== null).map((
      m,
    ) => [m![1], m![2]]),
  );
}

async function loadedState(
  host: ScheduleHost,
  name: JobName,
): Promise<{ state: string | null; nextRun: string | null }> {
  if (host.os === "darwin") {
    const r = await host.run("launchctl", ["print", `gui/${host.uid}/${jobLabel.launchd(name)}`]);
    if (r.code !== 0) return { state: "not loaded", nextRun: null };
    const kv = keyValues(r.stdout);
    const exit = kv["last exit code"];
    return {
      state: `loaded, ${kv.state ?? "state unknown"}${exit ? `, last exit code ${exit}` : ""}`,
      nextRun: null,
    };
  }
  const unit = systemdEntry(name);
  const r = await host.run("systemctl", [
    "--user",
    "show",
    unit,
    "--property=LoadState,ActiveState,SubState,NextElapseUSecRealtime",
  ]);
  if (r.code !== 0) return { state: `unknown (${(r.stderr || r.stdout).trim()})`, nextRun: null };
  const kv = keyValues(r.stdout);
  const next = kv.NextElapseUSecRealtime;
  return {
    state: kv.LoadState === "loaded" ? `${kv.ActiveState} (${kv.SubState})` : kv.LoadState ?? null,
    nextRun: next && next !== "n/a" && next !== "0" ? next : null,
  };
}

function lastRun(tracker: Tracker | undefined, name: JobName): JobStatus["lastRun"] {
  if (!tracker) return null;
  if (name === "backup") {
    const run = recentBackupRuns(tracker, { limit: 1 })[0];
    return run ? { status: run.status, startedAt: run.startedAt, endedAt: run.endedAt } : null;
  }
  const run = tracker.recentRuns(50).find((r) => r.command === name);
  return run ? { status: run.status, startedAt: run.startedAt, endedAt: run.endedAt } : null;
}

/** Each job: installed or not, loaded state, interval, next and last run. */
export async function scheduleStatus(host: ScheduleHost, options: { home: string }): Promise<JobStatus[]> {
  const db = join(options.home, "tracker.db");
  const tracker = existsSync(db) ? Tracker.open(db, { readOnly: true }) : undefined;
  try {
    const out: JobStatus[] = [];
    for (const name of JOB_NAMES) {
      const paths = jobFiles(host, name);
      const files = [paths.main, paths.timer].filter((p): p is string => !!p && existsSync(p));
      let intervalSeconds: number | null = null;
      for (const f of files) {
        const text = await Deno.readTextFile(f);
        const plist = /<key>StartInterval<\/key>\s*<integer>(\d+)<\/integer>/.exec(text);
        const timer = /^OnUnitActiveSec=(\d+)(d|h|min|s)$/m.exec(text);
        if (plist) intervalSeconds = Number(plist[1]);
        if (timer) intervalSeconds = Number(timer[1]) * { d: 86400, h: 3600, min: 60, s: 1 }[timer[2] as "d"];
      }
      const installed = files.length > 0;
      const { state, nextRun } = installed ? await loadedState(host, name) : { state: null, nextRun: null };
      out.push({ name, installed, files, state, intervalSeconds, nextRun, lastRun: lastRun(tracker, name) });
    }
    return out;
  } finally {
    tracker?.close();
  }
}
