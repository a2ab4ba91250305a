/**
 * The conformance suite of destinations: the steps of each role the plugin plays, one step per
 * capability, run when the plugin declares it and shown as ignored when it does not (rclone's
 * `fstests`). A capability declared without its method fails the suite.
 *
 * @example
 * ```ts
 * import { destinationSuite } from "./mod.ts";
 * import plugin from "../../../examples/manifest_destination/plugin.ts";
 * Deno.test("my destination conforms", async (t) => {
 *   const dir = await Deno.makeTempDir();
 *   await destinationSuite(t, plugin, { options: { dir } });
 *   await Deno.remove(dir, { recursive: true });
 * });
 * ```
 * @module
 */
import assert from "node:assert/strict";
import type { CaptureDate, Location } from "../../model/asset.ts";
import type { ExportedGroup } from "../../model/plan.ts";
import type { OptionValues } from "../options.ts";
import { checkSession, validatePlugin } from "../registry.ts";
import type {
  AssetCapability,
  AssetDestinationSession,
  BackupTargetSession,
  DestinationPlugin,
  PluginContext,
  PutResult,
} from "../types.ts";
import { backupSteps, type BackupSuiteOptions } from "./_backup_steps.ts";
import { testContext } from "./context.ts";
import { groupFixture } from "./fixtures.ts";
import { twoWaySteps } from "./_two_way_steps.ts";

/** The metadata a destination keeps of an asset; an inspector leaves out what it does not keep. */
export interface StoredMetadata {
  favorite?: boolean;
  hidden?: boolean;
  captured?: CaptureDate;
  caption?: string;
  title?: string;
  keywords?: string[];
  location?: Location;
}

/**
 * Reads back what the destination stored, by remote id, so the suite can check round trips. Each
 * reader is optional; a round trip without its reader is shown as ignored.
 */
export interface DestinationInspector {
  metadata?(remoteId: string): Promise<StoredMetadata>;
  /** Every member of the stack `remoteId` is in, itself included; `[]` when it is in none. */
  stack?(remoteId: string): Promise<string[]>;
  /** The titles of the albums the asset is in. */
  albums?(remoteId: string): Promise<string[]>;
  /** The remote id of the motion video linked to a still, if any. */
  motion?(stillId: string): Promise<string | undefined>;
}

export interface DestinationSuiteOptions {
  options?: OptionValues;
  /** Extension of the fixture originals (default `jpg`). */
  sampleExtension?: string;
  inspect?: DestinationInspector;
  backup?: BackupSuiteOptions;
}

interface Run {
  t: Deno.TestContext;
  plugin: DestinationPlugin;
  session: AssetDestinationSession;
  suite: DestinationSuiteOptions;
  dir: string;
  has: (c: AssetCapability) => boolean;
  put: (
    overrides?: Parameters<typeof groupFixture>[1],
  ) => Promise<{ group: ExportedGroup; result: PutResult }>;
}

export async function destinationSuite(
  t: Deno.TestContext,
  plugin: DestinationPlugin,
  suite: DestinationSuiteOptions = {},
): Promise<void> {
  await t.step("declares a valid plugin", () => assert.deepEqual(validatePlugin(plugin, "suite"), []));
  await using ctx = await testContext();
  // Before any put: a backup target must still say its location is new.
  await t.step({ name: "backup role", ignore: !plugin.backup, fn: (t) => backupRole(t, plugin, suite, ctx) });
  await t.step({ name: "asset role", ignore: !plugin.assets, fn: (t) => assetRole(t, plugin, suite, ctx) });
}

async function assetRole(
  t: Deno.TestContext,
  plugin: DestinationPlugin,
  suite: DestinationSuiteOptions,
  ctx: PluginContext,
): Promise<void> {
  const role = plugin.assets!;
  const opened = await role.open(suite.options ?? {}, ctx);
  let session: AssetDestinationSession | undefined;
  await t.step("has a method for every declared capability", () => {
    session = checkSession(plugin, "assets", role.capabilities, opened);
  });
  if (!session) return await opened.close();
  const extension = suite.sampleExtension ?? "jpg";
  const run: Run = {
    t,
    plugin,
    session,
    suite,
    dir: ctx.tempDir,
    has: (c) => role.capabilities.includes(c),
    put: async (overrides = {}) => {
      const group = await groupFixture(ctx.tempDir, { extension, ...overrides });
      return { group, result: await session!.put(group) };
    },
  };
  try {
    await identitySteps(run);
    await putSteps(run);
    await metadataSteps(run);
    await relationSteps(run);
    await twoWaySteps({ ...run, inspect: suite.inspect });
    await removalSteps(run);
  } finally {
    await session.close();
  }
}

async function backupRole(
  t: Deno.TestContext,
  plugin: DestinationPlugin,
  suite: DestinationSuiteOptions,
  ctx: PluginContext,
): Promise<void> {
  const role = plugin.backup!;
  const opened = await role.open(suite.options ?? {}, ctx);
  let session: BackupTargetSession | undefined;
  await t.step("has a method for every declared capability", () => {
    session = checkSession(plugin, "backup", role.capabilities, opened);
  });
  if (!session) return await opened.close();
  try {
    await t.step({
      name: "check() describes the target",
      ignore: !session.check,
      fn: async () => {
        assert.ok((await session!.check!()).description);
      },
    });
    await backupSteps(t, session, {
      ...suite.backup,
      dir: ctx.tempDir,
      warmup: role.capabilities.includes("warmup"),
    });
  } finally {
    await session.close();
  }
}

function step(run: Run, name: string, ignore: boolean, fn: () => Promise<void> | void) {
  return run.t.step({ name, ignore, fn: async () => await fn() });
}

const idOf = (result: PutResult, key: string) => result.resources.find((r) => r.key === key)!.remoteId;

async function identitySteps(run: Run) {
  const { session } = run;
  await step(run, "has a key that names the destination", false, () => assert.ok(session.key.length > 0));
  await step(run, "check() describes the destination", !run.has("check"), async () => {
    assert.ok((await session.check!()).description);
  });
}

async function putSteps(run: Run) {
  const { session } = run;
  const { group, result: first } = await run.put();
  await step(run, "put() returns a remote id for every file", false, () => {
    assert.deepEqual(first.resources.map((r) => r.key).sort(), group.files.map((f) => f.key).sort());
    for (const r of first.resources) assert.ok(r.remoteId, `remote id for ${r.key}`);
    assert.ok(first.resources.every((r) => !r.duplicate), "a first put is no duplicate");
  });
  await step(run, "put() of the same group again is a duplicate with the same ids", false, async () => {
    const again = await session.put(group);
    for (const r of again.resources) {
      assert.equal(r.duplicate, true, `${r.key} should be a duplicate`);
      assert.equal(r.remoteId, idOf(first, r.key));
    }
  });
  await step(run, "put() stores a group with motion video, RAW, edit and sidecar", false, async () => {
    const { group, result } = await run.put({ motion: true, raw: true, edit: true, sidecar: true });
    assert.deepEqual(result.resources.map((r) => r.key).sort(), group.files.map((f) => f.key).sort());
    for (const r of result.resources) assert.ok(r.remoteId, `remote id for ${r.key}`);
  });
  await step(
    run,
    "put() honours the plan's stack and motion relations (inspect.stack, inspect.motion)",
    !run.suite.inspect?.stack && !run.suite.inspect?.motion,
    async () => {
      const { group, result } = await run.put({ motion: true, raw: true, edit: true });
      await assertRelations(run.suite.inspect!, group, result);
    },
  );
  await step(
    run,
    "presence() says present for what was put, gone for an id never given",
    !run.has("presence"),
    async () => {
      const ids = first.resources.map((r) => r.remoteId);
      // Enough ids that a destination answering many from one listing takes that path too.
      const never = Array.from({ length: 60 }, () => crypto.randomUUID());
      for (const asked of [[...ids, never[0]], [...ids, ...never]]) {
        const answer = await session.presence!(asked);
        for (const id of ids) assert.equal(answer[id], "present", `${id} of ${asked.length}`);
        for (const id of asked.filter((x) => !ids.includes(x))) assert.equal(answer[id], "gone", id);
      }
    },
  );
  await step(
    run,
    "verify() answers the SHA-1 of every file put, read from what it holds; an id never given is null",
    !run.has("verify"),
    async () => {
      const never = crypto.randomUUID();
      const held = await session.verify!([...first.resources.map((r) => r.remoteId), never]);
      for (const file of group.files) {
        const there = held[idOf(first, file.key)];
        assert.equal(there?.sha1, file.sha1, `${file.key} is held with the bytes put`);
        assert.equal(there?.trashed, false);
      }
      assert.equal(held[never], null);
    },
  );
}

async function assertRelations(inspect: DestinationInspector, group: ExportedGroup, result: PutResult) {
  const id = (key: string) => idOf(result, key);
  for (const rel of group.plan.relations) {
    if (rel.type === "stack" && inspect.stack) {
      const members = await inspect.stack(id(rel.to));
      assert.ok(members.includes(id(rel.from)), `${rel.from} is stacked with ${rel.to}`);
    }
    if (rel.type === "motion_of" && inspect.motion) {
      assert.equal(await inspect.motion(id(rel.to)), id(rel.from), `${rel.from} is the motion of ${rel.to}`);
    }
  }
}

/** The fields an asset with every kind of metadata stores, as the inspector should read them back. */
const RICH = {
  favorite: true,
  hidden: true,
  captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: -18000 },
  caption: "Sunset over the harbour & <the> boats",
  title: "Harbour",
  keywords: ["harbour", "sunset"],
  location: { latitude: 48.85837, longitude: -2.294481 },
};

function assertStored(stored: StoredMetadata, expected: StoredMetadata, when: string) {
  for (const [field, value] of Object.entries(stored)) {
    if (value === undefined || !(field in expected)) continue;
    const want = expected[field as keyof StoredMetadata];
    if (field === "keywords") {
      assert.deepEqual([...value].sort(), [...want as string[]].sort(), `${when}: keywords`);
    } else if (field === "location") {
      const [got, w] = [value as Location, want as Location];
      assert.ok(Math.abs(got.latitude - w.latitude) < 1e-5, `${when}: latitude ${got.latitude}`);
      assert.ok(Math.abs(got.longitude - w.longitude) < 1e-5, `${when}: longitude ${got.longitude}`);
    } else if (field === "captured") {
      const [got, w] = [value as CaptureDate, want as CaptureDate];
      assert.equal(Date.parse(got.utc), Date.parse(w.utc), `${when}: capture instant`);
      if (got.offsetSeconds !== undefined) {
        assert.equal(got.offsetSeconds, w.offsetSeconds, `${when}: offset`);
      }
    } else assert.deepEqual(value, want, `${when}: ${field}`);
  }
}

async function metadataSteps(run: Run) {
  const inspect = run.suite.inspect?.metadata;
  let remoteId = "";
  await step(
    run,
    "metadata round trip: what put() stores reads back (inspect.metadata)",
    !inspect,
    async () => {
      const { group, result } = await run.put({ asset: RICH });
      remoteId = idOf(result, group.plan.primary);
      assertStored(await inspect!(remoteId), RICH, "after put");
    },
  );
  await step(
    run,
    "update() changes favorite, hidden and capture date, both ways",
    !run.has("update"),
    async () => {
      if (!remoteId) remoteId = idOf((await run.put({ asset: RICH })).result, "original");
      const changes = {
        favorite: false,
        hidden: false,
        captured: { utc: "2023-01-02T03:04:05.000Z", offsetSeconds: 3600 },
      };
      await run.session.update!(remoteId, changes);
      if (inspect) assertStored(await inspect(remoteId), changes, "after update");
      const hiding = { hidden: true, visibility: "archive" as const, favorite: true };
      await run.session.update!(remoteId, hiding);
      if (inspect) assertStored(await inspect(remoteId), hiding, "after hiding");
    },
  );
}

async function relationSteps(run: Run) {
  const { session, suite } = run;
  await step(run, "stack() grows an existing stack instead of replacing it", !run.has("stack"), async () => {
    const [a, b, c] = await Promise.all([run.put(), run.put(), run.put()]);
    const [ia, ib, ic] = [a, b, c].map((p) => idOf(p.result, "original"));
    await session.stack!(ia, [ib]);
    await session.stack!(ia, [ib, ic]);
    if (suite.inspect?.stack) assert.deepEqual((await suite.inspect.stack(ia)).sort(), [ia, ib, ic].sort());
  });
  await step(
    run,
    "put() puts an asset in its albums once, however often it is put (inspect.albums)",
    !suite.inspect?.albums,
    async () => {
      const album = { id: `conformance-album-${crypto.randomUUID()}`, title: "Conformance", folders: [] };
      const { group, result } = await run.put({ asset: { albums: [album] } });
      await session.put(group);
      const titles = await suite.inspect!.albums!(idOf(result, group.plan.primary));
      assert.deepEqual(titles.filter((t) => t === album.title), [album.title]);
    },
  );
}

async function removalSteps(run: Run) {
  const { session } = run;
  await step(
    run,
    "remove() takes an asset away; a later put() of it stores it again",
    !run.has("remove"),
    async () => {
      const { group, result } = await run.put();
      const id = idOf(result, "original");
      await session.remove!([id]);
      if (run.has("presence")) assert.notEqual((await session.presence!([id]))[id], "present");
      // An import after a removal must not count the removed copy as already there.
      const again = idOf(await session.put(group), "original");
      if (run.has("presence")) assert.equal((await session.presence!([again]))[again], "present");
    },
  );
}
