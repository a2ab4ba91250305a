/**
 * The conformance suite of sources: the listing is well-formed and stable, every planned resource
 * exports, and each optional capability does what the contract promises. Steps for capabilities
 * the plugin does not declare are shown as ignored; a declared one without its method fails.
 *
 * @example
 * ```ts
 * import { sourceSuite } from "./mod.ts";
 * import folder from "../../../plugins/source/folder/mod.ts";
 * Deno.test("my source conforms", async (t) => {
 *   const library = await Deno.makeTempDir();
 *   await Deno.writeFile(`${library}/IMG_0001.JPG`, new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]));
 *   await sourceSuite(t, folder, { options: { library } });
 *   await Deno.remove(library, { recursive: true });
 * });
 * ```
 * @module
 */
import assert from "node:assert/strict";
import { isAbsolute } from "node:path";
import type { Asset } from "../../model/asset.ts";
import { PlanBuilder } from "../../model/plan.ts";
import type { OptionValues } from "../options.ts";
import { errorKind } from "../errors.ts";
import { checkSession, validatePlugin } from "../registry.ts";
import type { SourceCapability, SourcePlugin, SourceSession } from "../types.ts";
import { testContext } from "./context.ts";

export interface SourceSuiteOptions {
  options?: OptionValues;
  /** How many assets with files on disk to export (default 20), to keep big libraries quick. */
  exportLimit?: number;
}

interface Run {
  t: Deno.TestContext;
  session: SourceSession;
  dir: string;
  has: (c: SourceCapability) => boolean;
  assets: Asset[];
}

export async function sourceSuite(
  t: Deno.TestContext,
  plugin: SourcePlugin,
  suite: SourceSuiteOptions = {},
): Promise<void> {
  await t.step("declares a valid plugin", () => assert.deepEqual(validatePlugin(plugin, "suite"), []));
  await using ctx = await testContext();
  const opened = await plugin.open(suite.options ?? {}, ctx);
  let session: SourceSession | undefined;
  await t.step("has a method for every declared capability", () => {
    session = checkSession(plugin, "source", plugin.capabilities, opened);
  });
  if (!session) return await opened.close();
  const run: Run = { t, session, dir: ctx.tempDir, has: (c) => plugin.capabilities.includes(c), assets: [] };
  try {
    await listSteps(run);
    await exportStep(run, suite.exportLimit ?? 20);
    await missingStep(run);
    await capabilitySteps(run);
  } finally {
    await session.close();
  }
}

function step(run: Run, name: string, ignore: boolean, fn: () => Promise<void> | void) {
  return run.t.step({ name, ignore, fn: async () => await fn() });
}

async function listAll(session: SourceSession): Promise<Asset[]> {
  const assets: Asset[] = [];
  for await (const a of session.list()) assets.push(a);
  return assets;
}

/** Offsets on Earth run from UTC-12 to UTC+14; anything else is a unit or sign mistake. */
function assertCaptureDate(a: Asset) {
  const { utc, offsetSeconds } = a.captured!;
  assert.ok(
    !Number.isNaN(Date.parse(utc)) && utc.endsWith("Z"),
    `${a.id} capture date ${utc} is a UTC instant`,
  );
  if (offsetSeconds === undefined) return;
  assert.ok(
    Number.isInteger(offsetSeconds) && offsetSeconds >= -12 * 3600 && offsetSeconds <= 14 * 3600,
    `${a.id} capture offset ${offsetSeconds} is whole seconds between UTC-12 and UTC+14`,
  );
}

function assertWellFormed(a: Asset) {
  assert.ok(a.id && a.filename, `asset ${a.id} needs an id and a filename`);
  assert.ok(a.kind === "photo" || a.kind === "video", `${a.id} kind`);
  assert.ok(Array.isArray(a.resources) && Array.isArray(a.subtypes) && Array.isArray(a.albums));
  assert.ok(Array.isArray(a.keywords), `${a.id} keywords`);
  if (a.captured) assertCaptureDate(a);
  if (a.location) {
    const { latitude, longitude } = a.location;
    assert.ok(
      Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180,
      `${a.id} location ${latitude},${longitude}`,
    );
  }
  for (const r of a.resources) {
    assert.ok(r.filename, `${a.id}: a ${r.role} resource without a file name`);
    if (r.path !== undefined) assert.ok(isAbsolute(r.path), `${a.id}: ${r.path} is not absolute`);
  }
  assert.doesNotThrow(() => JSON.stringify(a), `${a.id} must be plain data`);
}

async function listSteps(run: Run) {
  const { session } = run;
  await step(run, "has a key, and a libraryId and info that are plain data when given", false, () => {
    assert.ok(session.key.length > 0);
    if (session.libraryId !== undefined) assert.ok(session.libraryId.length > 0, "an empty libraryId");
    if (session.info !== undefined) assert.doesNotThrow(() => JSON.stringify(session.info));
  });
  await step(run, "list() yields well-formed assets with unique ids", false, async () => {
    run.assets = await listAll(session);
    assert.ok(run.assets.length > 0, "the suite needs a source with at least one asset");
    assert.equal(new Set(run.assets.map((a) => a.id)).size, run.assets.length, "ids must be unique");
    for (const a of run.assets) assertWellFormed(a);
  });
  await step(run, "list() again yields the same ids (identity is stable)", false, async () => {
    const again = (await listAll(session)).map((a) => a.id).sort();
    assert.deepEqual(again, run.assets.map((a) => a.id).sort());
  });
}

/** Plans the original (every plan has it) and every other resource the asset has on disk. */
function planEverything(asset: Asset) {
  const builder = new PlanBuilder(asset);
  for (const [i, r] of asset.resources.entries()) if (r.present) builder.add(`${r.role}-${i}`, r);
  return builder.build();
}

async function exportStep(run: Run, limit: number) {
  await step(
    run,
    `export() makes every planned resource readable${
      Number.isFinite(limit) ? ` (up to ${limit} assets)` : ""
    }`,
    false,
    async () => {
      const local = run.assets.filter((a) => a.resources.some((r) => r.role === "original" && r.present))
        .slice(0, limit);
      assert.ok(local.length > 0, "the suite needs at least one asset whose original is on disk");
      for (const asset of local) {
        const plan = planEverything(asset);
        const dir = await Deno.makeTempDir({ dir: run.dir });
        const files = await run.session.export({ asset, plan, dir, allowNetwork: false });
        for (const r of plan.resources) {
          const f = files.find((x) => x.key === r.key);
          assert.ok(f, `${asset.id}: a file for ${r.key}`);
          assert.ok((await Deno.stat(f.path)).isFile, `${asset.id}: ${f.path} is a file`);
        }
      }
    },
  );
}

/** The first asset whose original is missing from the disk and from iCloud: a permanent problem. */
async function missingStep(run: Run) {
  const missing = run.assets.find((a) =>
    a.cloud?.synced !== true && a.resources.some((r) => r.role === "original" && !r.present)
  );
  await step(run, "export() of an original missing from the disk is a PermanentError", !missing, async () => {
    const dir = await Deno.makeTempDir({ dir: run.dir });
    await assert.rejects(
      run.session.export({
        asset: missing!,
        plan: new PlanBuilder(missing!).build(),
        dir,
        allowNetwork: false,
      }),
      (e) => errorKind(e) === "permanent",
    );
  });
}

async function capabilitySteps(run: Run) {
  const { session } = run;
  await step(
    run,
    "download() makes the originals of iCloud-only assets local",
    !run.has("download"),
    async () => {
      const remote = run.assets.filter((a) => a.cloud?.originalLocal === false).slice(0, 3);
      await session.download!(remote);
      const after = new Map((await listAll(session)).map((a) => [a.id, a]));
      for (const a of remote) {
        const now = after.get(a.id)!;
        assert.notEqual(now.cloud?.originalLocal, false, `${a.id} still only in iCloud after download()`);
        const dir = await Deno.makeTempDir({ dir: run.dir });
        await session.export({ asset: now, plan: new PlanBuilder(now).build(), dir, allowNetwork: false });
      }
    },
  );
  await step(
    run,
    "delete() moves an asset out of the library and names ids it does not know",
    !run.has("delete"),
    async () => {
      const id = run.assets[run.assets.length - 1].id;
      const unknown = `no-such-asset-${crypto.randomUUID()}`;
      const answer = await session.delete!([id, unknown]);
      assert.deepEqual([answer.deleted, answer.notFound], [[id], [unknown]]);
      const left = (await listAll(session)).find((a) => a.id === id);
      assert.ok(!left || left.trashed, `${id} is still listed as not deleted`);
    },
  );
  await step(
    run,
    "listAlbums() names every own album an asset of the listing is in, each once",
    !run.has("listAlbums"),
    async () => {
      const albums = await session.listAlbums!();
      const ids = albums.map((a) => a.id);
      assert.equal(new Set(ids).size, ids.length, `an album is named twice: ${ids.join(", ")}`);
      for (const album of albums) {
        assert.ok(album.id && typeof album.title === "string" && Array.isArray(album.folders));
      }
      const own = new Set(ids);
      for (const asset of run.assets.filter((a) => !a.trashed)) {
        for (const album of asset.albums.filter((a) => !a.shared)) {
          assert.ok(
            own.has(album.id),
            `${asset.id} is in album ${album.id}, which listAlbums() does not name`,
          );
        }
      }
    },
  );
}
