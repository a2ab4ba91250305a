/**
 * systemd user units (Linux) for one scheduled job: a oneshot service plus a timer for periodic
 * jobs, a restarting service for `serve`.
 *
 * @example
 * ```ts
 * const { service, timer } = systemdUnits(job); // ~/.config/systemd/user/photos-sync-sync.{service,timer}
 * ```
 * @module
 */
import { ConfigError } from "../plugin/errors.ts";
import { formatInterval, jobLabel, type ScheduledJob } from "./jobs.ts";

/** Quotes one word of a command line the way systemd splits ExecStart (and escapes specifiers). */
export function systemdQuote(word: string): string {
  const escaped = word.replaceAll("%", "%%").replaceAll("$", "$$$$");
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** One `Environment=` assignment: specifiers are expanded there, variables are not. */
function environment(name: string, value: string): string {
  const text = `${name}=${value}`.replaceAll("%", "%%");
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text)
    ? text
    : `"${text.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}

/** A path in a setting that takes no quotes (StandardOutput=append:...): only specifiers need escaping. */
function unitPath(path: string): string {
  if (/[\s\n]/.test(path)) {
    throw new ConfigError(
      `systemd cannot take a log path with spaces: ${path}; choose a data directory without spaces`,
    );
  }
  return path.replaceAll("%", "%%");
}

export interface SystemdUnits {
  service: string;
  /** Present for periodic jobs. */
  timer?: string;
}

export function systemdUnits(job: ScheduledJob): SystemdUnits {
  const periodic = job.intervalSeconds !== undefined;
  const service = [
    "[Unit]",
    `Description=${job.description}`,
    "After=network-online.target",
    "",
    "[Service]",
    `Type=${periodic ? "oneshot" : "simple"}`,
    `ExecStart=${job.argv.map(systemdQuote).join(" ")}`,
    `WorkingDirectory=${unitPath(job.home)}`,
    ...Object.entries(job.env).map(([k, v]) => `Environment=${environment(k, v)}`),
    `StandardOutput=append:${unitPath(job.logFile)}`,
    `StandardError=append:${unitPath(job.logFile)}`,
    // photos-sync stops cleanly on SIGINT: assets in flight finish and the run is recorded as interrupted.
    "KillSignal=SIGINT",
    // A stopped run exits 130 (SIGINT) or 143 (SIGTERM) after recording itself as interrupted: a clean stop.
    "SuccessExitStatus=130 143",
    "TimeoutStopSec=5min",
    ...(periodic
      ? ["TimeoutStartSec=infinity", "Nice=10", "IOSchedulingClass=idle"]
      : ["Restart=on-failure", "RestartSec=30", "", "[Install]", "WantedBy=default.target"]),
    "",
  ].join("\n");
  if (!periodic) return { service };
  const every = formatInterval(job.intervalSeconds!);
  const timer = [
    "[Unit]",
    `Description=Run ${jobLabel.systemd(job.name)} every ${every}`,
    "",
    "[Timer]",
    "OnBootSec=10min",
    `OnUnitActiveSec=${every}`,
    "RandomizedDelaySec=5min",
    `Unit=${jobLabel.systemd(job.name)}.service`,
    "",
    "[Install]",
    "WantedBy=timers.target",
    "",
  ].join("\n");
  return { service, timer };
}
