/**
 * The bundled program (`deno task bundle`) answers as the sources do. The test builds it as the task
 * does (core/bundle_build.ts) into a temp folder, runs it there through `deno run` (away from
 * deno.json, the lock file and node_modules: the chunks must be all it needs) and compares each run with
 * `deno run main.ts` given the same arguments, data directory and environment.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LAZY_MODULES } from "../core/bundle.ts";
import { buildBundle } from "../core/bundle_build.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";

const root = new URL("..", import.meta.url).pathname;

type Run = { code: number; stdout: string; stderr: string };

/** Runs Deno in `cwd`. The environment is passed on whole (DENO_DIR, HOME, certificates): CI needs it. */
async function deno(cwd: string, args: string[]): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** Chunk file names (in the bundle's folder) that `file` imports statically, and those they import. */
function staticClosure(dir: string, files: string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...files];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = Deno.readTextFileSync(join(dir, file));
    for (const [, next] of text.matchAll(/^(?:import|export) [^;]*?from "\.\/([^"]+)";$/gms)) todo.push(next);
    for (const [, next] of text.matchAll(/^import "\.\/([^"]+)";$/gm)) todo.push(next);
  }
  return seen;
}

/** The chunk the entry loads for one of core/bundle.ts's paths. */
function chunkOf(entry: string, path: string): string {
  const match = entry.match(
    new RegExp(
      `"${
        path.replaceAll(".", "\\.")
      }": \\(\\) => import\\(new URL\\("\\./([^"]+)", import\\.meta\\.url\\)\\.href\\)`,
    ),
  );
  assert.ok(match, `the bundle's entry loads no ${path}`);
  return match[1];
}

Deno.test("the bundled program answers as deno run main.ts does", async () => {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-bundle-" });
  try {
    const out = join(dir, "bundle");
    await buildBundle(out);
    const entry = join(out, "bundle.js");
    // No chunk names another in a literal import(), which `deno run` would read ahead of every run.
    for (const file of Deno.readDirSync(out)) {
      assert.doesNotMatch(Deno.readTextFileSync(join(out, file.name)), /\bimport\("\.\//, file.name);
    }

    const library = (await writeSampleLibrary(join(dir, "Sample.photoslibrary"))).path;
    const home = join(dir, "home");
    const folder = join(dir, "out");
    const fresh = async () => {
      for (const path of [home, folder]) await Deno.remove(path, { recursive: true }).catch(() => {});
    };
    const cases: [string, string[]][] = [
      ["--version", ["--version"]],
      ["--help", ["--help"]],
      ["status --tracker-only", ["--home", home, "status", "--tracker-only"]],
      ["import", [
        "--home",
        home,
        "import",
        "--source",
        "photoslibrary",
        "--library",
        library,
        "--to",
        "folder",
        "--folder-path",
        folder,
      ]],
      ["a usage error", ["--home", home, "no-such-command"]],
    ];
    // The copy's duration is the one thing two runs may print differently.
    const steady = (run: Run) => ({
      ...run,
      stdout: run.stdout.replace(/ in \d+(\.\d+)? s\)/g, " in ... s)"),
    });
    const results: Record<string, Run> = {};
    for (const [name, args] of cases) {
      await fresh();
      const source = await deno(root, ["run", "-A", join(root, "main.ts"), ...args]);
      const sourceFiles = await files(folder);
      await fresh();
      const bundled = await deno(dir, ["run", "-A", entry, ...args]);
      assert.deepEqual(steady(bundled), steady(source), name);
      assert.deepEqual(await files(folder), sourceFiles, name);
      results[name] = bundled;
    }
    // And what they printed is the program's, not two failures alike.
    assert.match(results["--version"].stdout, /^\d+\.\d+\.\d+/);
    assert.match(results["--help"].stdout, /Usage: photos-sync/);
    assert.equal(results["status --tracker-only"].code, 0, results["status --tracker-only"].stderr);
    assert.match(results["status --tracker-only"].stdout, /nothing imported yet/);
    assert.equal(results["import"].code, 0, results["import"].stderr);
    assert.match(results["import"].stdout, /imported 7, already there 0, failed 0/);
    assert.equal(results["a usage error"].code, 2);

    // A status run loads the CLI, the plugin list and the status command. What those import statically
    // holds no other lazily loaded module (another command, a plugin's session) and nothing of the
    // server's or the scheduler's.
    const text = Deno.readTextFileSync(entry);
    const taken = ["core/cli/mod.ts", "plugins/mod.ts", "core/cli/status.ts"];
    // (The command opens its session with the registry, which the CLI loads only for plugin files.)
    const used = [...taken, "core/cli/session.ts"];
    const loaded = staticClosure(out, ["bundle.js", ...taken.map((path) => chunkOf(text, path))]);
    const modules = [...loaded].flatMap((file) =>
      [...Deno.readTextFileSync(join(out, file)).matchAll(/^\/\/ ((?:core|plugins)\/\S+\.ts)$/gm)].map((m) =>
        m[1]
      )
    );
    assert.ok(modules.includes("core/cli/status.ts"), modules.join(", "));
    const others = Object.keys(LAZY_MODULES).filter((path) => !used.includes(path));
    assert.ok(
      others.includes("core/cli/backup.ts") && others.includes("plugins/destination/immich/_session.ts"),
    );
    const unwanted = modules.filter((path) =>
      others.includes(path) || /^core\/(server|schedule)\//.test(path)
    );
    assert.deepEqual(unwanted, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The files under `dir`, relative to it, sorted; none when it does not exist. */
async function files(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(join(dir, prefix))) {
      const path = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory) out.push(...await files(dir, path));
      else out.push(path);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return out.sort();
}
