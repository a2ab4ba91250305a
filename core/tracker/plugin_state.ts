/**
 * What plugins keep between runs: JSON values by plugin and key.
 * @module
 */
import type { Sql } from "./sql.ts";
import { text } from "./sql.ts";

export function stateGet(sql: Sql, plugin: string, key: string): unknown {
  const value = sql.get(
    `SELECT value FROM plugin_state WHERE plugin = $plugin AND key = $key`,
    { plugin, key },
    (r) => text(r, "value"),
  );
  return value === undefined ? undefined : JSON.parse(value);
}

export function stateSet(sql: Sql, plugin: string, key: string, value: unknown): void {
  sql.run(
    `INSERT INTO plugin_state (plugin, key, value) VALUES ($plugin, $key, $value)
     ON CONFLICT (plugin, key) DO UPDATE SET value = excluded.value`,
    { plugin, key, value: JSON.stringify(value) },
  );
}

/** The plugin's keys that start with `prefix`. */
export function stateKeys(sql: Sql, plugin: string, prefix: string): string[] {
  return sql.all(
    `SELECT key FROM plugin_state WHERE plugin = $plugin AND substr(key, 1, length($prefix)) = $prefix ORDER BY key`,
    { plugin, prefix },
    (r) => text(r, "key"),
  );
}

export function stateDelete(sql: Sql, plugin: string, key: string): void {
  sql.run(`DELETE FROM plugin_state WHERE plugin = $plugin AND key = $key`, { plugin, key });
}
