/**
 * Conformance suites every plugin runs: built-ins in this repository and third-party plugins alike.
 * Each suite is a test function body made of steps, so an author needs three lines:
 *
 * @example
 * ```ts
 * import type { DestinationPlugin } from "@photos-sync/photos-sync/plugin";
 * import { destinationSuite } from "@photos-sync/photos-sync/plugin/testing";
 *
 * // In your test file, with `import plugin from "./my_destination.ts";`, call conforms(plugin):
 * function conforms(plugin: DestinationPlugin) {
 *   Deno.test("my destination conforms", (t) => destinationSuite(t, plugin, { options: { dir: "/tmp/x" } }));
 * }
 * ```
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { hashFile } from "../../engine/hash.ts";
import type { Asset } from "../../model/asset.ts";
import { type ExportedGroup, PlanBuilder } from "../../model/plan.ts";
import { EDIT_POLICIES } from "../../model/policy.ts";
import type { OptionValues } from "../options.ts";
import { checkSession, validatePlugin } from "../registry.ts";
import type { DestinationPlugin, HandlerPlugin, SourcePlugin } from "../types.ts";
import { testContext } from "./context.ts";

export interface SuiteOptions {
  options?: OptionValues;
  /**
   * Extension of the sample file a destination suite puts (default `txt`); a destination that
   * accepts only media types (Immich) names one it takes, such as `jpg`.
   */
  sampleExtension?: string;
}

/** A small asset whose original is a real file in `dir`; the content is unique per `tag`. */
export async function sampleGroup(dir: string, tag: string, extension = "txt"): Promise<ExportedGroup> {
  const name = `${tag}.${extension}`;
  const path = join(dir, name);
  await Deno.writeTextFile(path, `photos-sync conformance ${tag}`);
  const asset: Asset = {
    id: `conformance-${tag}`,
    kind: "photo",
    filename: name,
    captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 },
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: [],
    resources: [{ role: "original", filename: name, path, present: true }],
  };
  const plan = new PlanBuilder(asset).build();
  return { asset, plan, files: [{ key: "original", name, path, ...await hashFile(path) }] };
}

export async function destinationSuite(
  t: Deno.TestContext,
  plugin: DestinationPlugin,
  suite: SuiteOptions = {},
) {
  await t.step("declares a valid plugin", () => assert.deepEqual(validatePlugin(plugin, "suite"), []));
  await using ctx = await testContext();
  const session = checkSession(plugin, await plugin.open(suite.options ?? {}, ctx));
  try {
    await t.step("has a key that names the destination", () => assert.ok(session.key.length > 0));
    if (plugin.capabilities.includes("check")) {
      await t.step(
        "check() describes the destination",
        async () => assert.ok((await session.check!()).description),
      );
    }
    const group = await sampleGroup(
      ctx.tempDir,
      `dest-${crypto.randomUUID().slice(0, 8)}`,
      suite.sampleExtension,
    );
    let first: Awaited<ReturnType<typeof session.put>> | undefined;
    await t.step("put() returns a remote id for every file", async () => {
      first = await session.put(group);
      assert.deepEqual(first.resources.map((r) => r.key).sort(), group.files.map((f) => f.key).sort());
      for (const r of first.resources) assert.ok(r.remoteId, `remote id for ${r.key}`);
    });
    await t.step("put() of the same group again is a duplicate with the same ids", async () => {
      const again = await session.put(group);
      for (const r of again.resources) {
        assert.equal(r.duplicate, true, `${r.key} should be a duplicate`);
        assert.equal(r.remoteId, first!.resources.find((x) => x.key === r.key)!.remoteId);
      }
    });
  } finally {
    await session.close();
  }
}

export async function sourceSuite(t: Deno.TestContext, plugin: SourcePlugin, suite: SuiteOptions = {}) {
  await t.step("declares a valid plugin", () => assert.deepEqual(validatePlugin(plugin, "suite"), []));
  await using ctx = await testContext();
  const session = checkSession(plugin, await plugin.open(suite.options ?? {}, ctx));
  try {
    const assets: Asset[] = [];
    await t.step("list() yields well-formed assets with unique ids", async () => {
      for await (const a of session.list()) assets.push(a);
      assert.ok(assets.length > 0, "the suite needs a source with at least one asset");
      assert.equal(new Set(assets.map((a) => a.id)).size, assets.length, "ids must be unique");
      for (const a of assets) {
        assert.ok(a.id && a.filename, `asset ${a.id} needs an id and a filename`);
        assert.ok(a.kind === "photo" || a.kind === "video", `${a.id} kind`);
        assert.ok(Array.isArray(a.resources) && Array.isArray(a.subtypes) && Array.isArray(a.albums));
        if (a.captured) assert.ok(!Number.isNaN(Date.parse(a.captured.utc)), `${a.id} capture date`);
        assert.doesNotThrow(() => JSON.stringify(a), `${a.id} must be plain data`);
      }
    });
    const exportable = assets.find((a) => a.resources.some((r) => r.role === "original" && r.present));
    if (exportable) {
      await t.step("export() makes every planned file readable", async () => {
        const plan = new PlanBuilder(exportable).build();
        const dir = await Deno.makeTempDir({ dir: ctx.tempDir });
        const files = await session.export({ asset: exportable, plan, dir, allowNetwork: false });
        for (const r of plan.resources) {
          const f = files.find((x) => x.key === r.key);
          assert.ok(f, `a file for ${r.key}`);
          assert.ok((await Deno.stat(f.path)).isFile);
        }
      });
    }
  } finally {
    await session.close();
  }
}

/**
 * `assets`: examples the handler should claim, and maybe some it should not. Each claimed asset is
 * planned under every edit policy, on a fresh plan, as the host does.
 */
export async function handlerSuite(
  t: Deno.TestContext,
  plugin: HandlerPlugin,
  suite: SuiteOptions & { assets: Asset[] },
) {
  await t.step("declares a valid plugin", () => assert.deepEqual(validatePlugin(plugin, "suite"), []));
  const claimed = suite.assets.filter((a) => plugin.applies(a));
  await t.step("claims at least one of the example assets", () => assert.ok(claimed.length > 0));
  await t.step(
    "plans consistently: unique keys and names, relations between planned keys, no asset mutation",
    () => {
      for (const asset of claimed) {
        for (const edited of EDIT_POLICIES) {
          const before = structuredClone(asset);
          const plan = () => {
            const b = new PlanBuilder(asset, { policy: { edited } });
            plugin.plan(asset, b, suite.options ?? {});
            return b.build();
          };
          const p = plan();
          const what = `${plugin.id} planning ${asset.id} (edited: ${edited})`;
          assert.deepEqual(asset, before, `${what} must not change the asset`);
          assert.deepEqual(plan(), p, `${what} must plan the same asset the same way`);
          const keys = p.resources.map((r) => r.key);
          assert.equal(new Set(keys).size, keys.length, `${what}: keys are unique`);
          const names = p.resources.map((r) => r.name.toLowerCase());
          assert.equal(new Set(names).size, names.length, `${what}: names are unique`);
          for (const rel of p.relations) assert.ok(keys.includes(rel.from) && keys.includes(rel.to), what);
          assert.ok(keys.includes(p.primary), `${what}: the primary is planned`);
          for (const r of p.resources) {
            if (r.key !== "original") {
              assert.ok(
                r.resource.present || asset.cloud?.synced === true,
                `${what}: ${r.key} can be neither read nor downloaded; mark the plan incomplete instead`,
              );
            }
          }
        }
      }
    },
  );
}
