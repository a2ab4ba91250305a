/**
 * Small parts: no production file over 400 lines and no production function over 80. Production is
 * what the binary or the published package runs: every repository file reachable from `main.ts` or
 * from the package's exports (test helpers are not, however they are named). A function's length
 * includes the functions and object-literal methods nested in it, so a factory that returns an
 * object of methods counts whole.
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { importGraph } from "./_import_graph.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;
/** Generated sample data: the file may be long; its functions may not. */
const LONG_FILES_ALLOWED = new Set(["plugins/source/photoslibrary/sample_library.ts"]);

/** Files reachable from the roots through the import graph. */
async function productionFiles(): Promise<string[]> {
  const roots = ["main.ts", "core/plugin/mod.ts", "core/plugin/testing/mod.ts"];
  // Commands are loaded by `import()`, so dynamic imports count here.
  const graph = await importGraph(ROOT, { dirs: [], files: roots, dynamic: true });
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const next of graph.get(file) ?? []) visit(next);
  };
  roots.forEach(visit);
  return [...seen].filter((f) => f.endsWith(".ts")).sort();
}

/** Every function-like node with a body longer than the limit, as `file:line name (n lines)`. */
export function longFunctions(file: string, text: string, max: number): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      const name = node.name?.getText(source) ?? "(anonymous)";
      if (lines > max) found.push(`${file}:${start + 1} ${name} (${lines} lines)`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

Deno.test("longFunctions() counts nested functions and methods as part of the outer one", () => {
  const body = Array.from({ length: 5 }, (_, i) => `  const x${i} = ${i};`).join("\n");
  const text = `export function outer() {\n  return {\n    inner() {\n${body}\n    },\n  };\n}\n`;
  assert.deepEqual(longFunctions("f.ts", text, 9), ["f.ts:1 outer (11 lines)"]);
  assert.deepEqual(longFunctions("f.ts", text, 11), []);
});

Deno.test(`no production file is over ${MAX_FILE_LINES} lines, no production function over ${MAX_FUNCTION_LINES}`, async () => {
  const files = await productionFiles();
  assert.ok(files.includes("core/engine/import_run.ts") && files.includes("plugins/mod.ts"), files.join());
  assert.ok(!files.some((f) => f.endsWith("_test.ts")), "a test file reached from main.ts");
  const problems: string[] = [];
  for (const file of files) {
    const text = await Deno.readTextFile(join(ROOT, file));
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_FILE_LINES && !LONG_FILES_ALLOWED.has(file)) problems.push(`${file} (${lines} lines)`);
    problems.push(...longFunctions(file, text, MAX_FUNCTION_LINES));
  }
  assert.deepEqual(problems, [], "split these into named parts (see docs/development.md)");
});
