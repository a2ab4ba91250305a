/**
 * The response types of the official `@immich/sdk` (generated from the server's OpenAPI document)
 * read from its `.d.ts`, to check the emulator's 3.x answers key by key: required keys present,
 * no undocumented keys, and each value of a documented type. This stands in for the 3.x OpenAPI
 * document, which is not among the shared fixtures.
 * @module
 */

export interface Property {
  name: string;
  optional: boolean;
  type: string;
}

export class SdkTypes {
  readonly types = new Map<string, Property[]>();
  readonly enums = new Map<string, string[]>();

  constructor(dts: string) {
    const lines = dts.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const type = /^export type (\w+) = \{$/.exec(lines[i]);
      if (type) {
        const props: Property[] = [];
        let depth = 1;
        let pending: Property | undefined;
        for (i++; i < lines.length && depth > 0; i++) {
          const line = lines[i].trim();
          if (line.startsWith("/**") || line.startsWith("*")) continue;
          if (depth === 1) {
            const prop = /^"?([\w]+)"?(\?)?: (.*?);?$/.exec(line);
            if (prop) {
              pending = { name: prop[1], optional: prop[2] === "?", type: prop[3] };
              props.push(pending);
            }
          }
          depth += (line.match(/\{/g)?.length ?? 0) - (line.match(/\}/g)?.length ?? 0);
        }
        i--;
        this.types.set(type[1], props);
        continue;
      }
      const enumStart = /^export declare enum (\w+) \{$/.exec(lines[i]);
      if (enumStart) {
        const values: string[] = [];
        for (i++; i < lines.length && !lines[i].startsWith("}"); i++) {
          const v = /= "([^"]*)"/.exec(lines[i]);
          if (v) values.push(v[1]);
        }
        this.enums.set(enumStart[1], values);
      }
    }
  }

  /** Every way `value` does not fit the SDK type `name`. */
  check(name: string, value: unknown, where = "body"): string[] {
    const problems: string[] = [];
    this.#type(name, value, where, problems);
    return problems;
  }

  #type(type: string, value: unknown, where: string, problems: string[]): void {
    const alternatives = splitUnion(type.trim());
    for (const alt of alternatives) {
      const p: string[] = [];
      this.#one(alt, value, where, p);
      if (p.length === 0) return;
      if (alternatives.length === 1) {
        problems.push(...p);
        return;
      }
    }
    problems.push(`${where}: ${JSON.stringify(value)?.slice(0, 60)} is none of ${type}`);
  }

  #one(type: string, value: unknown, where: string, problems: string[]): void {
    if (type.startsWith("(") && type.endsWith(")")) {
      return this.#type(type.slice(1, -1), value, where, problems);
    }
    if (type === "any" || type.startsWith("{")) return;
    if (type === "null") {
      if (value !== null) problems.push(`${where}: not null`);
      return;
    }
    if (["string", "number", "boolean"].includes(type)) {
      const actual: string = typeof value;
      if (actual !== type) problems.push(`${where}: ${JSON.stringify(value)} is not a ${type}`);
      return;
    }
    if (type.endsWith("[]")) {
      if (!Array.isArray(value)) {
        problems.push(`${where}: not an array`);
        return;
      }
      value.forEach((v, i) => this.#type(type.slice(0, -2), v, `${where}[${i}]`, problems));
      return;
    }
    const values = this.enums.get(type);
    if (values) {
      if (!values.includes(value as string)) {
        problems.push(`${where}: ${JSON.stringify(value)} is not a ${type}`);
      }
      return;
    }
    const props = this.types.get(type);
    if (!props) {
      problems.push(`${where}: unknown SDK type ${type}`);
      return;
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${where}: not an object (${type})`);
      return;
    }
    const object = value as Record<string, unknown>;
    for (const p of props) {
      if (!(p.name in object)) {
        if (!p.optional) problems.push(`${where}: required ${p.name} is missing (${type})`);
        continue;
      }
      this.#type(p.type, object[p.name], `${where}.${p.name}`, problems);
    }
    for (const key of Object.keys(object)) {
      if (!props.some((p) => p.name === key)) problems.push(`${where}: ${key} is not in ${type}`);
    }
  }
}

/** `A | (B | C)[] | null` -> `A`, `(B | C)[]`, `null` (top level only). */
function splitUnion(type: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (let i = 0; i < type.length; i++) {
    const ch = type[i];
    if (ch === "(" || ch === "{" || ch === "<") depth++;
    if (ch === ")" || ch === "}" || ch === ">") depth--;
    if (depth === 0 && type.startsWith(" | ", i)) {
      parts.push(current.trim());
      current = "";
      i += 2;
      continue;
    }
    current += ch;
  }
  parts.push(current.trim());
  return parts;
}

/** The SDK's type declarations, from the installed `@immich/sdk` package. */
export async function loadSdkTypes(): Promise<SdkTypes> {
  const entry = import.meta.resolve("@immich/sdk");
  const dts = await Deno.readTextFile(new URL("fetch-client.d.ts", entry));
  return new SdkTypes(dts);
}
