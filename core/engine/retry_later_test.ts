import assert from "node:assert/strict";
import { RetryableError } from "../plugin/errors.ts";
import { importAssets } from "./import_run.ts";
import { fakeDestination, fakeSource, harness } from "./_testing.ts";

Deno.test("the summary counts the assets that wait out a back-off and says until when, first and last", async () => {
  await harness(async ({ dir, base }) => {
    let down = true;
    const src = await fakeSource(dir, 3);
    const dst = fakeDestination(() => {
      if (down) throw new RetryableError("500 Internal Server Error");
    });
    let clock = new Date("2026-01-05T10:00:00Z");
    const opts = base({ source: src.session, destination: dst.session, now: () => clock, concurrency: 1 });
    const failed = await importAssets({ ...opts, limit: 2 });
    assert.deepEqual(failed.retryLater, {
      assets: 2,
      earliest: "2026-01-05T10:05:00.000Z",
      latest: "2026-01-05T10:05:00.000Z",
    });
    clock = new Date("2026-01-05T10:02:00Z");
    const third = await importAssets(opts);
    assert.equal(third.failed, 1, "the third asset is new and tried");
    assert.deepEqual(third.retryLater, {
      assets: 3,
      earliest: "2026-01-05T10:05:00.000Z",
      latest: "2026-01-05T10:07:00.000Z",
    });
    down = false;
    clock = new Date("2026-01-05T10:06:00Z");
    const partly = await importAssets(opts);
    assert.deepEqual([partly.imported, partly.skipped.waiting], [2, 1]);
    assert.deepEqual(partly.retryLater, {
      assets: 1,
      earliest: "2026-01-05T10:07:00.000Z",
      latest: "2026-01-05T10:07:00.000Z",
    });
  });
});

Deno.test("retrying problems (review --retry) does not wait for a back-off to pass", async () => {
  await harness(async ({ dir, base }) => {
    let down = true;
    const src = await fakeSource(dir, 2);
    const dst = fakeDestination(() => {
      if (down) throw new RetryableError("503 Service Unavailable");
    });
    const clock = new Date("2026-01-05T10:00:00Z");
    const opts = base({ source: src.session, destination: dst.session, now: () => clock });
    assert.equal((await importAssets(opts)).failed, 2);
    down = false;
    assert.equal((await importAssets(opts)).skipped.waiting, 2, "a plain run waits");
    const now = await importAssets({ ...opts, retryPermanent: true, only: new Set(["id-1"]) });
    assert.deepEqual([now.imported, now.skipped.waiting, now.retryLater], [1, 0, null]);
  });
});
