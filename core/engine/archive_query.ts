/**
 * `archive --query EXPR`: a small expression language over the tracker's facts about each asset
 * sent from the library to the destination. It is parsed into a tree of whitelisted fields and
 * operators, then compiled into one SQL condition whose every value is a named parameter: no text
 * of the query ever becomes SQL.
 *
 *     kind = video and size > 100MB and captured < 2020-01-01 and album = "Trips"
 *     (favorite or album = Family) and not archived
 *
 * Fields: `kind` (photo, video), `size` (its files together, `20MB`, `1.5GB`), `captured` (a date
 * or ISO time; `=` is that day, UTC), `album` (a title, any case), `filename` (`~` takes a glob,
 * `IMG_*`), `subtype` (live, burst, raw_jpeg, ...), `favorite`, `hidden`, `archived` (true or false;
 * alone, the field means `= true`). Operators: `=` `!=` everywhere, `<` `<=` `>` `>=` for size and
 * captured, `~` for filename; `and`, `or`, `not` and parentheses. Strings with spaces are quoted.
 *
 * @example
 * ```ts
 * const query = parseQuery('kind = video and size > 100MB');
 * const ids = assetsMatching(tracker, { source, destination }, query); // Set of asset ids
 * ```
 * @module
 */
import { ConfigError } from "../plugin/errors.ts";
import type { Field, Operator, Query } from "../tracker/asset_query.ts";

export { assetsMatching, compileQuery } from "../tracker/asset_query.ts";
export type { Comparison, Field, Operator, Query } from "../tracker/asset_query.ts";

/** A query that cannot be parsed; `position` is the 1-based column of the fault. */
export class QueryError extends ConfigError {
  constructor(readonly query: string, readonly position: number, what: string) {
    super(`--query: ${what} at position ${position}\n  ${query}\n  ${" ".repeat(position - 1)}^`);
  }
}

const BOOLEAN_FIELDS = new Set<Field>(["favorite", "hidden", "archived"]);
const OPERATORS: Record<Field, Operator[]> = {
  kind: ["=", "!="],
  size: ["=", "!=", "<", "<=", ">", ">="],
  captured: ["=", "!=", "<", "<=", ">", ">="],
  album: ["=", "!="],
  filename: ["=", "!=", "~"],
  subtype: ["=", "!="],
  favorite: ["=", "!="],
  hidden: ["=", "!="],
  archived: ["=", "!="],
};

interface Token {
  text: string;
  /** 1-based column. */
  at: number;
  quoted: boolean;
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(")((?:[^"\\]|\\.)*)("?)|(<=|>=|!=|[=<>~()])|([^\s=<>!~()"]+)|(\S))/gy;
  for (let m = pattern.exec(query); m && m[0] !== ""; m = pattern.exec(query)) {
    const at = m.index + m[0].length - m[0].trimStart().length + 1;
    if (m[1] && !m[3]) throw new QueryError(query, at, 'a string that never ends (a closing " is missing)');
    if (m[6]) throw new QueryError(query, at, `"${m[6]}" is not part of the language`);
    tokens.push({ text: m[1] ? m[2].replace(/\\(.)/g, "$1") : (m[4] ?? m[5]), at, quoted: !!m[1] });
  }
  return tokens;
}

/** Parses `query` (see the module's documentation); throws {@link QueryError} with the position. */
export function parseQuery(query: string): Query {
  const tokens = tokenize(query);
  let i = 0;
  const end = query.length + 1;
  const peek = () => tokens[i];
  const word = (w: string) => peek() && !peek().quoted && peek().text.toLowerCase() === w;
  const fail = (what: string, at = peek()?.at ?? end): never => {
    throw new QueryError(query, at, what);
  };
  // Precedence as in SQL: `not` binds tighter than `and`, which binds tighter than `or`.
  const either = (): Query => {
    let left = both();
    while (word("or")) {
      i++;
      left = { type: "or", left, right: both() };
    }
    return left;
  };
  const both = (): Query => {
    let left = negated();
    while (word("and")) {
      i++;
      left = { type: "and", left, right: negated() };
    }
    return left;
  };
  const negated = (): Query => {
    if (!word("not")) return atom();
    i++;
    return { type: "not", query: negated() };
  };
  const atom = (): Query => {
    const t = peek() ?? fail("expected a field (kind, size, captured, album, ...)");
    if (t.text === "(" && !t.quoted) {
      i++;
      const inner = either();
      if (peek()?.text !== ")") fail('expected ")"');
      i++;
      return inner;
    }
    return comparison(tokens, i, query, (n) => i = n);
  };
  if (tokens.length === 0) fail("the query is empty", 1);
  const parsed = either();
  if (i < tokens.length) fail(`expected "and", "or" or the end, not "${peek().text}"`);
  return parsed;
}

/** `field op value`, or a boolean field alone; `moveTo` is told where the parse goes on. */
function comparison(tokens: Token[], start: number, query: string, moveTo: (i: number) => void): Query {
  const [f, o, v] = [tokens[start], tokens[start + 1], tokens[start + 2]];
  const field = f.text.toLowerCase() as Field;
  if (f.quoted || !(field in OPERATORS)) {
    throw new QueryError(
      query,
      f.at,
      `unknown field "${f.text}"; fields: ${Object.keys(OPERATORS).join(", ")}`,
    );
  }
  const op = o?.text as Operator;
  if (!o || o.quoted || !OPERATORS[field].includes(op)) {
    if (BOOLEAN_FIELDS.has(field) && !(o && /^(<=|>=|!=|[=<>~])$/.test(o.text))) {
      moveTo(start + 1);
      return { type: "compare", field, op: "=", value: true };
    }
    const at = o?.at ?? query.length + 1;
    throw new QueryError(
      query,
      at,
      `${field} takes ${OPERATORS[field].join(" ")}${o ? `, not "${o.text}"` : ""}`,
    );
  }
  if (!v || (!v.quoted && /^(<=|>=|!=|[=<>~()])$/.test(v.text))) {
    throw new QueryError(query, v?.at ?? query.length + 1, `expected a value after "${f.text} ${op}"`);
  }
  moveTo(start + 3);
  return { type: "compare", field, op, ...valueOf(field, v, query) };
}

const UNITS: Record<string, number> = { "": 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };
const KINDS = new Set(["photo", "video"]);

function valueOf(field: Field, v: Token, query: string): { value: string | number | boolean; day?: boolean } {
  const bad = (what: string): never => {
    throw new QueryError(query, v.at, `${field} takes ${what}, not "${v.text}"`);
  };
  if (field === "size") {
    const m = /^(\d+(?:\.\d+)?)([KMGT]?B?)$/i.exec(v.text);
    const unit = m ? UNITS[m[2].toUpperCase()] : undefined;
    return { value: m && unit !== undefined ? Math.round(Number(m[1]) * unit) : bad("a size such as 20MB") };
  }
  if (field === "captured") {
    const t = Date.parse(v.text);
    if (Number.isNaN(t)) bad("a date such as 2020-01-01");
    return { value: new Date(t).toISOString(), day: /^\d{4}-\d{2}-\d{2}$/.test(v.text) };
  }
  if (BOOLEAN_FIELDS.has(field)) {
    const yes = ["true", "yes"].includes(v.text.toLowerCase());
    if (!yes && !["false", "no"].includes(v.text.toLowerCase())) bad("true or false");
    return { value: yes };
  }
  if (field === "kind" && !KINDS.has(v.text.toLowerCase())) bad("photo or video");
  return { value: field === "kind" ? v.text.toLowerCase() : v.text };
}
