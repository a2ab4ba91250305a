/**
 * Where the CLI writes. Reports go to stdout (JSON lines with `--json`); logs and progress go to
 * stderr; everything passes the redactor first. Swappable, so tests can run commands in-process.
 * @module
 */
import type { Redactor } from "../config/redact.ts";
import type { LogLevel, LogSink } from "../plugin/context.ts";

export interface Output {
  /** A line of the command's report (stdout). */
  out(line: string): void;
  /** A line of diagnostics (stderr). */
  err(line: string): void;
  /** Rewrites the live progress line on a terminal; ignored elsewhere. */
  status(line: string): void;
  /** Whether stderr is a terminal (progress is shown only then). */
  readonly interactive: boolean;
}

const encoder = new TextEncoder();

export function consoleOutput(redactor: () => Redactor | undefined): Output {
  const interactive = Deno.stderr.isTerminal();
  let live = false;
  const clear = () => {
    if (live) Deno.stderr.writeSync(encoder.encode("\r\x1b[2K"));
    live = false;
  };
  const safe = (s: string) => redactor()?.redact(s) ?? s;
  return {
    interactive,
    out(line) {
      clear();
      Deno.stdout.writeSync(encoder.encode(safe(line) + "\n"));
    },
    err(line) {
      clear();
      Deno.stderr.writeSync(encoder.encode(safe(line) + "\n"));
    },
    status(line) {
      if (!interactive) return;
      const width = Deno.consoleSize?.().columns ?? 100;
      Deno.stderr.writeSync(encoder.encode("\r\x1b[2K" + safe(line).slice(0, width - 1)));
      live = true;
    },
  };
}

/** Collects output in memory, for tests. */
export function memoryOutput(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    interactive: false,
    stdout,
    stderr,
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    status() {},
  };
}

const LEVELS: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Log lines on stderr: `warn destination.immich: message key=value`. */
export function logSink(output: Output, minimum: LogLevel): LogSink {
  return (level, scope, message, fields) => {
    if (LEVELS[level] < LEVELS[minimum]) return;
    const extra = fields && Object.keys(fields).length > 0
      ? " " +
        Object.entries(fields).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(
          " ",
        )
      : "";
    output.err(`${level} ${scope}: ${message}${extra}`);
  };
}

/** `1234567` -> `1.2 MB` (decimal units, like Finder). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
