import assert from "node:assert/strict";
import { AsyncQueue, runLanes } from "./lanes.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

Deno.test("each lane runs at its own concurrency and a slow lane does not hold up the other", async () => {
  const inFlight: Record<string, number> = { slow: 0, fast: 0 };
  const peak: Record<string, number> = { slow: 0, fast: 0 };
  const order: string[] = [];
  let releaseSlow!: () => void;
  const slowGate = new Promise<void>((r) => (releaseSlow = r));
  const items = Array.from({ length: 20 }, (_, i) => (i % 5 === 0 ? `slow${i}` : `fast${i}`));
  const work = (lane: string) => async (item: string) => {
    inFlight[lane]++;
    peak[lane] = Math.max(peak[lane], inFlight[lane]);
    if (lane === "slow") await slowGate;
    else await tick();
    order.push(item);
    inFlight[lane]--;
  };
  const done = runLanes(items, (i) => (i.startsWith("slow") ? "slow" : "fast"), {
    slow: { concurrency: 1, work: work("slow") },
    fast: { concurrency: 3, work: work("fast") },
  });
  while (order.filter((i) => i.startsWith("fast")).length < 16) await tick();
  assert.equal(
    order.some((i) => i.startsWith("slow")),
    false,
    "all fast work finished while the slow lane waited",
  );
  releaseSlow();
  await done;
  assert.deepEqual(peak, { slow: 1, fast: 3 });
  assert.equal(order.length, 20);
});

Deno.test("a failing lane stops intake and the error is rethrown after the others finish", async () => {
  const finished: number[] = [];
  await assert.rejects(
    runLanes(Array.from({ length: 100 }, (_, i) => i), (i) => (i === 3 ? "bad" : "good"), {
      bad: { concurrency: 1, work: () => Promise.reject(new Error("fatal")) },
      good: {
        concurrency: 2,
        capacity: 2,
        work: async (i: number) => {
          await tick();
          finished.push(i);
        },
      },
    }),
    /fatal/,
  );
  assert.ok(finished.length < 100, "no new work was taken after the failure");
});

Deno.test("a bounded queue makes the producer wait while it is full", async () => {
  const q = new AsyncQueue<number>(2);
  await q.push(1);
  await q.push(2);
  let third = false;
  const p = q.push(3).then(() => (third = true));
  await tick();
  assert.equal(third, false);
  const it = q[Symbol.asyncIterator]();
  assert.deepEqual(await it.next(), { value: 1, done: false });
  await p;
  assert.equal(third, true);
  q.close();
  assert.deepEqual(await it.next(), { value: 2, done: false });
  assert.deepEqual(await it.next(), { value: 3, done: false });
  assert.equal((await it.next()).done, true);
});
