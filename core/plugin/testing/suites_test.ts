import assert from "node:assert/strict";
import type {
  AssetCapability,
  AssetDestinationSession,
  DestinationPlugin,
  SourcePlugin,
  SourceSession,
} from "../types.ts";
import { PLUGIN_API_VERSION } from "../types.ts";
import { fieldsOf, type SideFields } from "../../model/synced.ts";
import { assetFixture, destinationSuite, groupFixture, sourceSuite, testContext } from "./mod.ts";

type Outcome = "ok" | "failed" | "ignored";

/** A test context that records each step's outcome instead of failing the test. */
function recorder() {
  const outcomes = new Map<string, Outcome>();
  const t = {
    step: async (
      def: { name: string; ignore?: boolean; fn: (t: Deno.TestContext) => unknown } | string,
      fn?: (t: Deno.TestContext) => unknown,
    ) => {
      const [name, body, ignore] = typeof def === "string"
        ? [def, fn!, false]
        : [def.name, def.fn, !!def.ignore];
      if (ignore) return outcomes.set(name, "ignored"), false;
      try {
        await body(t);
        outcomes.set(name, "ok");
        return true;
      } catch {
        outcomes.set(name, "failed");
        return false;
      }
    },
  } as unknown as Deno.TestContext;
  const where = (outcome: Outcome) => [...outcomes].filter(([, o]) => o === outcome).map(([n]) => n);
  return { t, outcomes, failed: () => where("failed"), ignored: () => where("ignored") };
}

/** An in-memory destination; `breaks` names the behaviour to get wrong. */
function memoryDestination(
  capabilities: AssetCapability[],
  breaks: { putKeepsRemoved?: boolean; stackKeepsFirst?: boolean; albumTwice?: boolean; noStack?: boolean } =
    {},
): DestinationPlugin & { stacks: Map<string, Set<string>>; albums: Map<string, string[]> } {
  const bySha = new Map<string, string>();
  const stacks = new Map<string, Set<string>>();
  const albums = new Map<string, string[]>();
  const removed = new Set<string>();
  const session: AssetDestinationSession = {
    key: "memory:test",
    put: async (group) => {
      const resources = group.files.map((f) => {
        const duplicate = bySha.has(f.sha1) && !removed.has(f.sha1);
        if (breaks.putKeepsRemoved && removed.has(f.sha1)) {
          return { key: f.key, remoteId: f.sha1, duplicate: true };
        }
        bySha.set(f.sha1, f.sha1);
        removed.delete(f.sha1);
        return { key: f.key, remoteId: f.sha1, duplicate };
      });
      const id = (key: string) => resources.find((r) => r.key === key)!.remoteId;
      const titles = albums.get(id(group.plan.primary)) ?? [];
      for (const album of group.asset.albums) {
        if (breaks.albumTwice || !titles.includes(album.title)) titles.push(album.title);
      }
      albums.set(id(group.plan.primary), titles);
      for (const rel of group.plan.relations.filter((r) => r.type === "stack")) {
        await session.stack!(id(rel.to), [id(rel.from)]);
      }
      return { resources };
    },
    close: () => Promise.resolve(),
    presence: (ids) =>
      Promise.resolve(
        Object.fromEntries(ids.map((id) => [id, bySha.has(id) && !removed.has(id) ? "present" : "gone"])),
      ),
    stack: (primary, members) => {
      if (breaks.stackKeepsFirst && stacks.has(primary)) return Promise.resolve();
      const stack = stacks.get(primary) ?? new Set<string>();
      for (const id of [primary, ...members]) stack.add(id);
      for (const id of stack) stacks.set(id, stack);
      return Promise.resolve();
    },
    remove: (ids) => Promise.resolve(void ids.forEach((id) => removed.add(id))),
  };
  if (breaks.noStack) delete session.stack;
  return {
    kind: "destination",
    id: "destination.memory",
    apiVersion: PLUGIN_API_VERSION,
    version: "1.0.0",
    description: "keeps ids in memory",
    options: [],
    assets: { capabilities, open: () => Promise.resolve(session) },
    stacks,
    albums,
  };
}

const ALL: AssetCapability[] = ["presence", "stack", "remove"];

async function runDestination(plugin: ReturnType<typeof memoryDestination>) {
  const r = recorder();
  await destinationSuite(r.t, plugin, {
    inspect: {
      stack: (id) => Promise.resolve([...plugin.stacks.get(id) ?? []]),
      albums: (id) => Promise.resolve(plugin.albums.get(id) ?? []),
    },
  });
  return r;
}

Deno.test("destinationSuite passes a correct destination and shows the steps of undeclared capabilities and roles as ignored", async () => {
  const r = await runDestination(memoryDestination(ALL));
  assert.deepEqual(r.failed(), []);
  assert.equal(r.outcomes.get("stack() grows an existing stack instead of replacing it"), "ok");
  assert.equal(
    r.outcomes.get("put() puts an asset in its albums once, however often it is put (inspect.albums)"),
    "ok",
  );
  assert.ok(r.ignored().includes("check() describes the destination"));
  assert.ok(r.ignored().includes("backup role"), "a destination without the backup role skips its steps");
  const fewer = await runDestination(memoryDestination(["presence"]));
  assert.ok(fewer.ignored().includes("stack() grows an existing stack instead of replacing it"));
  assert.ok(fewer.ignored().includes("remove() takes an asset away; a later put() of it stores it again"));
});

Deno.test("destinationSuite fails a destination that declares a capability without its method", async () => {
  const r = await runDestination(memoryDestination(ALL, { noStack: true }));
  assert.deepEqual(r.failed(), ["has a method for every declared capability"]);
});

Deno.test("destinationSuite fails a stack() that does not grow, a put() that trusts a removed copy, albums added twice", async () => {
  const stacking = await runDestination(memoryDestination(ALL, { stackKeepsFirst: true }));
  // A stack that does not grow also loses a group's second stacked file at put().
  assert.deepEqual(stacking.failed(), [
    "put() honours the plan's stack and motion relations (inspect.stack, inspect.motion)",
    "stack() grows an existing stack instead of replacing it",
  ]);
  const restoring = await runDestination(memoryDestination(ALL, { putKeepsRemoved: true }));
  assert.deepEqual(restoring.failed(), [
    "remove() takes an asset away; a later put() of it stores it again",
  ]);
  const albums = await runDestination(memoryDestination(ALL, { albumTwice: true }));
  assert.deepEqual(albums.failed(), [
    "put() puts an asset in its albums once, however often it is put (inspect.albums)",
  ]);
});

/** An in-memory destination with the two-way capabilities; `breaks` names the one to get wrong. */
function twoWayDestination(
  breaks: { albumsOnlyAdd?: boolean; changesRepeat?: boolean } = {},
): DestinationPlugin {
  const fields = new Map<string, SideFields>();
  const stamps = new Map<string, number>();
  let clock = 0;
  const touch = (id: string) => stamps.set(id, ++clock);
  const session: AssetDestinationSession = {
    key: "memory:two-way",
    put: (group) => {
      const resources = group.files.map((f) => ({
        key: f.key,
        remoteId: f.sha1,
        duplicate: fields.has(f.sha1),
      }));
      const primary = resources.find((r) => r.key === group.plan.primary)!.remoteId;
      const { title: _title, ...kept } = fieldsOf(group.asset);
      fields.set(primary, kept);
      touch(primary);
      return Promise.resolve({ resources });
    },
    close: () => Promise.resolve(),
    update: (id, changes) => {
      if (changes.favorite !== undefined) fields.get(id)!.favorite = changes.favorite;
      touch(id);
      return Promise.resolve();
    },
    read: (ids) =>
      Promise.resolve(Object.fromEntries(ids.map((id) => {
        const kept = fields.get(id);
        return [id, kept ? { fields: structuredClone(kept), trashed: false } : null];
      }))),
    changes: (checkpoint) => {
      const from = breaks.changesRepeat ? 0 : Number(checkpoint ?? 0);
      const changed = [...stamps].filter(([, at]) => at > from).map(([id]) => id);
      return Promise.resolve({ changed, checkpoint: String(clock) });
    },
    albums: (id, albums) => {
      const kept = fields.get(id)!;
      const ids = albums.map((a) => a.id);
      kept.albums = (breaks.albumsOnlyAdd ? [...new Set([...kept.albums ?? [], ...ids])] : ids).sort();
      return Promise.resolve();
    },
    people: (id, people) => {
      fields.get(id)!.people = people.slice().sort((a, b) => a.name.localeCompare(b.name));
      return Promise.resolve();
    },
  };
  return {
    kind: "destination",
    id: "destination.twoway",
    apiVersion: PLUGIN_API_VERSION,
    version: "1.0.0",
    description: "keeps the synced fields in memory",
    options: [],
    assets: {
      capabilities: ["update", "read", "changes", "albums", "people"],
      open: () => Promise.resolve(session),
    },
  };
}

Deno.test("destinationSuite runs the two-way steps where declared and fails albums() that only adds, changes() that repeats", async () => {
  const steps = [
    "read() gives back what put() stored, and null for an id never given",
    "changes() lists an update() made after its checkpoint, and not after a later one",
    "albums() sets the asset's albums; set fewer, the one left out no longer has it",
    "people() names people on an asset, read back by name",
  ];
  const good = recorder();
  await destinationSuite(good.t, twoWayDestination());
  assert.deepEqual(good.failed(), []);
  for (const name of steps) assert.equal(good.outcomes.get(name), "ok", name);
  const without = await runDestination(memoryDestination(ALL));
  for (const name of steps) assert.ok(without.ignored().includes(name), name);
  const adding = recorder();
  await destinationSuite(adding.t, twoWayDestination({ albumsOnlyAdd: true }));
  assert.deepEqual(adding.failed(), [steps[2]]);
  const repeating = recorder();
  await destinationSuite(repeating.t, twoWayDestination({ changesRepeat: true }));
  assert.deepEqual(repeating.failed(), [steps[1]]);
});

/** A source over fixture groups whose delete() may forget what it was told. */
async function memorySource(dir: string, forgetsDelete: boolean): Promise<SourcePlugin> {
  const assets = await Promise.all([1, 2].map(async () => (await groupFixture(dir, { motion: true })).asset));
  const session: SourceSession = {
    key: "memory",
    list: async function* () {
      yield* structuredClone(assets);
    },
    export: ({ plan }) =>
      Promise.resolve(plan.resources.map((r) => ({ key: r.key, path: r.resource.path! }))),
    close: () => Promise.resolve(),
    delete: (ids) => {
      const known = ids.filter((id) => assets.some((a) => a.id === id));
      if (!forgetsDelete) { for (const a of assets) if (known.includes(a.id)) a.trashed = true; }
      return Promise.resolve({ deleted: known, notFound: ids.filter((id) => !known.includes(id)) });
    },
  };
  return {
    kind: "source",
    id: "source.memory",
    apiVersion: PLUGIN_API_VERSION,
    version: "1.0.0",
    description: "fixtures in memory",
    options: [],
    capabilities: ["delete"],
    open: () => Promise.resolve(session),
  };
}

Deno.test("sourceSuite runs delete() where declared and fails one that deletes nothing", async () => {
  await using ctx = await testContext();
  const step = "delete() moves an asset out of the library and names ids it does not know";
  const good = recorder();
  await sourceSuite(good.t, await memorySource(ctx.tempDir, false));
  assert.deepEqual(good.failed(), []);
  assert.equal(good.outcomes.get(step), "ok");
  assert.ok(good.ignored().includes("download() makes the originals of iCloud-only assets local"));
  const bad = recorder();
  await sourceSuite(bad.t, await memorySource(ctx.tempDir, true));
  assert.deepEqual(bad.failed(), [step]);
});

Deno.test("groupFixture writes real, hashed files and relates them to the original as the handlers do", async () => {
  await using ctx = await testContext();
  const group = await groupFixture(ctx.tempDir, {
    motion: true,
    raw: true,
    edit: true,
    sidecar: true,
    asset: { filename: "IMG_0001.HEIC", caption: "harbour" },
  });
  assert.deepEqual(group.files.map((f) => f.key).sort(), ["edited", "motion", "original", "raw", "sidecar"]);
  assert.equal(group.asset.caption, "harbour");
  assert.equal(group.files.find((f) => f.key === "original")!.name, "IMG_0001.HEIC");
  for (const f of group.files) assert.equal(f.size, (await Deno.stat(f.path)).size);
  assert.equal(new Set(group.files.map((f) => f.sha1)).size, 5, "every file has its own content");
  assert.equal(group.plan.primary, "edited", "the edit is shown, the original stacked under it");
  assert.ok(
    group.plan.relations.some((r) => r.type === "motion_of" && r.from === "motion" && r.to === "original"),
  );
  assert.deepEqual(assetFixture({ id: "x" }).resources, []);
});
