/**
 * The SQL half of `archive --query` (the parser is `core/engine/archive_query.ts`): a parsed query
 * compiled into one condition over the tracker's assets and transfers, every value a named
 * parameter, so no text of the query ever becomes SQL.
 * @module
 */
import type { Tracker } from "./mod.ts";
import { sqlOf, text } from "./sql.ts";

export type Field =
  | "kind"
  | "size"
  | "captured"
  | "album"
  | "filename"
  | "subtype"
  | "favorite"
  | "hidden"
  | "archived";
export type Operator = "=" | "!=" | "<" | "<=" | ">" | ">=" | "~";

/** One comparison; `day`: the value is a date without a time, meaning that whole day (UTC). */
export interface Comparison {
  type: "compare";
  field: Field;
  op: Operator;
  value: string | number | boolean;
  day?: boolean;
}

export type Query =
  | { type: "and" | "or"; left: Query; right: Query }
  | { type: "not"; query: Query }
  | Comparison;

/** The SQL of each field, over `a` (assets) and `t` (transfers) of one source and destination. */
const COLUMN: Partial<Record<Field, string>> = {
  kind: "a.media_kind",
  captured: "a.captured_at",
  filename: "a.filename",
  size: `(SELECT COALESCE(SUM(r.size), 0) FROM resources r
          WHERE r.source = t.source AND r.asset_id = t.asset_id AND r.destination = t.destination)`,
};
const EXISTS: Partial<Record<Field, string>> = {
  album: `EXISTS (SELECT 1 FROM album_members m WHERE m.destination = t.destination AND m.source = t.source
          AND m.asset_id = t.asset_id AND m.album_title = $? COLLATE NOCASE)`,
  subtype: "EXISTS (SELECT 1 FROM json_each(a.subtypes) s WHERE s.value = $?)",
  archived: `EXISTS (SELECT 1 FROM archived x WHERE x.source = t.source AND x.destination = t.destination
             AND x.asset_id = t.asset_id AND x.restored_at IS NULL)`,
};

/** The query as one SQL condition; its values go into `params` under generated names. */
export function compileQuery(query: Query, params: Record<string, string | number>): string {
  if (query.type === "compare") return compileComparison(query, params);
  if (query.type === "not") return `(NOT ${compileQuery(query.query, params)})`;
  const [left, right] = [compileQuery(query.left, params), compileQuery(query.right, params)];
  return `(${left} ${query.type.toUpperCase()} ${right})`;
}

function compileComparison(query: Comparison, params: Record<string, string | number>): string {
  const param = (value: string | number) => {
    const name = `q${Object.keys(params).length}`;
    params[name] = value;
    return `$${name}`;
  };
  const { field, op, value } = query;
  const negate = (sql: string) => op === "!=" ? `(NOT ${sql})` : sql;
  if (field === "favorite" || field === "hidden") {
    return negate(`(COALESCE(a.${field}, 0) = ${param(value ? 1 : 0)})`);
  }
  if (field === "archived") return negate(value ? EXISTS.archived! : `(NOT ${EXISTS.archived})`);
  if (field === "album" || field === "subtype") {
    return negate(EXISTS[field]!.replace("$?", param(String(value))));
  }
  const column = COLUMN[field]!;
  if (op === "~") return `(${column} GLOB ${param(String(value))})`;
  if (field === "captured" && query.day) return negate(dayOf(column, String(value), op, param));
  return `(${column} ${op === "=" ? "=" : op === "!=" ? "IS NOT" : op} ${param(value as string | number)})`;
}

/** A comparison with a whole day (UTC): `=` is within it, `<` before it, `<=` up to its end. */
function dayOf(column: string, start: string, op: Operator, param: (v: string) => string): string {
  const next = new Date(Date.parse(start) + 86_400_000).toISOString();
  if (op === "=" || op === "!=") return `(${column} >= ${param(start)} AND ${column} < ${param(next)})`;
  if (op === "<" || op === ">=") return `(${column} ${op} ${param(start)})`;
  return `(${column} ${op === "<=" ? "<" : ">="} ${param(next)})`;
}

/** The ids of the assets sent from `source` to `destination` that match the query. */
export function assetsMatching(
  tracker: Tracker,
  ids: { source: string; destination: string },
  query: Query,
): Set<string> {
  const params: Record<string, string | number> = {};
  const condition = compileQuery(query, params);
  const rows = sqlOf(tracker).all(
    `SELECT t.asset_id FROM transfers t JOIN assets a ON a.source = t.source AND a.asset_id = t.asset_id
     WHERE t.source = $source AND t.destination = $destination AND ${condition}`,
    { ...params, ...ids },
    (r) => text(r, "asset_id"),
  );
  return new Set(rows);
}
