/**
 * End to end, pausing Immich's heavy jobs from the command line: by default (auto) a large import
 * pauses them and resumes them at the end, also when stopped by SIGINT; `--no-immich-pause-jobs`
 * leaves them running. The choice of when is tested in plugins/destination/immich/pause_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, spawnCli, withTempDir } from "./_cli.ts";
import { type RunningEmulator, startEmulator } from "./immich_emulator/mod.ts";
import { env, importArgs, summaryOf } from "./_immich.ts";

/** Well past the plugin's LARGE_IMPORT (50), in one-asset groups. */
const ASSETS = 70;

/** How many queues were paused as each upload arrived. */
function pausedAtUploads(server: RunningEmulator): number[] {
  const seen: number[] = [];
  server.emulator.onRequest = (r) => {
    if (r.stage === "arrived" && r.route === "POST /api/assets") seen.push(server.emulator.state.paused.size);
  };
  return seen;
}

const queueWrites = (server: RunningEmulator) => server.emulator.count(/^PUT \/api\/(queues|jobs)\//);

Deno.test("a large import pauses Immich's jobs by default and resumes them; --no-immich-pause-jobs does not", async () => {
  await withTempDir(async (dir) => {
    const sample = await writeSampleLibrary(join(dir, "Large.photoslibrary"), { assets: ASSETS, seed: 7 });
    {
      await using server = await startEmulator();
      const seen = pausedAtUploads(server);
      const run = await cli(importArgs(join(dir, "auto"), sample.path, "--concurrency", "1"), env(server));
      assert.equal(run.code, 0, run.stderr);
      assert.equal(summaryOf(run.stdout).failed, 0);
      assert.equal(seen.at(0), 0, "the first uploads go with the jobs running");
      assert.equal(seen.at(-1), 5, "the last ones with the five heavy queues paused");
      assert.equal(server.emulator.state.paused.size, 0, "resumed at the end");
      assert.equal(queueWrites(server), 10);
    }
    {
      await using server = await startEmulator();
      const seen = pausedAtUploads(server);
      const run = await cli(
        importArgs(join(dir, "off"), sample.path, "--concurrency", "1", "--no-immich-pause-jobs"),
        env(server),
      );
      assert.equal(run.code, 0, run.stderr);
      assert.ok(seen.length >= ASSETS);
      assert.equal(queueWrites(server), 0, "never paused");
      assert.doesNotMatch(run.stderr, /pausing Immich's jobs/);
    }
  });
});

Deno.test("a large import stopped by SIGINT after pausing Immich's jobs resumes them before it exits", async () => {
  await withTempDir(async (dir) => {
    const sample = await writeSampleLibrary(join(dir, "Stopped.photoslibrary"), { assets: ASSETS, seed: 8 });
    await using server = await startEmulator();
    const args = importArgs(join(dir, "home"), sample.path, "--concurrency", "1");
    const child = spawnCli(args, env(server));
    const { promise: pausedNow, resolve } = Promise.withResolvers<void>();
    server.emulator.onRequest = (r) => {
      if (
        r.stage === "arrived" && r.route === "POST /api/assets" && server.emulator.state.paused.size === 5
      ) {
        resolve();
      }
    };
    await pausedNow;
    child.kill("SIGINT");
    const stderr = await new Response(child.stderr).text();
    assert.equal((await child.status).code, 130, stderr);
    assert.match(stderr, /import interrupted by SIGINT/);
    assert.equal(server.emulator.state.paused.size, 0, `resumed on the way out; ${stderr}`);
    assert.equal(queueWrites(server), 10);
  });
});
