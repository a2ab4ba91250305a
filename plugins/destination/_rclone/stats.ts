/**
 * Reading rclone's `--use-json-log` output: one JSON object per stderr line. Only a line with a
 * `stats` object is progress (its values are cumulative for the rclone process); per-file lines
 * (`Copied (new)`, `Moved into backup dir`, dry-run `Skipped ...`) and errors are told apart by
 * their `msg`. Anything else, including plain-text lines, is left to the caller.
 *
 * @example
 * ```ts
 * const entry = parseLogLine(line);
 * const stats = entry && statsOf(entry); // undefined unless the line carries stats
 * ```
 * @module
 */

/** One line of rclone's JSON log (only the fields we read). */
export interface LogEntry {
  level: string;
  msg: string;
  object?: string;
  objectType?: string;
  /** Set on dry-run lines: what would have happened ("copy", "delete", "move into backup dir"). */
  skipped?: string;
  size?: number;
  stats?: Record<string, unknown>;
}

/** rclone's accounting, cumulative since the process started. */
export interface RcloneStats {
  bytes: number;
  totalBytes: number;
  transfers: number;
  totalTransfers: number;
  checks: number;
  deletes: number;
  renames: number;
  errors: number;
  /** Bytes per second. */
  speed: number;
  /** Seconds, or null while rclone cannot estimate. */
  eta: number | null;
  elapsedTime: number;
  fatalError: boolean;
}

/** Parses a JSON log line; undefined for anything that is not a JSON object with a message. */
export function parseLogLine(line: string): LogEntry | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.level !== "string" || typeof v.msg !== "string") return undefined;
  return v as unknown as LogEntry;
}

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** The stats of a log entry, only when it has a `stats` object. */
export function statsOf(entry: LogEntry): RcloneStats | undefined {
  const s = entry.stats;
  if (typeof s !== "object" || s === null || Array.isArray(s)) return undefined;
  return {
    bytes: num(s.bytes),
    totalBytes: num(s.totalBytes),
    transfers: num(s.transfers),
    totalTransfers: num(s.totalTransfers),
    checks: num(s.checks),
    deletes: num(s.deletes),
    renames: num(s.renames),
    errors: num(s.errors),
    speed: num(s.speed),
    eta: typeof s.eta === "number" && Number.isFinite(s.eta) ? s.eta : null,
    elapsedTime: num(s.elapsedTime),
    fatalError: s.fatalError === true,
  };
}

/** What a per-file line says happened to its object, if it is one of the lines we count. */
export type FileEvent = "copied" | "archived" | "would-copy" | "would-archive" | "would-delete";

export function fileEventOf(entry: LogEntry): FileEvent | undefined {
  if (!entry.object) return undefined;
  if (entry.skipped !== undefined) {
    if (entry.skipped === "copy") return "would-copy";
    if (entry.skipped.startsWith("move into backup dir")) return "would-archive";
    if (entry.skipped === "delete") return "would-delete";
    return undefined;
  }
  if (entry.msg.startsWith("Copied (new)") || entry.msg.startsWith("Copied (replaced existing)")) {
    return "copied";
  }
  // A sync never moves or copies server-side except into the --backup-dir, and every file that
  // goes there (replaced or deleted) logs exactly one of these. "Moved into backup dir" is logged
  // only for deletions, on top, so it is not counted.
  if (entry.msg === "Moved (server-side)" || entry.msg === "Copied (server-side copy)") return "archived";
  return undefined;
}

/** Whether a log entry reports an error (these become the error message when rclone fails). */
export function isError(entry: LogEntry): boolean {
  return entry.level === "error" || entry.level === "critical";
}
