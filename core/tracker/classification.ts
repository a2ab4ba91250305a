/**
 * What the tracker believes about each imported asset's type and completeness, read and stored
 * again by reclassify.
 * @module
 */
import type { Asset } from "../model/asset.ts";
import type { Plan } from "../model/plan.ts";
import { noteAsset } from "./assets.ts";
import { json, now, type Row, type Sql, text } from "./sql.ts";
import type { Ids } from "./transfers.ts";

export interface Classification {
  subtypes: string[];
  tags: string[];
  incomplete: string[];
  /** Keys of the resources the destination confirmed (it has a remote id for each). */
  sent: string[];
}

/**
 * What an asset lacks at a destination that has confirmed the resources `sent`: what the plan
 * could not include (missing from the library) and every planned resource not confirmed yet. A
 * resource that is back in the library is still lacking until a put of it was confirmed, so no
 * reading of the library alone can make an asset complete.
 */
export function incompleteAt(plan: Plan, sent: readonly string[]): string[] {
  const unsent = plan.resources.filter((r) => !sent.includes(r.key)).map((r) => `not sent yet: ${r.key}`);
  return [...new Set([...plan.incomplete, ...unsent])];
}

function classificationOf(r: Row): [string, Classification] {
  return [text(r, "asset_id"), {
    subtypes: json(r, "subtypes", []),
    tags: json(r, "tags", []),
    incomplete: json(r, "incomplete", []),
    sent: json(r, "sent", []),
  }];
}

/** Each imported asset's classification at a destination, by asset id. */
export function classification(sql: Sql, ids: Ids): Map<string, Classification> {
  return new Map(sql.all(
    `SELECT t.asset_id, a.subtypes, t.tags, t.incomplete,
       (SELECT json_group_array(r.key) FROM resources r
        WHERE r.source = t.source AND r.asset_id = t.asset_id AND r.destination = t.destination) AS sent
     FROM transfers t JOIN assets a USING (source, asset_id)
     WHERE t.source = $source AND t.destination = $destination AND t.status = 'imported'`,
    { source: ids.source, destination: ids.destination },
    classificationOf,
  ));
}

/**
 * Stores a fresh reading of an asset's type and plan; the transfer's status and ids stay as they
 * are. Its incompleteness is {@link incompleteAt} the resources recorded here: only a confirmed put
 * clears a mark.
 */
export function updateClassification(
  sql: Sql,
  ids: Ids & { libraryId?: string },
  asset: Asset,
  plan: Plan,
): void {
  const where = { source: ids.source, asset_id: asset.id, destination: ids.destination };
  sql.transaction(() => {
    noteAsset(sql, ids, asset, now());
    const sent = sql.all(
      `SELECT key FROM resources WHERE source = $source AND asset_id = $asset_id AND destination = $destination`,
      where,
      (r) => text(r, "key"),
    );
    sql.run(
      `UPDATE transfers SET handlers = $handlers, tags = $tags, incomplete = $incomplete
       WHERE source = $source AND asset_id = $asset_id AND destination = $destination`,
      {
        ...where,
        handlers: JSON.stringify(plan.handlers),
        tags: JSON.stringify(plan.tags),
        incomplete: JSON.stringify(incompleteAt(plan, sent)),
      },
    );
  });
}
