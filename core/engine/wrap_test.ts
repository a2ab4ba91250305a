import * as assert from "node:assert/strict";
import { PermanentError, PluginError, RetryableError } from "../plugin/errors.ts";
import { DRY_RUN, HookTimings, subjectOf, wrapSession } from "./wrap.ts";

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
  const wrapped = wrapSession(plugin, session, { dryRun: { put: ([group]) => `would put ${group}` } });
  assert.equal(await wrapped.put("g"), "would put g");
  assert.equal(calls.length, 0);
});

Deno.test("DRY_RUN refuses a put, calls no other writing hook, and runs backups as rclone's dry run", async () => {
  const seen: { hook: string; args: unknown[] }[] = [];
  const record = (hook: string, answer: unknown = undefined) => (...args: unknown[]) => {
    seen.push({ hook, args });
    return Promise.resolve(answer);
  };
  const session = {
    key: "k",
    put: record("put"),
    update: record("update"),
    stack: record("stack"),
    remove: record("remove"),
    delete: record("delete"),
    pruneArchive: record("pruneArchive"),
    warmup: record("warmup"),
    backupTree: record("backupTree", { copied: 0 }),
    prepareBackup: record("prepareBackup", { state: "new" }),
    presence: record("presence", {}),
  };
  const dry = wrapSession(plugin, session, { dryRun: DRY_RUN });
  await assert.rejects(dry.put(), /destination.fake put: a dry run sends nothing/);
  await dry.update("r", { favorite: true });
  await dry.stack("a", ["b"]);
  await dry.remove(["r"]);
  await dry.pruneArchive("20250101T000000Z");
  await dry.warmup(["x"]);
  assert.deepEqual(await dry.delete(["a", "b"]), { deleted: [], notFound: ["a", "b"] });
  assert.deepEqual(seen, [], "no writing hook reached the plugin");
  await dry.backupTree({ source: "/s", name: "library", archive: "A" });
  await dry.prepareBackup({ create: true });
  await dry.presence(["r"]);
  assert.deepEqual(seen, [
    { hook: "backupTree", args: [{ source: "/s", name: "library", archive: "A", dryRun: true }] },
    { hook: "prepareBackup", args: [{ create: false }] },
    { hook: "presence", args: [["r"]] },
  ]);
});

Deno.test("subjectOf() names the asset a call is about", () => {
  assert.equal(subjectOf([{ asset: { id: "A1" }, plan: {} }]), "A1");
  assert.equal(subjectOf([[{ id: "A2" }, { id: "A3" }]]), "A2");
  assert.equal(subjectOf(["remote-1", { favorite: true }]), "remote-1");
  assert.equal(subjectOf([]), undefined);
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
