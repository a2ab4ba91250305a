/**
 * Failed and skipped assets grouped by reason. Error messages name their asset and file (house
 * rule), so the asset's id, its filename and absolute paths are masked before grouping; what is
 * left is the reason that many assets share.
 *
 * @example
 * ```ts
 * for (const p of problemsByReason(tracker)) console.log(p.count, p.reason, p.examples);
 * ```
 * @module
 */
import type { Tracker } from "../tracker/mod.ts";

export interface ProblemGroup {
  destination: string;
  status: "failed" | "skipped";
  errorClass: string | null;
  /** The shared part of the error message. */
  reason: string;
  count: number;
  /** A few filenames, newest attempt first. */
  examples: string[];
  lastAttemptAt: string | null;
}

const PATH = /(?:~|\.{1,2})?(?:\/[^\s/:;,()"']+){2,}\/?/g;

/** Masks what is particular to one asset in a message, so equal reasons compare equal. */
export function reasonOf(message: string | null, asset: { id: string; filename: string }): string {
  if (!message) return "(no message recorded)";
  let reason = message.replace(PATH, "<path>");
  if (asset.id) reason = reason.replaceAll(asset.id, "<id>");
  if (asset.filename) reason = reason.replaceAll(asset.filename, "<file>");
  return reason.replace(/\s+/g, " ").trim();
}

/**
 * Groups, largest first. Reads every failed or skipped transfer once (problems are few next to a
 * library); `limit` caps the groups returned (default 50), `examples` the filenames per group
 * (default 3).
 */
export function problemsByReason(
  tracker: Tracker,
  options: { limit?: number; examples?: number } = {},
): ProblemGroup[] {
  const limit = options.limit ?? 50;
  const examples = options.examples ?? 3;
  const rows = tracker.query<{
    destination: string;
    status: "failed" | "skipped";
    error_class: string | null;
    error_message: string | null;
    asset_id: string;
    filename: string | null;
    last_attempt_at: string | null;
  }>(
    `SELECT t.destination, t.status, t.error_class, t.error_message, t.asset_id, a.filename, t.last_attempt_at
     FROM transfers t LEFT JOIN assets a USING (source, asset_id)
     WHERE t.status IN ('failed', 'skipped')
     ORDER BY t.last_attempt_at DESC`,
  );
  const groups = new Map<string, ProblemGroup>();
  for (const r of rows) {
    const filename = r.filename ?? r.asset_id;
    const reason = reasonOf(r.error_message, { id: r.asset_id, filename });
    const key = JSON.stringify([r.destination, r.status, r.error_class, reason]);
    let group = groups.get(key);
    if (!group) {
      group = {
        destination: r.destination,
        status: r.status,
        errorClass: r.error_class,
        reason,
        count: 0,
        examples: [],
        lastAttemptAt: r.last_attempt_at,
      };
      groups.set(key, group);
    }
    group.count++;
    if (group.examples.length < examples) group.examples.push(filename);
  }
  return [...groups.values()].sort((a, b) => b.count - a.count).slice(0, limit);
}
