import assert from "node:assert/strict";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { assetFixture } from "../../../core/plugin/testing/fixtures.ts";
import handler from "./mod.ts";

const shared = assetFixture({
  sharing: { sharedAlbum: false, sharedLibrary: true, contributor: "Maria Lopez" },
});

Deno.test("a Shared Library asset is tagged with the library and who added it, by default", () => {
  assert.equal(handler.applies(shared), true);
  assert.equal(handler.applies(assetFixture({})), false);
  const plan = new PlanBuilder(shared);
  handler.plan(shared, plan);
  const built = plan.build();
  assert.deepEqual(built.tags, ["shared-library", "shared-library/Maria Lopez"]);
  assert.equal(built.skip, undefined);
});

Deno.test("--shared-library skip leaves it out with a reason that says how to bring it in", () => {
  const plan = new PlanBuilder(shared, { policy: { sharedLibrary: "skip" } });
  handler.plan(shared, plan);
  assert.match(plan.build().skip!, /Shared Library .*--shared-library tag/);
});
