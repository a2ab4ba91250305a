/**
 * `review --conflicts` and `review --resolve <side>`: the fields `sync` found changed on both sides
 * to different values, and settling them. Resolving reads and writes only the tracker: the next
 * `sync` carries the chosen side's value over.
 * @module
 */
import { ConfigError } from "../plugin/errors.ts";
import type { StoredConflict, SyncStore } from "../tracker/sync_state.ts";
import type { Output } from "./output.ts";

export interface ConflictFlags {
  conflicts?: boolean;
  resolve?: string;
  asset?: string;
  field?: string;
  json?: boolean;
}

const SIDES = ["photos", "immich"] as const;

/** Lists the open conflicts, or settles them when `--resolve` names a side. */
export function reviewConflicts(
  store: SyncStore,
  ids: { source: string; destination: string },
  output: Output,
  flags: ConflictFlags,
): void {
  if (flags.resolve !== undefined) {
    const side = flags.resolve as typeof SIDES[number];
    if (!SIDES.includes(side)) {
      throw new ConfigError(`--resolve takes photos or immich (whose value wins), got ${flags.resolve}`);
    }
    const n = store.resolve(ids, side, { assetId: flags.asset, field: flags.field });
    if (flags.json) output.out(JSON.stringify({ resolved: n, side }));
    else {
      output.out(
        n === 0
          ? "no open conflict matched"
          : `resolved ${n} conflicts for ${side}; the next sync applies them`,
      );
    }
    return;
  }
  const open = store.conflicts(ids, flags.asset).filter((c) => !flags.field || c.field === flags.field);
  if (flags.json) {
    output.out(JSON.stringify({ destination: ids.destination, conflicts: open }));
    return;
  }
  if (open.length === 0) output.out("no conflicts");
  for (const c of open) output.out(conflictLine(c));
  if (open.length > 0) {
    output.out("settle with --resolve photos or --resolve immich (narrow with --asset ID and --field NAME)");
  }
}

function conflictLine(c: StoredConflict): string {
  const show = (v: unknown) => JSON.stringify(v);
  return `${c.assetId} ${c.field}: Photos ${show(c.photos)}, Immich ${show(c.remote)} (was ${show(c.base)})`;
}
