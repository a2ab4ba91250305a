/**
 * Checks a JSON answer against the response schema an OpenAPI 3 document declares for it: types,
 * required properties, enums, nullability, `allOf` and `$ref`. Enough of JSON Schema for Immich's
 * generated spec, written here because JSR's validators are out of reach.
 * @module
 */

type Schema = {
  $ref?: string;
  type?: string;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  additionalProperties?: boolean | Schema;
};

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

export class OpenApiChecker {
  readonly #routes: { method: string; pattern: RegExp; template: string; op: Operation }[] = [];

  constructor(readonly spec: OpenApi, readonly prefix = "/api") {
    for (const [template, methods] of Object.entries(spec.paths)) {
      // Literal segments before parameters: `/api-keys/me` must not be read as `/api-keys/{id}`.
      const pattern = new RegExp(`^${prefix}${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
      for (const [method, op] of Object.entries(methods)) {
        this.#routes.push({ method: method.toUpperCase(), pattern, template, op });
      }
    }
    const params = (t: string) => t.match(/\{/g)?.length ?? 0;
    this.#routes.sort((a, b) => params(a.template) - params(b.template));
  }

  /** The documented operation for a request, if any. */
  route(method: string, path: string) {
    const bare = path.split("?")[0];
    return this.#routes.find((r) => r.method === method && r.pattern.test(bare));
  }

  /**
   * Problems of `body` as the answer with `status` to `method path`; an empty list when it fits or
   * when the spec documents no JSON body for it.
   */
  check(method: string, path: string, status: number, body: unknown): string[] {
    const route = this.route(method, path);
    if (!route) return [];
    const response = route.op.responses?.[String(status)];
    const schema = response?.content?.["application/json"]?.schema;
    if (!schema) return [];
    const problems: string[] = [];
    this.#validate(schema, body, "body", problems);
    return problems.map((p) => `${route.template} ${status}: ${p}`);
  }

  #resolve(schema: Schema): Schema {
    let s = schema;
    while (s.$ref) s = this.spec.components.schemas[s.$ref.replace("#/components/schemas/", "")];
    return s;
  }

  #validate(raw: Schema, value: unknown, where: string, problems: string[]): void {
    const schema = this.#resolve(raw);
    if (schema.allOf) {
      for (const part of schema.allOf) this.#validate(part, value, where, problems);
      if (!schema.type && !schema.properties) return;
    }
    if (schema.oneOf || schema.anyOf) {
      const options = schema.oneOf ?? schema.anyOf!;
      const fits = options.some((o) => {
        const p: string[] = [];
        this.#validate(o, value, where, p);
        return p.length === 0;
      });
      if (!fits) problems.push(`${where}: fits none of the alternatives`);
      return;
    }
    if (value === null) {
      if (!schema.nullable && schema.type) problems.push(`${where}: null is not allowed`);
      return;
    }
    if (schema.enum && !schema.enum.includes(value)) {
      problems.push(`${where}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
    }
    const kind = Array.isArray(value) ? "array" : typeof value;
    switch (schema.type) {
      case "integer":
        if (!Number.isInteger(value)) problems.push(`${where}: ${JSON.stringify(value)} is not an integer`);
        return;
      case "number":
      case "string":
      case "boolean":
        if (kind !== schema.type) problems.push(`${where}: ${kind} where ${schema.type} is documented`);
        return;
      case "array":
        if (kind !== "array") problems.push(`${where}: ${kind} where an array is documented`);
        else if (schema.items) {
          (value as unknown[]).forEach((v, i) =>
            this.#validate(schema.items!, v, `${where}[${i}]`, problems)
          );
        }
        return;
      case "object":
      case undefined: {
        if (!schema.properties) return;
        if (kind !== "object") {
          problems.push(`${where}: ${kind} where an object is documented`);
          return;
        }
        const object = value as Record<string, unknown>;
        for (const name of schema.required ?? []) {
          if (!(name in object)) problems.push(`${where}: required ${name} is missing`);
        }
        for (const [name, sub] of Object.entries(schema.properties)) {
          if (name in object && object[name] !== undefined) {
            this.#validate(sub, object[name], `${where}.${name}`, problems);
          }
        }
        for (const name of Object.keys(object)) {
          if (!(name in schema.properties)) problems.push(`${where}: ${name} is not documented`);
        }
      }
    }
  }
}
