/**
 * Stacks across assets (the frames of a burst): a member is recorded first and stacked after, and
 * stays pending until the destination confirmed a stack that holds it.
 * @module
 */
import { int, type Row, type Sql, text } from "./sql.ts";
import type { Ids } from "./transfers.ts";

export interface StackMember {
  assetId: string;
  /** The remote id of the member's primary resource. */
  remoteId: string;
  /** Whether it is the stack's primary. */
  primary: boolean;
}

function stackMemberOf(r: Row): StackMember {
  return {
    assetId: text(r, "asset_id"),
    remoteId: text(r, "remote_id"),
    primary: int(r, "stack_primary") === 1,
  };
}

/** The imported members of a stack that spans assets, at one destination, primary first. */
export function stackMembers(sql: Sql, ids: Ids, group: string): StackMember[] {
  return sql.all(
    `SELECT t.asset_id, r.remote_id, t.stack_primary FROM transfers t
     JOIN resources r ON r.source = t.source AND r.asset_id = t.asset_id AND r.destination = t.destination
                     AND r.key = t.primary_key
     WHERE t.source = $source AND t.destination = $destination AND t.stack_group = $group
       AND t.status = 'imported'
     ORDER BY t.stack_primary DESC, t.asset_id`,
    { source: ids.source, destination: ids.destination, group },
    stackMemberOf,
  );
}

/** The stacks with a member recorded but not yet known to be stacked at the destination. */
export function pendingStacks(sql: Sql, ids: Ids): string[] {
  return sql.all(
    `SELECT DISTINCT stack_group FROM transfers
     WHERE source = $source AND destination = $destination AND stack_pending = 1 AND status = 'imported'`,
    { source: ids.source, destination: ids.destination },
    (r) => text(r, "stack_group"),
  );
}

/** Notes that these members of a stack are stacked at the destination (or need not be). */
export function stacked(sql: Sql, ids: Ids, group: string, assetIds: string[]): void {
  sql.transaction(() => {
    for (const id of assetIds) {
      sql.run(
        `UPDATE transfers SET stack_pending = NULL
         WHERE source = $source AND destination = $destination AND stack_group = $group AND asset_id = $asset_id`,
        { source: ids.source, destination: ids.destination, group, asset_id: id },
      );
    }
  });
}
