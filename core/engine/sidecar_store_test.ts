import assert from "node:assert/strict";
import { join } from "node:path";
import { PlanBuilder } from "../model/plan.ts";
import type { Asset } from "../model/asset.ts";
import { hashFile } from "./hash.ts";
import { sidecarKeys, SidecarStore } from "./sidecar_store.ts";

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function listAll(root: string): Promise<string[]> {
  const names: string[] = [];
  for await (const d of Deno.readDir(root)) {
    for await (const f of Deno.readDir(join(root, d.name))) names.push(`${d.name}/${f.name}`);
  }
  return names.sort();
}

Deno.test("the store keeps a file under its SHA-1 once, and repairs a copy of the wrong size", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "IMG_1.AAE");
    await Deno.writeTextFile(path, "<plist/>");
    const file = { path, ...await hashFile(path) };
    const store = new SidecarStore(join(dir, "sidecars"));
    assert.equal(await store.put(file), true);
    assert.equal(await store.put(file), false, "already there");
    assert.deepEqual(await listAll(store.root), [`${file.sha1.slice(0, 2)}/${file.sha1}`]);
    await Deno.writeTextFile(store.pathOf(file.sha1), "<pli");
    assert.equal(await store.put(file), true, "a truncated copy is replaced");
    assert.equal(await Deno.readTextFile(store.pathOf(file.sha1)), "<plist/>");
  });
});

Deno.test("a file that does not hash to what was exported is refused and leaves nothing behind", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "x.aae");
    await Deno.writeTextFile(path, "changed since it was hashed");
    const store = new SidecarStore(join(dir, "sidecars"));
    const claimed = "0".repeat(40);
    await assert.rejects(store.put({ path, sha1: claimed, size: 27 }), /does not match what was exported/);
    assert.deepEqual(await listAll(store.root), []);
    assert.throws(() => store.pathOf("../../etc/passwd"), /not a SHA-1/);
  });
});

Deno.test("sidecar keys are the adjustment, base and sidecar resources and whatever is sidecar_of another", () => {
  const r = (role: Asset["resources"][number]["role"], filename: string) => ({
    role,
    filename,
    path: `/l/${filename}`,
    present: true,
  });
  const asset: Asset = {
    id: "A",
    kind: "video",
    filename: "IMG_1.MOV",
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: true,
    referenced: false,
    subtypes: ["cinematic"],
    resources: [r("original", "IMG_1.MOV"), r("edited", "IMG_1_edited.MOV")],
  };
  const b = new PlanBuilder(asset);
  b.add("adjustment", r("adjustment", "IMG_1.AAE")).add("adjustment_base", r("adjustment_base", "b.MOV"));
  b.add("depth", r("original", "depth.bin")).relate("sidecar_of", "depth", "original");
  b.add("edited", asset.resources[1]).relate("render_of", "edited", "original");
  assert.deepEqual(sidecarKeys(b.build()), ["adjustment", "adjustment_base", "depth"]);
});
