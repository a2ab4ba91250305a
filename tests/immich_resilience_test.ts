/**
 * End to end, when things go wrong: an import into the Immich emulator killed at random points and
 * resumed, and an import under injected faults, each end with every asset there exactly once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, spawnCli, withTempDir } from "./_cli.ts";
import { type FaultRule, startEmulator } from "./immich_emulator/mod.ts";
import { assertExactlyOnce, env, importArgs, importedCount, summaryOf } from "./_immich.ts";

Deno.test("an import into Immich killed at random points and resumed ends with every asset there exactly once", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Kill.photoslibrary"), { assets: 200, seed: 7 });
    const home = join(dir, "home");
    let kills = 0;
    for (const after of [1, 20, 60, 110, 150]) {
      const child = spawnCli(importArgs(home, sample.path, "--concurrency", "4"), env(server));
      let exited = false;
      child.status.then(() => (exited = true));
      // A random moment after the tracker passed `after`: mid-upload, mid-record or between assets.
      while (!exited && importedCount(home) < after) await new Promise((r) => setTimeout(r, 3));
      if (!exited) {
        await new Promise((r) => setTimeout(r, Math.random() * 30));
        child.kill("SIGKILL");
        kills++;
      }
      await child.status;
      await child.stderr.cancel();
    }
    assert.ok(kills >= 3, `only ${kills} kills landed mid-run`);
    const final = await cli(importArgs(home, sample.path), env(server));
    assert.equal(final.code, 0, final.stderr);
    assert.equal(summaryOf(final.stdout).failed, 0);
    await assertExactlyOnce(server, sample.path, home);
  });
});

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
