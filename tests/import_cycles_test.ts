/**
 * The layers hold: no import cycle between files, none between the folders of `core/` and none
 * between plugin folders, and the public contract (`core/plugin`, with `core/model`) imports
 * nothing else of the host, so it can be published alone. The layer order is in
 * the layer order in `docs/decisions.md`. Runs in `deno task ok` with every other test.
 * @module
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  coreFolderOf,
  cycles,
  describeFolderCycle,
  folderCycles,
  folderGraph,
  type ImportGraph,
  importGraph,
  importsLeaving,
  pluginFolderOf,
} from "./_import_graph.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
let graph: Promise<ImportGraph> | undefined;
/** Read once, shared by the tests below (one `deno info` for the whole repository). */
const repoGraph = () => graph ??= importGraph(ROOT, { dirs: ["core", "plugins"], files: ["main.ts"] });

const HOW_TO_BREAK =
  "move what both sides need into a file (or a folder) below both; see the layer order in docs/decisions.md";

Deno.test("the import graph holds every file of main.ts, core/ and plugins/, with type imports", async () => {
  const g = await repoGraph();
  assert.ok(g.size > 100, `only ${g.size} files in the graph: the check would pass without checking`);
  assert.ok(g.get("main.ts")?.has("core/cli/quick_help.ts"), "main.ts's import of the CLI's help is missing");
  assert.ok(g.has("core/plugin/registry_test.ts"), "test files are missing");
  // `import type` only: a checker that skipped type imports would miss this edge.
  assert.ok(g.get("core/cli/output.ts")?.has("core/config/redact.ts"), "type-only imports are missing");
});

Deno.test("no file imports itself through other files", async () => {
  const found = cycles(await repoGraph()).map((c) => c.join(" -> "));
  if (found.length) assert.fail(`import cycles between files (${HOW_TO_BREAK}):\n${found.join("\n")}`);
});

Deno.test("no cycle between the folders of core/, nor between plugin folders", async () => {
  const g = await repoGraph();
  const found: string[] = [];
  for (const folderOf of [coreFolderOf, pluginFolderOf]) {
    const folders = folderGraph(g, folderOf);
    found.push(...folderCycles(folders).map((c) => describeFolderCycle(folders, c)));
  }
  if (found.length) assert.fail(`import cycles between folders (${HOW_TO_BREAK}):\n${found.join("\n")}`);
});

Deno.test("core/plugin imports only itself and core/model, and core/model only itself", async () => {
  const g = await repoGraph();
  const leaving = [
    ...importsLeaving(g, "core/plugin", ["core/plugin", "core/model"]),
    ...importsLeaving(g, "core/model", ["core/model"]),
  ];
  if (leaving.length) {
    assert.fail(
      "the public contract must be publishable alone; declare the type it needs in core/plugin " +
        `(the host's class then has that shape) or move the code into the host:\n${leaving.join("\n")}`,
    );
  }
});

Deno.test("cycles() names each cycle by its shortest path, a self-import too, and nothing in a tree", () => {
  const g = new Map([
    ["a", ["b"]],
    ["b", ["c", "d"]],
    ["c", ["a"]],
    ["d", ["b"]],
    ["e", ["e"]],
    ["f", ["a"]],
  ]);
  assert.deepEqual(cycles(g), [["a", "b", "c", "a"], ["e", "e"]]);
  assert.deepEqual(cycles(new Map([["a", ["b", "c"]], ["b", ["c"]], ["c", []]])), []);
});

Deno.test("folderGraph() turns file imports into folder imports, each with the import behind it", () => {
  const files: ImportGraph = new Map([
    ["core/server/app.ts", new Set(["core/cli/status.ts", "core/server/mod.ts"])],
    ["core/cli/serve.ts", new Set(["core/server/mod.ts"])],
    ["core/server/mod.ts", new Set<string>()],
    ["core/cli/status.ts", new Set<string>()],
    ["main.ts", new Set(["core/cli/serve.ts"])],
  ]);
  const folders = folderGraph(files, coreFolderOf);
  const [cycle] = folderCycles(folders);
  assert.equal(
    describeFolderCycle(folders, cycle),
    "core/cli -> core/server -> core/cli\n" +
      "  core/cli -> core/server (core/cli/serve.ts imports core/server/mod.ts)\n" +
      "  core/server -> core/cli (core/server/app.ts imports core/cli/status.ts)",
  );
});

Deno.test("a plugin's sub-folders are the plugin's; files beside the plugins are their folder's", () => {
  assert.equal(pluginFolderOf("plugins/source/photoslibrary/testdata/x.ts"), "plugins/source/photoslibrary");
  assert.equal(pluginFolderOf("plugins/handler/raw/mod.ts"), "plugins/handler/raw");
  assert.equal(pluginFolderOf("plugins/handler/_resources.ts"), "plugins/handler");
  assert.equal(pluginFolderOf("plugins/mod.ts"), "plugins");
  assert.equal(pluginFolderOf("core/cli/mod.ts"), undefined);
  assert.equal(coreFolderOf("core/plugin/testing/suites.ts"), "core/plugin");
  assert.equal(coreFolderOf("main.ts"), undefined);
});
