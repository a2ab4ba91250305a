/**
 * The conformance suite of media-type handlers: a handler claims what it should and plans the same
 * asset the same way under every edit policy, without touching it.
 *
 * @example
 * ```ts
 * import { assetFixture, handlerSuite } from "./mod.ts";
 * import plugin from "../../../examples/animated_image_handler/plugin.ts";
 * const original = { role: "original" as const, filename: "a.gif", path: "/lib/a.gif", present: true };
 * const gif = assetFixture({ filename: "a.gif", uti: "com.compuserve.gif", resources: [original] });
 * Deno.test("my handler conforms", (t) => handlerSuite(t, plugin, { assets: [gif] }));
 * ```
 * @module
 */
import assert from "node:assert/strict";
import type { Asset } from "../../model/asset.ts";
import { PlanBuilder } from "../../model/plan.ts";
import { EDIT_POLICIES } from "../../model/policy.ts";
import type { OptionValues } from "../options.ts";
import { validatePlugin } from "../registry.ts";
import type { HandlerPlugin } from "../types.ts";

/**
 * `assets`: examples the handler should claim, and maybe some it should not. Each claimed asset is
 * planned under every edit policy, on a fresh plan, as the host does.
 */
export async function handlerSuite(
  t: Deno.TestContext,
  plugin: HandlerPlugin,
  suite: { options?: OptionValues; assets: Asset[] },
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
