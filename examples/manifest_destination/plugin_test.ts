/**
 * The example plugin, tested the way its author would: the conformance suite on the source, then
 * bundled with `deno bundle` and loaded through photos-sync's loader, as `--plugin` does.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadPluginFile } from "../../core/plugin/loader.ts";
import { destinationSuite } from "@photos-sync/photos-sync/plugin/testing";
import plugin from "./plugin.ts";

Deno.test("the example destination passes the conformance suite", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await destinationSuite(t, plugin, { options: { dir } });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the example destination, bundled, loads through the plugin loader", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = join(dir, "manifest.js");
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
    const loaded = await loadPluginFile(out);
    assert.equal(loaded.id, "destination.manifest");
    assert.equal(loaded.kind, "destination");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
