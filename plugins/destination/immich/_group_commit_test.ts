import assert from "node:assert/strict";
import { GroupCommit } from "./_group_commit.ts";

Deno.test("items added while a batch is in flight leave together as the next batch", async () => {
  const batches: number[][] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const commit = new GroupCommit(async (items: number[]) => {
    batches.push(items);
    if (batches.length === 1) await gate;
    return items.map((i) => i * 10);
  }, { maxBatch: 3 });
  const first = commit.add(1);
  await Promise.resolve(); // the first batch leaves at once with one item
  const rest = [2, 3, 4, 5].map((i) => commit.add(i));
  release();
  assert.deepEqual(await Promise.all([first, ...rest]), [10, 20, 30, 40, 50]);
  assert.deepEqual(batches, [[1], [2, 3, 4], [5]]);
});

Deno.test("an error answer fails its own caller only; a throw fails the whole batch", async () => {
  const commit = new GroupCommit((items: string[]) => {
    if (items.includes("boom")) return Promise.reject(new Error("server down"));
    return Promise.resolve(items.map((i) => (i === "bad" ? new Error(`refused ${i}`) : i.toUpperCase())));
  }, { maxBatch: 10 });
  const [good, bad] = await Promise.allSettled([commit.add("good"), commit.add("bad")]);
  assert.deepEqual(good, { status: "fulfilled", value: "GOOD" });
  assert.equal(bad.status === "rejected" && bad.reason.message, "refused bad");
  const both = await Promise.allSettled([commit.add("x"), commit.add("boom")]);
  assert.deepEqual(both.map((r) => r.status), ["rejected", "rejected"]);
  assert.equal(await commit.add("after"), "AFTER", "a failed batch does not stop the next");
});
