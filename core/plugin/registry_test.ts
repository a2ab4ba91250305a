import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { checkSession, Registry, validatePlugin } from "./registry.ts";
import {
  type AssetCapability,
  type DestinationPlugin,
  type HandlerPlugin,
  PLUGIN_API_VERSION,
} from "./types.ts";

const assetSession = () => ({
  key: "test",
  put: () => Promise.resolve({ resources: [] }),
  close: async () => {},
});

function destination(overrides: Partial<DestinationPlugin> = {}, capabilities: AssetCapability[] = []) {
  return {
    kind: "destination",
    id: "destination.test",
    apiVersion: PLUGIN_API_VERSION,
    version: "1.0.0",
    description: "test",
    options: [],
    assets: { capabilities, open: () => Promise.resolve(assetSession()) },
    ...overrides,
  } satisfies DestinationPlugin;
}

const fn = () => Promise.reject(new Error("unused"));
const backupSession = () => ({
  key: "vault",
  close: async () => {},
  prepareBackup: fn,
  backupTree: fn,
  restoreTree: fn,
  verifyTree: fn,
  archives: fn,
  pruneArchive: fn,
});

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
    assert.match(e.message, /version 99.*speaks version 2/);
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
    apiVersion: 2,
    assets: { capabilities: ["teleport"], open: () => {} },
    backup: { capabilities: [] },
  }, "f.js");
  assert.ok(problems.some((p) => p.includes("version must be")));
  assert.ok(problems.some((p) => p.includes("description must be")));
  assert.ok(problems.some((p) => p.includes("options must be an array")));
  assert.ok(problems.some((p) => p.includes('assets: unknown capability "teleport"')));
  assert.ok(problems.some((p) => p.includes("backup must be { capabilities, open() }")));
  assert.deepEqual(validatePlugin(null, "f.js").length, 1);
});

Deno.test("validatePlugin() says how to move a version-1 destination to roles, and wants at least one role", () => {
  const old = { ...destination(), assets: undefined, capabilities: ["check"], open: () => {} };
  assert.ok(validatePlugin(old, "f.js").some((p) => p.includes("move open() and capabilities into assets:")));
  const none = { ...destination(), assets: undefined };
  assert.ok(validatePlugin(none, "f.js").some((p) => p.includes("at least one role")));
  assert.deepEqual(validatePlugin(destination(), "f.js"), []);
});

Deno.test("checkSession() refuses a session that lacks a declared capability's method", async () => {
  const plugin = destination({}, ["stack", "check"]);
  const session = await plugin.assets.open({}, {} as never);
  assert.throws(
    () => checkSession(plugin, "assets", plugin.assets.capabilities, session),
    /stack, check but its session has no such method/,
  );
  const full = { ...session, stack: async () => {}, check: () => Promise.resolve({ description: "ok" }) };
  assert.equal(typeof checkSession(plugin, "assets", plugin.assets.capabilities, full).stack, "function");
});

Deno.test("checkSession(): capability cold is four methods, all needed, all shown", async () => {
  const plugin = destination({}, ["cold"]);
  const session = await plugin.assets.open({}, {} as never);
  const partial = { ...session, coldState: fn, requestRestore: fn, estimateRestore: fn };
  assert.throws(
    () => checkSession(plugin, "assets", plugin.assets.capabilities, partial),
    /declares or needs fetchCold but its session has no such method/,
  );
  const view = checkSession(plugin, "assets", ["cold"], { ...partial, fetchCold: fn }) as unknown as Record<
    string,
    unknown
  >;
  for (const m of ["coldState", "estimateRestore", "requestRestore", "fetchCold"]) {
    assert.equal(typeof view[m], "function", m);
  }
  const without = checkSession(plugin, "assets", [], { ...partial, fetchCold: fn }) as unknown as Record<
    string,
    unknown
  >;
  assert.equal(without.coldState, undefined, "undeclared, the cold methods stay hidden");
});

Deno.test("checkSession() requires every method of the backup role and shows it only those", () => {
  const plugin = destination();
  const partial = { ...backupSession(), verifyTree: undefined, archives: undefined, pruneArchive: undefined };
  assert.throws(
    () => checkSession(plugin, "backup", [], partial),
    /declares or needs verifyTree, archives, pruneArchive, close but|declares or needs verifyTree, archives, pruneArchive but/,
  );
  // One object playing both roles: each view has only its own role's methods.
  const both = { ...backupSession(), ...assetSession(), warmup: fn };
  const view = checkSession(plugin, "backup", [], both) as unknown as Record<string, unknown>;
  for (const m of ["prepareBackup", "backupTree", "restoreTree", "verifyTree", "archives", "pruneArchive"]) {
    assert.equal(typeof view[m], "function", m);
  }
  assert.equal(view.warmup, undefined, "an undeclared capability is not passed through");
  assert.equal(view.put, undefined, "the backup view has no asset method");
  const assets = checkSession(plugin, "assets", [], both) as unknown as Record<string, unknown>;
  assert.equal(assets.backupTree, undefined, "the asset view has no backup method");
});

Deno.test("assetDestination() and backupTarget() refuse a destination without that role, naming those with it", () => {
  const vault = {
    ...destination({ id: "destination.vault" }),
    assets: undefined,
    backup: { capabilities: [], open: () => Promise.resolve(backupSession()) },
  };
  const r = new Registry([destination(), vault]);
  assert.equal(r.assetDestination("test").id, "destination.test");
  assert.equal(r.backupTarget("vault").id, "destination.vault");
  assert.throws(
    () => r.assetDestination("vault"),
    /keeps backups, not assets: use it with `photos-sync backup --to vault`; to import, choose one of: test/,
  );
  assert.throws(() => r.backupTarget("test"), /destination.test cannot keep backups; backup targets: vault/);
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
  const plugin = destination({}, ["check"]);
  const session = {
    ...(await plugin.assets.open({}, {} as never)),
    check: () => Promise.resolve({ description: "ok" }),
    remove: () => Promise.resolve(),
  };
  const view = checkSession(plugin, "assets", plugin.assets.capabilities, session);
  assert.equal(typeof view.check, "function");
  assert.equal(view.remove, undefined, "an undeclared capability is not used, even if the method exists");
  assert.equal(view.key, "test");
});
