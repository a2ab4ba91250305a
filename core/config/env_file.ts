/**
 * A small `.env` parser: `KEY=value`, optional `export `, `#` comments, single or double quotes
 * (double quotes understand `\n`, `\"` and `\\`). Only parsing; precedence is decided elsewhere.
 *
 * @example
 * ```ts
 * parseEnvFile('IMMICH_URL="http://nas:2283"\n# comment\nexport BACKUP_MAX_RETRIES=5');
 * // { IMMICH_URL: "http://nas:2283", BACKUP_MAX_RETRIES: "5" }
 * ```
 * @module
 */
import { ConfigError } from "../plugin/errors.ts";

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/;

export function parseEnvFile(text: string, where = ".env"): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = LINE.exec(line);
    if (!m) {
      throw new ConfigError(`${where} line ${i + 1} is not KEY=value; fix or remove it`);
    }
    const [, key, rawValue] = m;
    out[key] = unquote(rawValue, `${where} line ${i + 1}`);
  }
  return out;
}

function unquote(raw: string, where: string): string {
  const q = raw[0];
  if (q === '"' || q === "'") {
    const end = raw.lastIndexOf(q);
    if (end === 0) throw new ConfigError(`${where}: the quote ${q} is not closed`);
    const body = raw.slice(1, end);
    if (q === "'") return body;
    return body.replace(/\\([n"\\])/g, (_, c: string) => (c === "n" ? "\n" : c));
  }
  // Unquoted: a " #" starts a comment.
  const hash = raw.search(/\s#/);
  return (hash >= 0 ? raw.slice(0, hash) : raw).trim();
}
