/**
 * `deno compile` needs a `denort` runtime that this network cannot download. Where it is present
 * (DENORT_BIN, or the cached zip), build the binary and run it; elsewhere say that it was skipped.
 * Running the result matters: DENORT_BIN pointing at the plain deno CLI "compiles" a useless copy.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";

function denortAvailable(): boolean {
  const bin = Deno.env.get("DENORT_BIN");
  if (bin) return existsSync(bin);
  const info = new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  })
    .outputSync();
  const denoDir = JSON.parse(new TextDecoder().decode(info.stdout)).denoDir as string;
  return existsSync(`${denoDir}/dl/release/v${Deno.version.deno}/denort-${Deno.build.target}.zip`);
}

const available = denortAvailable();
if (!available) console.log("compile test skipped: no denort runtime here (set DENORT_BIN or go online)");

Deno.test({
  name: "the compiled binary runs the demo and loads a third-party plugin through a data: URL",
  ignore: !available,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const root = new URL("..", import.meta.url).pathname;
      const bin = join(dir, "photos-sync");
      const c = await new Deno.Command(Deno.execPath(), {
        // As the compile task: main.ts names the CLI and the plugin list by URL, so they are included.
        args: [
          "compile",
          "-A",
          ...["--include", join(root, "core/cli/mod.ts"), "--include", join(root, "plugins/mod.ts")],
          "--output",
          bin,
          join(root, "main.ts"),
        ],
        stderr: "piped",
      }).output();
      assert.equal(c.code, 0, new TextDecoder().decode(c.stderr));
      const demo = await new Deno.Command(bin, {
        args: ["demo", "--dir", join(dir, "demo")],
        stdout: "piped",
      })
        .output();
      assert.equal(demo.code, 0);
      assert.match(new TextDecoder().decode(demo.stdout), /imported \d+/);
      const plugin = join(dir, "manifest.js");
      await new Deno.Command(Deno.execPath(), {
        args: ["bundle", "--quiet", "-o", plugin, join(root, "examples/manifest_destination/plugin.ts")],
      }).output();
      const help = await new Deno.Command(bin, {
        args: ["--plugin", plugin, "import", "--to", "manifest", "--help"],
        stdout: "piped",
      })
        .output();
      assert.match(new TextDecoder().decode(help.stdout), /--manifest-dir/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
