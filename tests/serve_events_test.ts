/**
 * The event stream follows an import that runs in another process: serve and the import share
 * nothing but the tracker file.
 */
import assert from "node:assert/strict";
import { startServer } from "../core/server/mod.ts";
import type { Snapshot } from "../core/server/mod.ts";
import { cliCommand, importFixture } from "./_serve_fixtures.ts";
import { serverEvents } from "./_sse.ts";

// The run writes its progress once a second; a destination that takes 20 ms per asset makes an
// import of 300 assets last at least 6 s, whatever the machine, so several records are certain.
const ASSETS = 300;
const SLOW = new URL("./fixtures/slow_destination.js", import.meta.url).pathname;

Deno.test("the event stream shows an import in another process progressing, then its end", async () => {
  const fx = await importFixture({ assets: ASSETS });
  const server = await startServer({ home: fx.home, port: 0, pollMs: 100 });
  let child: Deno.ChildProcess | undefined;
  try {
    const res = await fetch(`${server.url}api/events`, { signal: AbortSignal.timeout(180_000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
    const seen: { done: number; total: number | null; rate: number }[] = [];
    let final: Snapshot | undefined;
    let first = true;
    for await (const e of serverEvents(res)) {
      assert.equal(e.event, "snapshot");
      const snap = JSON.parse(e.data) as Snapshot;
      if (first) {
        first = false;
        assert.deepEqual(snap.live, []);
        // One asset at a time: the import must last a few seconds to show progress moving.
        child = cliCommand([...fx.importArgs, "--concurrency", "1", "--plugin", SLOW, "--to", "slow"], {
          stdout: "null",
        }).spawn();
        continue;
      }
      const live = snap.live.find((r) => r.command === "import");
      if (live) seen.push({ done: live.done, total: live.total, rate: live.assetsPerSecond });
      const run = snap.runs.find((r) => r.command === "import");
      if (run && run.status !== "running") {
        final = snap;
        break;
      }
    }
    const status = await child!.output();
    assert.equal(status.code, 0, new TextDecoder().decode(status.stderr));

    const progressing = seen.filter((s) => s.done > 0);
    assert.ok(progressing.length >= 2, `expected several progress events, saw ${JSON.stringify(seen)}`);
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i].done >= seen[i - 1].done, "progress never goes back");
    }
    assert.ok(progressing.at(-1)!.done > progressing[0].done, "the numbers move");
    // Uploads start while the library is still listed: the total is known once the listing ends,
    // and from then on every record carries it, unchanged.
    const known = seen.findIndex((s) => s.total !== null);
    assert.ok(known >= 0, `no record carried the total: ${JSON.stringify(seen)}`);
    const total = seen[known].total;
    assert.ok(total !== null && total > ASSETS * 0.9 && total <= ASSETS, `total ${total}`);
    assert.ok(seen.slice(known).every((s) => s.total === total), "the total does not change during the run");
    assert.ok(progressing.at(-1)!.rate > 0, "a pace is shown");

    assert.ok(final);
    assert.deepEqual(final.live, []);
    assert.equal(final.runs[0].status, "succeeded");
    const summary = final.runs[0].summary as { imported: number };
    const destinations = (final.status as { destinations: { imported: number }[] }).destinations;
    assert.equal(destinations[0].imported, summary.imported);
    assert.ok(summary.imported > ASSETS * 0.9);
    assert.ok(progressing.at(-1)!.done <= summary.imported);
  } finally {
    if (child) {
      try {
        child.kill("SIGKILL");
      } catch { /* already ended */ }
      await child.status;
    }
    await server.stop();
    await Deno.remove(fx.dir, { recursive: true });
  }
});
