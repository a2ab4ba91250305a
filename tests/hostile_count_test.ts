/** The whole table of hostile cases (see `_hostile.ts`) holds at least 40 distinct cases. */
import assert from "node:assert/strict";
import { CASES as identity } from "./hostile/identity.ts";
import { CASES as input } from "./hostile/input.ts";

Deno.test("the hostile table holds at least 40 cases with distinct names", () => {
  const all = [...input, ...identity];
  assert.equal(new Set(all.map((c) => c.name)).size, all.length, "case names are distinct");
  assert.ok(all.length >= 40, `${all.length} cases`);
});
