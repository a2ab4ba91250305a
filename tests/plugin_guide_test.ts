/**
 * A plugin written only from the author's guide (docs/plugins.md), against the published contract
 * (`@photos-sync/photos-sync/plugin`), bundled and loaded the way a third-party plugin is, imports a
 * library on the first try.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/mod.ts";
import { cli, listFiles, withTempDir } from "./_cli.ts";

const CONFIG = new URL("../deno.json", import.meta.url).pathname;
const GUIDE = await Deno.readTextFile(new URL("../docs/plugins.md", import.meta.url));

/** The first TypeScript block after the guide's marker: the plugin a reader would copy. */
function guidePlugin(): string {
  const after = GUIDE.split("<!-- guide-plugin")[1];
  const code = after?.match(/```ts\n([\s\S]*?)```/)?.[1];
  if (!code) throw new Error("docs/plugins.md lost its marked plugin example (<!-- guide-plugin ... -->)");
  return code;
}

async function bundle(source: string, out: string): Promise<void> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform=deno", "--config", CONFIG, "-o", out, source],
    stderr: "piped",
  }).output();
  assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
}

Deno.test("the guide's plugin, bundled, imports a library on the first try", async () => {
  await withTempDir(async (dir) => {
    const source = join(dir, "flat.ts");
    await Deno.writeTextFile(source, guidePlugin());
    await bundle(source, join(dir, "flat.js"));
    const library = join(dir, "lib.photoslibrary");
    await writeSampleLibrary(library);
    const out = join(dir, "out");
    const args = ["--plugin", join(dir, "flat.js"), "import", "--home", join(dir, "home")];
    const run = await cli([...args, "--library", library, "--to", "flat", "--flat-dir", out]);
    assert.equal(run.code, 0, run.stderr);
    const files = await listFiles(out);
    assert.ok(files.length > 0, "the plugin stored no file");
    assert.ok(files.every((f) => /^[0-9a-f]{40}(\.\w+)?$/.test(f)), files.join(", "));
    const again = await cli([...args, "--library", library, "--to", "flat", "--flat-dir", out]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(await listFiles(out), files, "a second import stores nothing new");
  });
});
