/**
 * `deno compile` needs a `denort` runtime that this network cannot download. Where it is present
 * (DENORT_BIN, or the cached zip), build the binary and run it; elsewhere say that it was skipped.
 * Running the result matters: DENORT_BIN pointing at the plain deno CLI "compiles" a useless copy.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { LAZY_MODULES } from "../core/bundle.ts";

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

const root = new URL("..", import.meta.url).pathname;

/** The `--include` paths of deno.json's compile task, relative to the repository. */
function compileIncludes(): string[] {
  const task: string = JSON.parse(Deno.readTextFileSync(join(root, "deno.json"))).tasks.compile;
  return [...task.matchAll(/--include (\S+)/g)].map((m) => m[1]);
}

/** Source files under `dir` (recursively), tests left out. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(join(root, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) out.push(...sources(path));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) out.push(path);
  }
  return out;
}

Deno.test("the compile task bundles every module the program loads lazily, and only those", () => {
  const lazy = Object.keys(LAZY_MODULES);
  // main.ts loads the CLI and the plugin list, the CLI its commands; each plugin with a session names it.
  for (const path of ["core/cli/mod.ts", "core/cli/status.ts", "plugins/source/photoslibrary/_session.ts"]) {
    assert.ok(lazy.includes(path), path);
  }
  assert.deepEqual(compileIncludes().toSorted(), lazy.toSorted());
});

Deno.test("no module names another by URL: what loads lazily goes through core/bundle.ts's list", () => {
  // A module imported by a URL of its own would be missing from the bundle and the compiled binary.
  const named: string[] = [];
  for (const file of ["main.ts", ...sources("core"), ...sources("plugins")]) {
    const text = Deno.readTextFileSync(join(root, file));
    for (const [url] of text.matchAll(/new URL\("\.{1,2}\/[^"]+\.ts", import\.meta\.url\)/g)) {
      named.push(`${file}: ${url}`);
    }
  }
  assert.deepEqual(named, []);
});

const available = denortAvailable();
if (!available) console.log("compile test skipped: no denort runtime here (set DENORT_BIN or go online)");

Deno.test({
  name: "the compiled binary runs the demo and loads a third-party plugin through a data: URL",
  ignore: !available,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const bin = join(dir, "photos-sync");
      const c = await new Deno.Command(Deno.execPath(), {
        // As the compile task: the modules core/bundle.ts lists (loaded lazily) are included.
        args: [
          "compile",
          "-A",
          ...compileIncludes().flatMap((path) => ["--include", join(root, path)]),
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
