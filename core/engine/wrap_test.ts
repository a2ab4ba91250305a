import * as assert from "node:assert/strict";
import { PermanentError, PluginError, RetryableError } from "../plugin/errors.ts";
import { HookTimings, wrapSession } from "./wrap.ts";

const plugin = { id: "destination.fake" };
const noPause = { sleep: () => Promise.resolve(), random: () => 0 };

/** A session whose `put` fails with the given errors in turn, then answers "ok". */
function flaky(errors: Error[]) {
  const calls: unknown[] = [];
  return {
    calls,
    session: {
      key: "fake:1",
      put(group: unknown) {
        calls.push(group);
        const error = errors.shift();
        return error ? Promise.reject(error) : Promise.resolve("ok");
      },
      async *list() {
        yield 1;
        throw new Error("disk went away");
      },
    },
  };
}

Deno.test("wrapSession() tags an error with the plugin id and hook, not the session key", async () => {
  const { session } = flaky([new PermanentError("refused IMG_1.HEIC")]);
  const wrapped = wrapSession(plugin, session);
  const error = await wrapped.put("g").catch((e) => e);
  assert.ok(error instanceof PluginError);
  assert.equal(error.message, "destination.fake put: refused IMG_1.HEIC");
  assert.equal(error.kind, "permanent");
  assert.equal(wrapped.key, "fake:1");
});

Deno.test("wrapSession() tags an error thrown while a listing is iterated", async () => {
  const wrapped = wrapSession(plugin, flaky([]).session);
  const seen: number[] = [];
  const error = await (async () => {
    for await (const n of wrapped.list()) seen.push(n);
  })().catch((e) => e);
  assert.deepEqual(seen, [1]);
  assert.equal(error.message, "destination.fake list: disk went away");
});

Deno.test("wrapSession() retries retryable errors and reports each retry with the hook's arguments", async () => {
  const { session, calls } = flaky([new RetryableError("502"), new RetryableError("503")]);
  const events: unknown[] = [];
  const wrapped = wrapSession(plugin, session, {
    retry: { attempts: 3, ...noPause },
    onRetry: ({ hook, args, attempt }) => events.push([hook, args[0], attempt]),
  });
  assert.equal(await wrapped.put("g"), "ok");
  assert.equal(calls.length, 3);
  assert.deepEqual(events, [["put", "g", 1], ["put", "g", 2]]);
});

Deno.test("wrapSession() does not retry a permanent error, and gives up after the last attempt", async () => {
  const permanent = flaky([new PermanentError("bad")]);
  const once = wrapSession(plugin, permanent.session, { retry: { attempts: 3, ...noPause } });
  await assert.rejects(once.put("g"), /destination.fake put: bad/);
  assert.equal(permanent.calls.length, 1);

  const down = flaky([new RetryableError("a"), new RetryableError("b"), new RetryableError("c")]);
  const twice = wrapSession(plugin, down.session, { retry: { attempts: 2, ...noPause } });
  await assert.rejects(twice.put("g"), /destination.fake put: b/);
  assert.equal(down.calls.length, 2);
});

Deno.test("wrapSession() in a dry run answers a writing hook without calling the plugin", async () => {
  const { session, calls } = flaky([]);
  const wrapped = wrapSession(plugin, session, { dryRun: { put: (group) => `would put ${group}` } });
  assert.equal(await wrapped.put("g"), "would put g");
  assert.equal(calls.length, 0);
});

Deno.test("wrapSession() counts calls, failures and time per hook", async () => {
  const timings = new HookTimings();
  const wrapped = wrapSession(plugin, flaky([new PermanentError("x")]).session, { timings });
  await wrapped.put("a").catch(() => {});
  await wrapped.put("b");
  const [put] = timings.read();
  assert.deepEqual({ ...put, totalMs: 0 }, {
    pluginId: "destination.fake",
    hook: "put",
    calls: 2,
    failures: 1,
    totalMs: 0,
  });
  assert.ok(put.totalMs >= 0);
});
