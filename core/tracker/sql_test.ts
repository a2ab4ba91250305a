import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Tracker } from "./mod.ts";
import { int, sqlOf, text, textOrNull } from "./sql.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function productionFiles(dir: string, found: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) await productionFiles(path, found);
    else if (path.endsWith(".ts") && !path.endsWith("_test.ts")) found.push(path);
  }
  return found;
}

Deno.test("no production code outside core/tracker reaches the tracker's SQL", async () => {
  const files = [
    ...await productionFiles(join(ROOT, "core")),
    ...await productionFiles(join(ROOT, "plugins")),
  ];
  files.push(join(ROOT, "main.ts"));
  assert.ok(files.length > 100, `only ${files.length} files read: the check would pass without checking`);
  const reaching = [];
  for (const file of files) {
    const rel = relative(ROOT, file);
    if (rel.startsWith("core/tracker/")) continue;
    const source = await Deno.readTextFile(file);
    if (/from\s+"[^"]*tracker\/(sql|_testing)\.ts"/.test(source)) reaching.push(rel);
  }
  assert.deepEqual(reaching, [], "ask the Tracker by name instead (a method in core/tracker)");
});

Deno.test("the column readers give each column its type, and refuse a column of another", async () => {
  const dir = await Deno.makeTempDir();
  const t = Tracker.open(join(dir, "tracker.db"));
  try {
    const row = sqlOf(t).get(`SELECT 'a' AS s, 2 AS n, NULL AS z`, {}, (r) => r)!;
    assert.deepEqual([text(row, "s"), int(row, "n"), textOrNull(row, "z")], ["a", 2, null]);
    assert.throws(() => text(row, "n"), /column n is not text/);
    assert.throws(() => int(row, "s"), /column s is not a number/);
    assert.throws(() => sqlOf({}), /not an open tracker/);
  } finally {
    t.close();
    await Deno.remove(dir, { recursive: true });
  }
});
