import assert from "node:assert/strict";
import { ConfigError } from "../plugin/errors.ts";
import { readableTime, runClock } from "./clock.ts";

Deno.test("the run's clock is real time unless the test-only variable starts it elsewhere", async () => {
  const real = runClock({})();
  assert.ok(Math.abs(real.getTime() - Date.now()) < 1000);
  const fake = runClock({ PHOTOS_SYNC_TEST_NOW: "2026-01-05T10:00:00Z" });
  const first = fake().getTime();
  assert.ok(first - Date.parse("2026-01-05T10:00:00Z") < 1000);
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(fake().getTime() >= first + 15, "and moves on with real time");
});

Deno.test("a test clock that is not an ISO 8601 time is a configuration error that names the variable", () => {
  for (const bad of ["tomorrow", "1700000000", "2026-13-45T99:00:00Z"]) {
    assert.throws(
      () => runClock({ PHOTOS_SYNC_TEST_NOW: bad }),
      (e) => e instanceof ConfigError && /PHOTOS_SYNC_TEST_NOW must be an ISO 8601 time/.test(e.message),
      bad,
    );
  }
});

Deno.test("readableTime gives the local date and time to the minute with the zone (TZ=UTC)", () => {
  assert.equal(readableTime("2026-01-05T10:05:59.000Z"), "2026-01-05 10:05 UTC");
});
