/**
 * The whole table of hostile cases (see `_hostile.ts`) holds at least 40 distinct cases: every
 * `tests/hostile/<area>.ts` is one area's part of it.
 */
import assert from "node:assert/strict";
import type { HostileCase } from "./_hostile.ts";

async function allCases(): Promise<HostileCase[]> {
  const dir = new URL("./hostile/", import.meta.url);
  const all: HostileCase[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || !e.name.endsWith(".ts") || e.name.startsWith("_")) continue;
    const table = await import(new URL(e.name, dir).href) as { CASES: HostileCase[] };
    all.push(...table.CASES);
  }
  return all;
}

Deno.test("the hostile table holds at least 40 cases with distinct names", async () => {
  const all = await allCases();
  assert.equal(new Set(all.map((c) => c.name)).size, all.length, "case names are distinct");
  assert.ok(all.length >= 40, `${all.length} cases`);
});
