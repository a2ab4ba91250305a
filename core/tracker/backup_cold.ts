/**
 * The cold-storage state of objects a restore found in an archive tier (Glacier), so a restore
 * that is run again asks the tier only for objects it has not asked for yet.
 * @module
 */
import type { ColdState } from "./backup_rows.ts";
import { int, now, type Row, type Sql, text, textOrNull } from "./sql.ts";

export interface ColdObject {
  state: ColdState;
  requestedAt: string | null;
}

function coldObjectOf(r: Row): [string, ColdObject] {
  return [text(r, "path"), {
    state: text(r, "state") as ColdState,
    requestedAt: textOrNull(r, "requested_at"),
  }];
}

/** The state of each tracked object under `prefix` (a path relative to the destination root). */
export function coldObjects(sql: Sql, destinationId: number, prefix: string): Map<string, ColdObject> {
  return new Map(sql.all(
    `SELECT path, state, requested_at FROM backup_cold_objects
     WHERE destination_id = $destination_id AND substr(path, 1, $prefix_length) = $prefix`,
    { destination_id: destinationId, prefix_length: prefix.length, prefix },
    coldObjectOf,
  ));
}

export function setColdState(
  sql: Sql,
  destinationId: number,
  change: { paths: readonly string[]; state: ColdState },
): void {
  const { paths, state } = change;
  if (paths.length === 0) return;
  const at = now();
  sql.transaction(() => {
    for (const path of paths) {
      sql.run(
        `INSERT INTO backup_cold_objects (destination_id, path, state, requested_at, restored_at, updated_at)
         VALUES ($destination_id, $path, $state, $requested_at, $restored_at, $at)
         ON CONFLICT (destination_id, path) DO UPDATE SET state = excluded.state,
           requested_at = COALESCE(excluded.requested_at, requested_at),
           restored_at = COALESCE(excluded.restored_at, restored_at), updated_at = excluded.updated_at`,
        {
          destination_id: destinationId,
          path,
          state,
          requested_at: state === "requested" ? at : null,
          restored_at: state === "restored" ? at : null,
          at,
        },
      );
    }
  });
}

export function coldCounts(sql: Sql, destinationId: number): Record<ColdState, number> {
  const counts: Record<ColdState, number> = { cold: 0, requested: 0, restored: 0 };
  const rows = sql.all(
    `SELECT state, COUNT(*) AS n FROM backup_cold_objects WHERE destination_id = $destination_id GROUP BY state`,
    { destination_id: destinationId },
    (r) => ({ state: text(r, "state") as ColdState, n: int(r, "n") }),
  );
  for (const r of rows) counts[r.state] = r.n;
  return counts;
}
