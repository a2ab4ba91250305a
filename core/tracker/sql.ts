/**
 * The tracker's one way into SQLite, for the files of `core/tracker` only: everything outside asks
 * the {@link Tracker} by name. Statements are prepared once and bind named parameters
 * (`$source`, bound from `{ source }`); each read hands its rows to one mapper of its row type.
 * @module
 */
import type { DatabaseSync, SQLInputValue, SQLOutputValue, StatementSync } from "node:sqlite";

/** Named parameters: `{ source: "photos" }` binds `$source`. */
export type Params = Record<string, SQLInputValue>;
/** A row as SQLite returns it, before its mapper gives it a type. */
export type Row = Record<string, SQLOutputValue>;

export class Sql {
  readonly #stmts = new Map<string, StatementSync>();
  /** Whether SQLite said the file is damaged: the tracker is then not sealed as checked on close. */
  damageSeen = false;

  constructor(readonly db: DatabaseSync) {}

  /** Notes SQLite's word that the file is damaged, and gives the error back to be thrown. */
  #noted(e: unknown): unknown {
    if (isDamage(e)) this.damageSeen = true;
    return e;
  }

  prepare(sql: string): StatementSync {
    let s = this.#stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  /**
   * A statement that returns rows as arrays: for the queries that read a row per asset of the
   * library, where building an object per row is most of the time (4x slower at 100 000 rows).
   * Fetch them with `all()`: `iterate()` crosses into SQLite once per row, 2-4x slower again.
   */
  arrays(sql: string): StatementSync {
    const key = `arrays:${sql}`;
    let s = this.#stmts.get(key);
    if (!s) {
      s = this.db.prepare(sql);
      // Present in Deno's node:sqlite, missing from its type declarations.
      (s as StatementSync & { setReturnArrays(on: boolean): void }).setReturnArrays(true);
      this.#stmts.set(key, s);
    }
    return s;
  }

  /** Every row of a query as an array of its columns, fetched in one call (see {@link arrays}). */
  allArrays<T extends SQLOutputValue[]>(sql: string, params: Params): T[] {
    try {
      return this.arrays(sql).all(params) as unknown as T[];
    } catch (e) {
      throw this.#noted(e);
    }
  }

  all<T>(sql: string, params: Params, map: (row: Row) => T): T[] {
    let rows;
    try {
      rows = this.prepare(sql).all(params);
    } catch (e) {
      throw this.#noted(e);
    }
    return rows.map(map);
  }

  get<T>(sql: string, params: Params, map: (row: Row) => T): T | undefined {
    let row;
    try {
      row = this.prepare(sql).get(params);
    } catch (e) {
      throw this.#noted(e);
    }
    return row === undefined ? undefined : map(row);
  }

  run(sql: string, params: Params = {}): { changes: number; lastInsertRowid: number } {
    try {
      const r = this.prepare(sql).run(params);
      return { changes: Number(r.changes), lastInsertRowid: Number(r.lastInsertRowid) };
    } catch (e) {
      throw this.#noted(e);
    }
  }

  /** Runs `fn` in one immediate transaction; rolls back if it throws. */
  transaction<T>(fn: () => T): T {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.db.exec("COMMIT");
      return result;
    } catch (e) {
      this.#noted(e);
      this.db.exec("ROLLBACK");
      throw e;
    }
  }
}

/** Whether an error is SQLite saying the database file is damaged. */
export function isDamage(error: unknown): boolean {
  return /malformed|not a database|corrupt/i.test((error as Error)?.message ?? "");
}

// Column readers for mappers: a value of the wrong type is a schema bug, reported as one.
export function text(row: Row, column: string): string {
  const v = row[column];
  if (typeof v !== "string") throw new TypeError(`tracker column ${column} is not text: ${v}`);
  return v;
}

export function textOrNull(row: Row, column: string): string | null {
  const v = row[column];
  return v === null || v === undefined ? null : text(row, column);
}

export function int(row: Row, column: string): number {
  const v = row[column];
  if (typeof v !== "number" && typeof v !== "bigint") {
    throw new TypeError(`tracker column ${column} is not a number: ${v}`);
  }
  return Number(v);
}

export function intOrNull(row: Row, column: string): number | null {
  const v = row[column];
  return v === null || v === undefined ? null : int(row, column);
}

/** A 0/1 column, or null when nothing was recorded. */
export function flagOrNull(row: Row, column: string): boolean | null {
  const v = intOrNull(row, column);
  return v === null ? null : v === 1;
}

/** A JSON column; `fallback` when it is null. */
export function json<T>(row: Row, column: string, fallback: T): T {
  const v = textOrNull(row, column);
  return v === null ? fallback : JSON.parse(v) as T;
}

// Which Sql each tracker uses: kept here, not on the Tracker, so code outside core/tracker has no
// way to run SQL of its own.
const owners = new WeakMap<object, Sql>();

export function attachSql(owner: object, sql: Sql): void {
  owners.set(owner, sql);
}

export function sqlOf(owner: object): Sql {
  const sql = owners.get(owner);
  if (!sql) throw new Error("not an open tracker");
  return sql;
}

/** The time as the tracker stores it. */
export const now = (): string => new Date().toISOString();
