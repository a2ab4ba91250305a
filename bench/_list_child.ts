/**
 * Child process of `list_library_bench.ts`: lists a library through `source.photoslibrary` and
 * prints one JSON line of timings, so that the parent can measure this process' peak memory alone.
 *
 *   deno run -A [--v8-flags=--expose-gc] bench/_list_child.ts <library> plain|memory|single
 *
 * `plain` lists twice through the plugin; `memory` lists once, collecting garbage every
 * 5,000 assets to report the most memory the listing ever kept alive; `single` lists once, the whole
 * process being the measure of "listing the library alone".
 */
import type { SourceSession } from "../core/plugin/types.ts";
import { testContext } from "../core/plugin/testing/context.ts";
import photoslibrary from "../plugins/source/photoslibrary/mod.ts";

const [library, mode = "plain"] = Deno.args;
await using ctx = await testContext();
const opened = await photoslibrary.open({ library }, ctx);
const session: SourceSession = opened;

/**
 * CPU time for `plain` only: node:process would add the Node compatibility layer's start-up to the
 * `single` process, which the parent measures whole.
 */
const cpuUsage = mode === "plain" ? (await import("node:process")).default.cpuUsage : undefined;

async function pass(): Promise<{ assets: number; seconds: number; cpuSeconds?: number }> {
  const cpu = cpuUsage?.();
  const started = performance.now();
  let assets = 0;
  for await (const asset of session.list()) assets += asset.resources.length > 0 ? 1 : 0;
  const used = cpuUsage?.(cpu);
  return {
    assets,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: used && (used.user + used.system) / 1e6,
  };
}

/** The largest live heap seen after a full collection, in MB: what the listing keeps, not GC slack. */
async function liveHeap(): Promise<{ assets: number; liveHeapMb: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("memory mode needs --v8-flags=--expose-gc");
  let assets = 0;
  let most = 0;
  for await (const _ of session.list()) {
    if (++assets % 5000 === 0) {
      gc();
      most = Math.max(most, Deno.memoryUsage().heapUsed);
    }
  }
  return { assets, liveHeapMb: most / 2 ** 20 };
}

try {
  if (mode === "memory") console.log(JSON.stringify(await liveHeap()));
  else if (mode === "single") console.log(JSON.stringify({ first: await pass() }));
  else console.log(JSON.stringify({ first: await pass(), second: await pass() }));
} finally {
  await session.close();
}
