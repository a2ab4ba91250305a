import assert from "node:assert/strict";
import { memoryOutput } from "./output.ts";
import { Progress, type ProgressSnapshot } from "./run.ts";

const imported = (n: number) => ({
  type: "asset" as const,
  assetId: `A${n}`,
  filename: `IMG_${n}.JPG`,
  outcome: "imported" as const,
  bytes: 1000,
});

Deno.test("the pace counts the assets done while the library was still listed, so the ETA is not optimistic", () => {
  let clock = 0;
  const stored: ProgressSnapshot[] = [];
  const progress = new Progress(memoryOutput(), false, (p) => stored.push(p), () => clock);
  clock = 10_000;
  progress.event(imported(1));
  progress.event(imported(2));
  assert.equal(progress.snapshot().total, null, "no total before the listing ends");
  progress.event({ type: "start", total: 4, listed: 4 });
  // Two assets in ten seconds, two left: ten seconds more (counting from `start` would say none).
  assert.equal(progress.snapshot().etaSeconds, 10);
  clock = 15_000;
  progress.event(imported(3));
  assert.deepEqual(
    { done: stored.at(-1)!.done, total: stored.at(-1)!.total, eta: stored.at(-1)!.etaSeconds },
    { done: 3, total: 4, eta: 5 },
  );
});
