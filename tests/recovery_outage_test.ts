/**
 * Recovery after an outage, through the real CLI against the Immich emulator with a clock the test
 * controls (`PHOTOS_SYNC_TEST_NOW`): uploads answered 500 fail with a back-off; once the server is
 * fixed, the summary says until when they wait, `review --retry` imports them at once and a plain
 * import retries the rest when their back-off has passed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { type FaultRule, startEmulator } from "./immich_emulator/mod.ts";
import { assertExactlyOnce, env, importArgs, summaryOf } from "./_immich.ts";

Deno.test("after an outage: failures wait out their back-off, review --retry imports them now, a later import the rest", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator({ version: "1.135.3" });
    const sample = await writeSampleLibrary(join(dir, "Outage.photoslibrary"));
    const home = join(dir, "home");
    const at = (time: string) => ({ ...env(server), PHOTOS_SYNC_TEST_NOW: `2026-01-05T${time}:00Z` });
    const text = importArgs(home, sample.path).filter((a) => a !== "--json");

    const outage: FaultRule = { method: "POST", path: "^/api/assets$", status: 500 };
    server.emulator.faults = [outage];
    const down = await cli(importArgs(home, sample.path), at("10:00"));
    assert.equal(down.code, 1, down.stderr);
    const failed = summaryOf(down.stdout);
    assert.equal(failed.failed, 7);
    assert.equal(failed.retryLater.assets, 7);
    assert.match(failed.retryLater.earliest, /^2026-01-05T10:05:/, "five minutes of back-off");
    assert.ok(server.emulator.applied(outage) > 0);
    assert.equal(server.emulator.state.assets.size, 0);

    server.emulator.faults = [];
    const early = await cli(text, at("10:01"));
    assert.equal(early.code, 0, early.stderr);
    assert.match(early.stdout, /skipped: 7 waiting/);
    assert.match(
      early.stdout,
      /^7 assets wait after a transient failure until 2026-01-05 10:05 UTC; a later import or sync retries them then; to retry them now: photos-sync review --retry$/m,
    );
    assert.equal(server.emulator.state.assets.size, 0, "nothing is tried before its back-off passed");

    const retry = await cli(["review", "--retry", "--limit", "3", ...text.slice(1)], at("10:01"));
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, /^imported 3, already there 0, failed 0/m, "review --retry does not wait");

    const still = summaryOf((await cli(importArgs(home, sample.path), at("10:03"))).stdout);
    assert.deepEqual([still.imported, still.skipped.waiting, still.retryLater?.assets], [0, 4, 4]);
    const later = await cli(importArgs(home, sample.path), at("10:06"));
    assert.equal(later.code, 0, later.stderr);
    const done = summaryOf(later.stdout);
    assert.deepEqual([done.imported, done.skipped.waiting, done.retryLater], [4, 0, null]);
    await assertExactlyOnce(server, sample.path, home);
  });
});
