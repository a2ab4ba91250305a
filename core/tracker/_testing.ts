/**
 * Tests only: raw SQL on a tracker, to build the states a test needs (an old row, a dead owner)
 * and to look at what was stored. Production code asks the {@link Tracker} by name.
 * @module
 */
import type { SQLInputValue } from "node:sqlite";
import { join } from "node:path";
import { Tracker } from "./mod.ts";
import { sqlOf } from "./sql.ts";

/** The rows of `sql`, as plain objects. */
export function query<T = Record<string, unknown>>(
  tracker: Tracker,
  sql: string,
  ...params: SQLInputValue[]
): T[] {
  return sqlOf(tracker).prepare(sql).all(...params).map((row) => ({ ...row })) as T[];
}

export function execute(
  tracker: Tracker,
  sql: string,
  ...params: SQLInputValue[]
): { changes: number; lastInsertRowid: number } {
  const r = sqlOf(tracker).prepare(sql).run(...params);
  return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
}

/** A fresh tracker in a temporary folder for `fn` (`path` is its file); closed and removed after. */
export async function withTracker(
  fn: (tracker: Tracker, path: string) => void | Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "tracker.db");
    const tracker = Tracker.open(path);
    try {
      await fn(tracker, path);
    } finally {
      tracker.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
