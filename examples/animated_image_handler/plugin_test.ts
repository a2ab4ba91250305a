/**
 * The example handler, tested the way its author would: the conformance suite on the source, its
 * plans composed with the built-in handlers, then bundled with `deno bundle` and loaded through
 * photos-sync's loader, as `--plugin` does.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { planAsset } from "../../core/engine/import_run.ts";
import type { Asset } from "../../core/model/asset.ts";
import { loadPluginFile } from "../../core/plugin/loader.ts";
import { Registry } from "../../core/plugin/registry.ts";
import { handlerSuite } from "@photos-sync/photos-sync/plugin/testing";
import type { HandlerPlugin } from "@photos-sync/photos-sync/plugin";
import { BUILTIN_PLUGINS } from "../../plugins/mod.ts";
import plugin from "./plugin.ts";

function image(filename: string, extra: Partial<Asset> = {}): Asset {
  return {
    id: `id-${filename}`,
    kind: "photo",
    filename,
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: [],
    resources: [{ role: "original", filename, path: `/lib/${filename}`, present: true }],
    ...extra,
  };
}

const gif = image("party.GIF", { uti: "com.compuserve.gif" });
const editedGif = image("loop.gif", {
  edited: true,
  resources: [
    { role: "original", filename: "loop.gif", path: "/lib/loop.gif", present: true },
    { role: "edited", filename: "loop_edited.gif", path: "/lib/loop_1_201_a.gif", present: true },
  ],
});

Deno.test("the example handler passes the handler conformance suite", (t) =>
  handlerSuite(t, plugin, { assets: [gif, editedGif, image("IMG_1.HEIC")], options: { tag: "animated" } }));

Deno.test("the example handler composes with the built-in handlers in their declared order", () => {
  const registry = new Registry([...BUILTIN_PLUGINS, plugin]);
  const handlers = registry.handlers().map((p) => ({ plugin: p, options: { tag: "gif", skip: false } }));
  const plan = planAsset(editedGif, handlers);
  assert.deepEqual(plan.handlers, ["handler.edited", "handler.animated_image"]);
  assert.deepEqual(plan.tags, ["edited", "gif"]);
  assert.deepEqual(plan.resources.map((r) => r.name), ["loop.gif", "loop_edited.gif"]);
  assert.equal(plan.primary, "edited", "the edit policy applies to the new type like any other");
  assert.deepEqual(planAsset(image("IMG_1.HEIC"), handlers).handlers, []);
  const skipping = handlers.map((h) => ({ ...h, options: { skip: true } }));
  assert.match(planAsset(gif, skipping).skip ?? "", /animated image party\.GIF/);
});

Deno.test("the example handler, bundled, loads through the plugin loader and plans the same", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "animated.js");
    const bundle = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform=deno",
        "-o",
        out,
        new URL("./plugin.ts", import.meta.url).pathname,
      ],
      stderr: "piped",
    }).output();
    assert.equal(bundle.code, 0, new TextDecoder().decode(bundle.stderr));
    const loaded = await loadPluginFile(out) as HandlerPlugin;
    assert.deepEqual([loaded.id, loaded.kind, loaded.order], ["handler.animated_image", "handler", 50]);
    const registry = new Registry([...BUILTIN_PLUGINS, loaded]);
    const plan = planAsset(
      gif,
      registry.handlers().map((p) => ({ plugin: p, options: { tag: "animated" } })),
    );
    assert.deepEqual([plan.handlers, plan.tags], [["handler.animated_image"], ["animated"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
