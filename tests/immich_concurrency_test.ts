/**
 * End to end, how many uploads an import keeps in flight at the default `--concurrency`: four at
 * first, more once a server that keeps up answers more of them in the same time, never more than
 * the engine's concurrency. The server here answers each upload after a fixed wait, so throughput
 * grows with the uploads in flight as long as there are any to send.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { START } from "../plugins/destination/immich/_adaptive.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { startEmulator } from "./immich_emulator/mod.ts";
import { assertExactlyOnce, env, importArgs, summaryOf } from "./_immich.ts";

Deno.test("an import starts at four uploads in flight and rises while a server that keeps up answers more", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    server.emulator.faults = [{ method: "POST", path: "^/api/assets$", delayMs: 40 }];
    let inFlight = 0;
    /** The uploads in flight as each one arrived, in order. */
    const seen: number[] = [];
    server.emulator.onRequest = (request) => {
      if (request.route !== "POST /api/assets") return;
      if (request.stage === "arrived") seen.push(++inFlight);
      else inFlight--;
    };
    const sample = await writeSampleLibrary(join(dir, "Wide.photoslibrary"), { assets: 300, seed: 5 });
    const home = join(dir, "home");
    const run = await cli(importArgs(home, sample.path), env(server));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(summaryOf(run.stdout).failed, 0);
    // The first window is 16 answers per upload in flight, counted from the first answer.
    const first = seen.slice(0, 16 * START);
    assert.ok(Math.max(...first) <= START, `at most ${START} at first, saw ${Math.max(...first)}`);
    assert.ok(Math.max(...seen) > START, `it rose once throughput grew with it (most: ${Math.max(...seen)})`);
    assert.ok(
      Math.max(...seen) <= 8,
      `never past the default --concurrency of 8 (most: ${Math.max(...seen)})`,
    );
    await assertExactlyOnce(server, sample.path, home);
  });
});
