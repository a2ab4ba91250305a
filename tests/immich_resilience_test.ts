/**
 * End to end, when things go wrong: an import into the Immich emulator under injected faults ends
 * with every asset there exactly once. Kills at aimed points are in `immich_kill_test.ts`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { type FaultRule, startEmulator } from "./immich_emulator/mod.ts";
import { assertExactlyOnce, env, importArgs, summaryOf } from "./_immich.ts";

Deno.test("under injected faults (500, 429, 503, dropped connections, slow answers) the import completes with nothing duplicated or lost", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator({ version: "1.135.3" });
    const faults: FaultRule[] = [
      { method: "POST", path: "^/api/assets$", every: 9, status: 500, times: 2 },
      // Stored, but the answer is lost: the retry must find the asset, not upload it again.
      { method: "POST", path: "^/api/assets$", every: 13, drop: "after", times: 2 },
      { method: "POST", path: "^/api/assets/bulk-upload-check$", every: 11, status: 429, times: 1 },
      { method: "PUT", path: "^/api/albums/", every: 5, status: 503, times: 1 },
      { method: "POST", path: "^/api/albums$", every: 2, drop: "before", times: 1 },
      { path: "^/api/assets", every: 17, delayMs: 300, times: 2 },
    ];
    server.emulator.faults = faults;
    const sample = await writeSampleLibrary(join(dir, "Faults.photoslibrary"), { assets: 40, seed: 3 });
    const home = join(dir, "home");
    // One at a time, so the faults land on the same requests on every run of this test.
    const run = await cli(importArgs(home, sample.path, "--concurrency", "1"), env(server));
    assert.equal(run.code, 0, run.stderr);
    assert.equal(summaryOf(run.stdout).failed, 0);
    for (const rule of faults) {
      assert.ok(server.emulator.applied(rule) > 0, `fault ${JSON.stringify(rule)} was met`);
    }
    await assertExactlyOnce(server, sample.path, home);
  });
});
