import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { checkSession, Registry, validatePlugin } from "./registry.ts";
import { type DestinationPlugin, type HandlerPlugin, PLUGIN_API_VERSION } from "./types.ts";

function destination(overrides: Partial<DestinationPlugin> = {}): DestinationPlugin {
  return {
    kind: "destination",
    id: "destination.test",
    apiVersion: PLUGIN_API_VERSION,
    version: "1.0.0",
    description: "test",
    options: [],
    capabilities: [],
    open: () =>
      Promise.resolve({ key: "test", put: () => Promise.resolve({ resources: [] }), close: async () => {} }),
    ...overrides,
  };
}

function handler(id: string, order: number): HandlerPlugin {
  return {
    kind: "handler",
    id,
    apiVersion: PLUGIN_API_VERSION,
    version: "1",
    description: "h",
    options: [],
    order,
    applies: () => true,
    plan: () => {},
  };
}

Deno.test("register() rejects a plugin built for another apiVersion, naming both versions", () => {
  const r = new Registry();
  assert.throws(() => r.register(destination({ apiVersion: 99 })), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /version 99.*speaks version 1/);
    return true;
  });
});

Deno.test("register() rejects ids that are not namespaced by their kind", () => {
  const r = new Registry();
  assert.throws(() => r.register(destination({ id: "immich" })), /id must look like/);
  assert.throws(() => r.register(destination({ id: "source.x" })), /must start with its kind "destination."/);
  assert.throws(() => r.register(destination({ id: "destination.Bad-Name" })), /id must look like/);
});

Deno.test("register() rejects a duplicate id and a duplicate option flag", () => {
  const r = new Registry([destination()]);
  assert.throws(() => r.register(destination()), /already registered/);
  r.register(destination({ id: "destination.a", options: [{ name: "path", type: "path", help: "p" }] }));
  assert.throws(
    () =>
      r.register(
        destination({
          id: "destination.b",
          options: [{ name: "x", type: "path", help: "p", flag: "a-path" }],
        }),
      ),
    /--a-path is already used by destination.a/,
  );
});

Deno.test("validatePlugin() lists every problem of a malformed plugin at once", () => {
  const problems = validatePlugin({
    kind: "destination",
    id: "destination.x",
    apiVersion: 1,
    capabilities: ["teleport"],
  }, "f.js");
  assert.ok(problems.some((p) => p.includes("version must be")));
  assert.ok(problems.some((p) => p.includes("description must be")));
  assert.ok(problems.some((p) => p.includes("options must be an array")));
  assert.ok(problems.some((p) => p.includes("open() is missing")));
  assert.ok(problems.some((p) => p.includes('unknown capability "teleport"')));
  assert.deepEqual(validatePlugin(null, "f.js").length, 1);
});

Deno.test("checkSession() refuses a session that lacks a declared capability's method", async () => {
  const plugin = destination({ capabilities: ["link", "check"] });
  const session = await plugin.open({}, {} as never);
  assert.throws(() => checkSession(plugin, session), /link, check but its session has no such method/);
  const full = { ...session, link: async () => {}, check: () => Promise.resolve({ description: "ok" }) };
  assert.equal(typeof checkSession(plugin, full).link, "function");
});

Deno.test("checkSession() requires every method of the backup capability", async () => {
  const plugin = destination({ capabilities: ["backup"] });
  const session = await plugin.open({}, {} as never);
  const fn = () => Promise.reject(new Error("unused"));
  const partial = { ...session, prepareBackup: fn, backupTree: fn, restoreTree: fn };
  assert.throws(
    () => checkSession(plugin, partial),
    /declares or needs verifyTree, archives, pruneArchive but its session has no such method/,
  );
  const full = { ...partial, verifyTree: fn, archives: fn, pruneArchive: fn, warmup: fn };
  const view = checkSession(plugin, full);
  for (const m of ["prepareBackup", "backupTree", "restoreTree", "verifyTree", "archives", "pruneArchive"]) {
    assert.equal(typeof (view as unknown as Record<string, unknown>)[m], "function", m);
  }
  assert.equal(view.warmup, undefined, "an undeclared capability is not passed through");
});

Deno.test("handlers() orders by declared order, then registration order", () => {
  const r = new Registry([handler("handler.c", 20), handler("handler.a", 10), handler("handler.b", 10)]);
  assert.deepEqual(r.handlers().map((h) => h.id), ["handler.a", "handler.b", "handler.c"]);
});

Deno.test("source()/destination() accept short names and list the known ones when wrong", () => {
  const r = new Registry([destination()]);
  assert.equal(r.destination("test").id, "destination.test");
  assert.equal(r.destination("destination.test").id, "destination.test");
  assert.throws(() => r.destination("nas"), /unknown destination "nas"; known: test/);
});

Deno.test("a plugin limited to another platform cannot be chosen", () => {
  const other = Deno.build.os === "darwin" ? "linux" : "darwin";
  const r = new Registry([destination({ platforms: [other] })]);
  assert.throws(() => r.destination("test"), new RegExp(`runs only on ${other}`));
});

Deno.test("checkSession() hides optional methods the plugin did not declare", async () => {
  const plugin = destination({ capabilities: ["check"] });
  const session = {
    ...(await plugin.open({}, {} as never)),
    check: () => Promise.resolve({ description: "ok" }),
    remove: () => Promise.resolve(),
  };
  const view = checkSession(plugin, session);
  assert.equal(typeof view.check, "function");
  assert.equal(view.remove, undefined, "an undeclared capability is not used, even if the method exists");
  assert.equal(view.key, "test");
});
