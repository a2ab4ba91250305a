/**
 * Failed and skipped assets grouped by reason: the one grouping that `review` (one destination)
 * and `serve` (every destination) both show, so the same tracker gives the same groups. Error
 * messages name their asset and file (house rule), so the asset's id, its filename and absolute
 * paths are masked before grouping; what is left is the reason that many assets share.
 *
 * @example
 * ```ts
 * for (const p of problemsByReason(tracker)) console.log(p.count, p.reason, p.examples);
 * ```
 * @module
 */
import type { ProblemRow, Tracker } from "../tracker/mod.ts";

/** One failed or skipped transfer, as both readers of the tracker hand it over. */
export interface ProblemRecord
  extends Pick<ProblemRow, "assetId" | "status" | "errorClass" | "errorMessage" | "lastAttemptAt"> {
  destination: string;
  /** Null when the tracker holds no asset row for the transfer; the asset's id stands in. */
  filename: string | null;
}

export interface ProblemExample {
  assetId: string;
  filename: string;
  message: string | null;
}

/** Transfers of one destination with the same status, class and reason. */
export interface ProblemGroup {
  destination: string;
  status: ProblemRow["status"];
  errorClass: string | null;
  /** The shared part of the error message. */
  reason: string;
  count: number;
  /** A few assets, newest attempt first. */
  examples: ProblemExample[];
  /** The group's newest attempt. */
  lastAttemptAt: string | null;
}

/** A group as `serve` shows it (`/api/problems`, the dashboard, the metrics): example filenames only. */
export interface ProblemSummary extends Omit<ProblemGroup, "examples"> {
  examples: string[];
}

/** What a path component holds; a space is allowed inside one ("My Photos"), not around it. */
const PART = `[^\\s/:;,()"'<>]+(?: [^\\s/:;,()"'<>]+)*`;
/**
 * An absolute (or `~`, `.`-relative) path of at least two parts, starting at a word boundary.
 * A folder part may hold spaces because a `/` follows it; the last part only when it ends in an
 * extension (`IMG 1.jpg`), so "… is gone from /x" never swallows the words before the next path.
 */
const PATH = new RegExp(
  `(?<=^|[\\s("'=\\[])(?:~|\\.{1,2})?\\/(?:${PART}\\/)+(?:${PART}\\.[A-Za-z0-9]{1,5}\\b|[^\\s/:;,()"'<>]*)`,
  "g",
);
const UUID = /[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}(\/L0\/001)?/gi;

/**
 * Masks what is particular to one asset in a message, so equal reasons compare equal: paths first
 * (a path holds the id and the filename), then Photos ids, then the asset's id and filename.
 * Shared by `review` and `serve`, so both show the same groups.
 */
export function reasonOf(message: string | null, asset: { id: string; filename: string }): string {
  if (!message) return "(no message recorded)";
  let reason = maskPaths(message).replace(UUID, "<id>");
  if (asset.id) reason = replaceWhole(reason, asset.id, "<id>");
  if (asset.filename) reason = replaceWhole(reason, asset.filename, "<file>");
  return reason.replace(/\s+/g, " ").trim();
}

/** Every mention of `word` that is not part of a longer word (an id "a1" is not in "a12"). */
function replaceWhole(text: string, word: string, mask: string): string {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return text.replace(new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, "g"), mask);
}

/**
 * Paths the pattern finds, and every other mention of them or of their folders: "gone from
 * /My Photos/Trip - Rome" names the folder of a path found before it, spaces and all.
 */
function maskPaths(message: string): string {
  const known = new Set<string>();
  for (const [path] of message.matchAll(PATH)) {
    const trimmed = path.replace(/\/$/, "");
    known.add(trimmed);
    const folder = trimmed.slice(0, trimmed.lastIndexOf("/"));
    if (folder.includes("/", 1)) known.add(folder);
  }
  let masked = message;
  for (const path of [...known].sort((a, b) => b.length - a.length)) {
    masked = masked.replaceAll(path, "<path>");
  }
  return masked.replace(PATH, "<path>");
}

/**
 * Groups, largest first, then the most recent first. Rows are put in one order before grouping
 * (newest attempt first, then by asset id), so the groups and their examples do not depend on the
 * order a query returned them in; `examples` caps the assets kept per group (default 3).
 */
export function groupProblems(rows: readonly ProblemRecord[], examples = 3): ProblemGroup[] {
  const groups = new Map<string, ProblemGroup>();
  const ordered = [...rows].sort((a, b) =>
    newerFirst(a.lastAttemptAt, b.lastAttemptAt) || ascending(a.assetId, b.assetId)
  );
  for (const r of ordered) {
    const filename = r.filename ?? r.assetId;
    const reason = reasonOf(r.errorMessage, { id: r.assetId, filename });
    const key = JSON.stringify([r.destination, r.status, r.errorClass, reason]);
    let group = groups.get(key);
    if (!group) {
      group = {
        destination: r.destination,
        status: r.status,
        errorClass: r.errorClass,
        reason,
        count: 0,
        examples: [],
        lastAttemptAt: r.lastAttemptAt,
      };
      groups.set(key, group);
    }
    group.count++;
    if (group.examples.length < examples) {
      group.examples.push({ assetId: r.assetId, filename, message: r.errorMessage });
    }
  }
  return [...groups.values()].sort((a, b) =>
    b.count - a.count || newerFirst(a.lastAttemptAt, b.lastAttemptAt) || ascending(a.reason, b.reason)
  );
}

/** Orders ISO times newest first; a transfer never attempted comes last. */
function newerFirst(a: string | null, b: string | null): number {
  return ascending(b ?? "", a ?? "");
}

function ascending(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The groups of every destination, as `serve` shows them. Reads every failed or skipped transfer
 * once (problems are few next to a library); `limit` caps the groups returned (default 50),
 * `examples` the filenames per group (default 3).
 */
export function problemsByReason(
  tracker: Tracker,
  options: { limit?: number; examples?: number } = {},
): ProblemSummary[] {
  const limit = options.limit ?? 50;
  const examples = options.examples ?? 3;
  const records = tracker.problemTransfers().map((r): ProblemRecord => ({
    destination: r.destination,
    assetId: r.assetId,
    filename: r.filename,
    status: r.status,
    errorClass: r.errorClass,
    errorMessage: r.errorMessage,
    lastAttemptAt: r.lastAttemptAt,
  }));
  return groupProblems(records, examples).slice(0, limit).map((g) => ({
    ...g,
    examples: g.examples.map((e) => e.filename),
  }));
}
