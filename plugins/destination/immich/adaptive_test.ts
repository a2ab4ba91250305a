import assert from "node:assert/strict";
import { RetryableError } from "../../../core/plugin/errors.ts";
import { AdaptiveLimit, isBusy, SAMPLES } from "./_adaptive.ts";
import { classify } from "./_client.ts";

/** A limit on a clock the test moves; `answer(ms)` runs one upload that takes `ms`. */
function fixture() {
  let clock = 0;
  const limit = new AdaptiveLimit(() => clock);
  const answer = (ms: number, error?: Error) =>
    limit.run(() => {
      clock += ms;
      return error ? Promise.reject(error) : Promise.resolve(ms);
    });
  /** `n` uploads, `width` at a time, each `ms` long. */
  const wave = async (n: number, width: number, ms: number) => {
    for (let i = 0; i < n; i += width) {
      await Promise.all(Array.from({ length: width }, () => answer(ms).catch(() => {})));
    }
  };
  return { limit, answer, wave };
}

const busy = (status: number) => classify(status, { message: "slow down" }, "uploading a.jpg");

Deno.test("429 and 503 are the server saying it is overwhelmed; other failures are not", () => {
  assert.ok(isBusy(busy(429)) && isBusy(busy(503)));
  assert.ok(busy(429) instanceof RetryableError, "still retried by the engine");
  assert.ok(!isBusy(busy(500)) && !isBusy(busy(502)) && !isBusy(new Error("x")) && !isBusy(undefined));
});

Deno.test("the limit holds nothing back until the server shows strain", async () => {
  const { limit, wave } = fixture();
  await wave(SAMPLES * 4, 4, 10);
  assert.equal(limit.limit, Infinity);
});

Deno.test("a 429 halves the uploads in flight; answers as fast as before raise it back to unlimited", async () => {
  const { limit, answer, wave } = fixture();
  await wave(SAMPLES, 4, 10);
  await assert.rejects(answer(1, busy(429)));
  assert.equal(limit.limit, 2);
  await wave(SAMPLES, 2, 10);
  assert.equal(limit.limit, 3);
  await wave(SAMPLES, 3, 10);
  assert.equal(limit.limit, 4);
  await wave(SAMPLES, 4, 10);
  assert.equal(limit.limit, Infinity, "past the most ever in flight, no limit");
});

Deno.test("answers much slower for no more throughput lower the limit by one", async () => {
  const { limit, wave } = fixture();
  await wave(SAMPLES, 4, 10);
  // Twice the latency at the same width: half the throughput, the uploads only queue.
  await wave(SAMPLES, 4, 20);
  assert.equal(limit.limit, 3);
});

Deno.test("at most `limit` uploads run at once; the others wait their turn", async () => {
  const { limit, answer, wave } = fixture();
  await wave(SAMPLES, 4, 10);
  await assert.rejects(answer(1, busy(503)));
  assert.equal(limit.limit, 2);
  let running = 0;
  let most = 0;
  await Promise.all(Array.from({ length: 6 }, () =>
    limit.run(async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    })));
  assert.equal(most, 2);
});
