import assert from "node:assert/strict";
import { RetryableError } from "../../../core/plugin/errors.ts";
import { AdaptiveLimit, BYTES_PER_UPLOAD, isBusy, PATIENCE, START, uploadSize } from "./_adaptive.ts";
import { classify } from "./_client.ts";

/**
 * A server on a clock the test moves: `workers` requests are served at once, each for half to one
 * and a half times `serviceMs` (which the test may change), the rest queue. The spread is seeded,
 * so every run is the same; nothing real waits, so no test here is timed.
 */
class SimulatedServer {
  clock = 0;
  serviceMs = 10;
  /** A status to answer the next request with instead (then served normally again). */
  failNext?: number;
  #serving = 0;
  #seed = 1;
  readonly #queue: (() => void)[] = [];
  readonly #finishing: { at: number; done: () => void }[] = [];

  constructor(readonly workers: number) {}

  /** One request whose work is `size` times a small one's. */
  request(size = 1): Promise<void> {
    if (this.failNext) {
      const status = this.failNext;
      this.failNext = undefined;
      return Promise.reject(classify(status, { message: "slow down" }, "uploading a.jpg"));
    }
    return new Promise((done) => {
      const serve = () => {
        this.#serving++;
        this.#finishing.push({ at: this.clock + this.serviceMs * size * (0.5 + this.#random()), done });
      };
      if (this.#serving < this.workers) serve();
      else this.#queue.push(serve);
    });
  }

  /** A number from 0 to 1, the same sequence every run. */
  #random(): number {
    this.#seed = (this.#seed * 48271) % 0x7fffffff;
    return this.#seed / 0x7fffffff;
  }

  /** Moves the clock to the next finished request and answers it; false when none is pending. */
  step(): boolean {
    if (this.#finishing.length === 0) return false;
    this.#finishing.sort((a, b) => a.at - b.at);
    const next = this.#finishing.shift()!;
    this.clock = next.at;
    this.#serving--;
    this.#queue.shift()?.();
    next.done();
    return true;
  }
}

/** Lets the promise continuations that can run, run (the clock stands still meanwhile). */
async function settle() {
  for (let i = 0; i < 64; i++) await null;
}

/**
 * `uploads` uploads through `limit` by `lanes` engine lanes into `server`. Records the most in
 * flight at once and the limit after each answer; `during(i)` runs after the `i`th answer.
 */
async function drive(
  server: SimulatedServer,
  limit: AdaptiveLimit,
  options: {
    lanes: number;
    uploads: number;
    during?: (answered: number) => void;
    /** The size of the `i`th upload, in small uploads' worth (default 1). */
    size?: (i: number) => number;
  },
) {
  let next = 0;
  let answered = 0;
  let running = 0;
  let most = 0;
  const limits: number[] = [];
  const lane = async () => {
    while (next < options.uploads) {
      const i = next++;
      const size = options.size?.(i) ?? 1;
      await limit.run(async () => {
        most = Math.max(most, ++running);
        try {
          await server.request(size);
        } finally {
          running--;
        }
      }, size).catch(() => {});
      limits.push(limit.limit);
      answered++;
      options.during?.(answered);
    }
  };
  const lanes = Promise.all(Array.from({ length: options.lanes }, lane));
  let pending = true;
  lanes.then(() => pending = false);
  while (pending) {
    await settle();
    if (!server.step() && pending) await settle();
  }
  return { most, limits };
}

function fixture(workers: number) {
  const server = new SimulatedServer(workers);
  return { server, limit: new AdaptiveLimit(START, () => server.clock) };
}

Deno.test("429 and 503 are the server saying it is overwhelmed; other failures are not", () => {
  const busy = (status: number) => classify(status, { message: "slow down" }, "uploading a.jpg");
  assert.ok(isBusy(busy(429)) && isBusy(busy(503)));
  assert.ok(busy(429) instanceof RetryableError, "still retried by the engine");
  assert.ok(!isBusy(busy(500)) && !isBusy(busy(502)) && !isBusy(new Error("x")) && !isBusy(undefined));
});

Deno.test("uploads start at four in flight and rise to the engine's concurrency while throughput rises", async () => {
  const { server, limit } = fixture(16);
  const run = await drive(server, limit, { lanes: 8, uploads: 600 });
  assert.equal(run.limits[0], START);
  assert.equal(limit.limit, 8);
  assert.equal(run.most, 8, "never more than the engine's lanes");
  assert.ok(run.limits.slice(-200).every((l) => l === 8), "and stays there");
});

Deno.test("the limit stops where more uploads only queue at the server, and tries again later", async () => {
  const { server, limit } = fixture(6);
  const run = await drive(server, limit, { lanes: 12, uploads: 2000 });
  const settled = run.limits.slice(run.limits.length / 2);
  assert.ok(settled.every((l) => l === 6 || l === 9), `6, or 9 when it tries: ${[...new Set(settled)]}`);
  assert.ok(settled.filter((l) => l === 9).length < settled.length / 4, "mostly at the server's 6");
  assert.ok(settled.includes(9), `it tries again after ${PATIENCE} windows`);
});

Deno.test("a server that is saturated from the start keeps the four it started with", async () => {
  const { server, limit } = fixture(2);
  const run = await drive(server, limit, { lanes: 8, uploads: 400 });
  assert.ok(
    run.limits.every((l) => l === 4 || l === 6),
    `4, or 6 when it tries: ${[...new Set(run.limits)]}`,
  );
  assert.equal(limit.limit, 4);
});

Deno.test("a 429 halves the uploads in flight; throughput that rises again raises them", async () => {
  const { server, limit } = fixture(16);
  let halved: number | undefined;
  await drive(server, limit, {
    lanes: 8,
    uploads: 1200,
    during: (i) => {
      if (i === 500) server.failNext = 429;
      if (i === 502) halved = limit.limit;
    },
  });
  assert.equal(halved, 4, "half of 8");
  assert.equal(limit.limit, 8, "risen back");
});

Deno.test("answers much slower for no more throughput lower the limit by one, until more helps again", async () => {
  const { server, limit } = fixture(4);
  const run = await drive(server, limit, {
    lanes: 4,
    uploads: 600,
    // The server becomes twice as slow: the same uploads in flight, half the throughput.
    during: (i) => i === 200 && (server.serviceMs = 20),
  });
  assert.ok(run.limits.slice(0, 200).every((l) => l === 4));
  const after = run.limits.slice(200);
  assert.ok(after.includes(3), "lowered by one");
  assert.ok(!after.includes(2), "by one only");
  assert.equal(limit.limit, 4, "its four workers still answer four at once faster than three");
});

Deno.test("a server that is slower but not saturated keeps every lane going", async () => {
  const { server, limit } = fixture(16);
  server.serviceMs = 200;
  const run = await drive(server, limit, { lanes: 4, uploads: 200 });
  assert.ok(run.limits.every((l) => l === 4), "the engine's four never wait");
  assert.equal(run.most, 4);
});

Deno.test("a mix of small and big uploads is weighed by size, so a window of big ones is not a slower server", async () => {
  const { server, limit } = fixture(16);
  // One upload in ten, at random (seeded), is a video worth 40 small photos (60 MB among 1.5 MB photos).
  let seed = 7;
  const video = () => (seed = (seed * 48271) % 0x7fffffff) / 0x7fffffff < 0.1;
  const run = await drive(server, limit, { lanes: 8, uploads: 3000, size: () => video() ? 40 : 1 });
  const settled = run.limits.slice(run.limits.length / 2);
  assert.ok(settled.every((l) => l >= START), `never below the start: ${[...new Set(settled)]}`);
  assert.ok(
    settled.filter((l) => l === 8).length > settled.length * 0.8,
    `mostly at 8: ${[...new Set(settled)]}`,
  );
});

Deno.test("an upload weighs one request plus its bytes", () => {
  assert.equal(uploadSize(0), 1);
  assert.equal(uploadSize(BYTES_PER_UPLOAD), 2);
  assert.ok(uploadSize(200 << 20) > 30 * uploadSize(1_400_000), "a 200 MB video against a camera photo");
});
