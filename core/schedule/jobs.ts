/**
 * What `schedule install` sets up, independent of the operating system: a periodic `sync`, an
 * optional periodic `backup` and an optional long-running `serve`, each a photos-sync command line
 * with its log file in the data directory.
 *
 * @example
 * ```ts
 * const jobs = scheduledJobs({ program: ["/usr/local/bin/photos-sync"], home, every: parseInterval("6h") });
 * jobs.map((j) => j.name); // ["sync"]
 * ```
 * @module
 */
import { join } from "node:path";
import { networkEnv } from "../config/network_env.ts";
import { ConfigError } from "../plugin/errors.ts";

export type JobName = "sync" | "backup" | "serve" | "cold-verify";

export interface ScheduledJob {
  name: JobName;
  description: string;
  /** The whole command line: program, global flags, subcommand and its flags. */
  argv: string[];
  /** Seconds between runs; undefined for a service that runs all the time. */
  intervalSeconds?: number;
  /** stdout and stderr are appended here. */
  logFile: string;
  /** The data directory, also the working directory. */
  home: string;
  /** Environment the job gets (no secrets: those stay in <home>/.env). */
  env: Record<string, string>;
}

export interface JobOptions {
  /** How photos-sync is started (see `jobProgram` in launcher.ts). */
  program: string[];
  home: string;
  /** Seconds between syncs (default 6 h). */
  every?: number;
  /** Seconds between backups; no backup job when unset. */
  backupEvery?: number;
  /** Seconds between re-verifies of a random sample of the cold tier; no such job when unset. */
  coldVerifyEvery?: number;
  /** Also run `serve` all the time, on this address. */
  serve?: { host: string; port: number };
  /** PATH for the jobs (rclone and friends must be found; launchd's default PATH is minimal). */
  path?: string;
  /** Proxy, CA certificate and cache variables of the installing shell (see {@link jobNetworkEnv}). */
  network?: Record<string, string>;
}

/** The label of a job, shared by launchd and systemd file names. */
export const jobLabel = {
  launchd: (name: JobName) => `com.photos-sync.${name}`,
  systemd: (name: JobName) => `photos-sync-${name}`,
};

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `"90m"`, `"6h"`, `"1d"`, `"3600"` (seconds) -> seconds. At least five minutes. */
export function parseInterval(text: string, flag = "--every"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (!match) throw new ConfigError(`${flag} must look like 30m, 6h or 1d, got ${JSON.stringify(text)}`);
  const seconds = Math.round(Number(match[1]) * UNITS[(match[2] || "s").toLowerCase()]);
  if (seconds < 300) throw new ConfigError(`${flag} must be at least 5 minutes, got ${text}`);
  return seconds;
}

/**
 * The network variables of `env` for the jobs, which launchd and systemd start without the login
 * shell's variables. A proxy URL with a password in it is withheld: job files are not secret.
 */
export function jobNetworkEnv(
  env: Record<string, string | undefined>,
): { env: Record<string, string>; withheld: string[] } {
  const out = networkEnv(env);
  const withheld = Object.keys(out).filter((name) => /:\/\/[^/@]*:[^/@]*@/.test(out[name]));
  for (const name of withheld) delete out[name];
  return { env: out, withheld };
}

/** Assets the periodic cold re-verify draws each time: a few HEAD requests each, cheap at any size. */
export const COLD_VERIFY_SAMPLE = 20;

/**
 * glibc gives threads that allocate their own malloc arenas, and Deno's file and network threads
 * then keep pages apart: two arenas took about 10 MB off the peak of a 10,000-asset import on Linux
 * at the same speed (docs/benchmarks.md). macOS's allocator ignores the variable.
 */
const ALLOCATOR_ENV = { MALLOC_ARENA_MAX: "2" };

export function scheduledJobs(options: JobOptions): ScheduledJob[] {
  const base = [...options.program, "--home", options.home];
  const env: Record<string, string> = {
    ...ALLOCATOR_ENV,
    ...options.network,
    PHOTOS_SYNC_HOME: options.home,
  };
  if (options.path) env.PATH = options.path;
  const job = (
    name: JobName,
    description: string,
    args: string[],
    intervalSeconds?: number,
  ): ScheduledJob => ({
    name,
    description,
    argv: [...base, ...args],
    intervalSeconds,
    logFile: join(options.home, "logs", `${name}.log`),
    home: options.home,
    env,
  });
  const jobs = [
    job("sync", "photos-sync: import what is new and reconcile changes", ["sync"], options.every ?? 6 * 3600),
  ];
  if (options.backupEvery !== undefined) {
    jobs.push(job("backup", "photos-sync: encrypted offsite backup", ["backup"], options.backupEvery));
  }
  if (options.coldVerifyEvery !== undefined) {
    jobs.push(job("cold-verify", "photos-sync: re-verify a sample of the cold tier", [
      "backup",
      "--verify-cold",
      String(COLD_VERIFY_SAMPLE),
    ], options.coldVerifyEvery));
  }
  if (options.serve) {
    jobs.push(
      job("serve", "photos-sync: status API and dashboard", [
        "serve",
        "--host",
        options.serve.host,
        "--port",
        String(options.serve.port),
      ]),
    );
  }
  return jobs;
}

/** `21600` -> `6h`, for messages and systemd. */
export function formatInterval(seconds: number): string {
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["min", 60]] as const) {
    if (seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
