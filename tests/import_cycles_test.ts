/**
 * No new import cycle, between folders (`core/<x>`, `plugins/<kind>/<name>`) or between files, modelled on
 * denoland/std's `check_circular_package_dependencies`. The cycles that exist today are a baseline that may
 * only shrink: the one-house work of issue 12 (item 3) removes them, and then deletes its entries here.
 * Imports are read with a small parser (type-only imports count: a published contract needs them too).
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;

/** Each cycle of today, as the sorted members of its strongly connected component. */
const FOLDER_BASELINE: readonly (readonly string[])[] = [
  // core/plugin reaches config, tracker and engine, so the contract cannot be published alone.
  ["core/config", "core/engine", "core/plugin", "core/tracker"],
  // core/server imports statusReport from core/cli; core/cli starts the server and the schedule.
  ["core/cli", "core/schedule", "core/server"],
];
const FILE_BASELINE: readonly (readonly string[])[] = [
  // core/cli/mod.ts registers the commands, and the commands import its CommandContext and helpers.
  [
    ...["backup", "cleanup", "demo", "forget", "import", "mod", "reclassify", "review", "run", "scan"],
    ...["schedule", "serve", "status", "sync"],
  ].map((name) => `core/cli/${name}.ts`).concat(
    ["app", "events", "metrics", "mod", "snapshot"].map((name) => `core/server/${name}.ts`),
  ),
];

/** Relative `.ts` imports of a file, without its comments (doc examples are not imports). */
function importsOf(file: string): string[] {
  const text = Deno.readTextFileSync(join(ROOT, file))
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
  const specifiers = [
    ...text.matchAll(/\b(?:import|export)\b[^;"'`]*?\bfrom\s*["'](\.[^"']+)["']/g),
    ...text.matchAll(/\bimport\s*\(?\s*["'](\.[^"']+)["']/g),
  ].map((m) => m[1]);
  return specifiers
    .filter((s) => s.endsWith(".ts"))
    .map((s) => relative(ROOT, join(ROOT, dirname(file), s)));
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of Deno.readDirSync(join(ROOT, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && entry.name !== "testdata") out.push(...sourceFiles(path));
    if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) out.push(path);
  }
  return out;
}

/** `core/cli/run.ts` -> `core/cli`; `plugins/source/folder/_exif.ts` -> `plugins/source/folder`. */
function folderOf(file: string): string {
  const parts = file.split("/");
  return parts[0] === "plugins"
    ? parts.slice(0, Math.min(3, parts.length - 1)).join("/")
    : parts.slice(0, 2).join("/");
}

type Graph = Map<string, Set<string>>;

function fileGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of [...sourceFiles("core"), ...sourceFiles("plugins")]) {
    graph.set(file, new Set(importsOf(file).filter((target) => target !== file)));
  }
  return graph;
}

function folderGraph(files: Graph): Graph {
  const graph: Graph = new Map();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? new Set<string>();
    for (const target of targets) if (folderOf(target) !== from) edges.add(folderOf(target));
    graph.set(from, edges);
  }
  return graph;
}

/** Strongly connected components with more than one member (Tarjan), each sorted. */
function cycles(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>(), low = new Map<string, number>(), stack: string[] = [];
  const onStack = new Set<string>(), found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, next), low.set(node, next++), stack.push(node), onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) visit(to), low.set(node, Math.min(low.get(node)!, low.get(to)!));
      else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const members: string[] = [];
    let member: string;
    do (member = stack.pop()!, onStack.delete(member), members.push(member)); while (member !== node);
    if (members.length > 1) found.push(members.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/** One import path from `start` back to itself inside `members`, for the failure message. */
function cyclePath(graph: Graph, members: readonly string[], start = members[0]): string {
  const inside = new Set(members), from = new Map<string, string>([[start, ""]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (to === start) {
        const path = [start];
        for (let at = node; at !== start; at = from.get(at)!) path.splice(1, 0, at);
        return [...path, start].join(" -> ");
      }
      if (inside.has(to) && !from.has(to)) from.set(to, node), queue.push(to);
    }
  }
  return members.join(", ");
}

/** The path of a new cycle, starting at a member no cycle of the baseline holds (the newcomer). */
function report(graph: Graph, members: readonly string[], baseline: readonly (readonly string[])[]): string {
  const newcomer = members.find((m) => !baseline.some((allowed) => allowed.includes(m)));
  return cyclePath(graph, members, newcomer ?? members[0]);
}

/** Every cycle must lie inside one cycle of the baseline. */
function newCycles(found: string[][], baseline: readonly (readonly string[])[]): string[][] {
  return found.filter((members) => !baseline.some((allowed) => members.every((m) => allowed.includes(m))));
}

const files = fileGraph();

Deno.test("no folder of core/ or plugins/ joins a new import cycle", () => {
  const graph = folderGraph(files);
  const fresh = newCycles(cycles(graph), FOLDER_BASELINE);
  assert.deepEqual(fresh.map((c) => report(graph, c, FOLDER_BASELINE)), [], "new folder-level import cycles");
});

Deno.test("no file of core/ or plugins/ joins a new import cycle", () => {
  const fresh = newCycles(cycles(files), FILE_BASELINE);
  assert.deepEqual(fresh.map((c) => report(files, c, FILE_BASELINE)), [], "new file-level import cycles");
});

Deno.test("the baseline only shrinks: every cycle it lists still exists", () => {
  const found = [...cycles(folderGraph(files)), ...cycles(files)];
  for (const allowed of [...FOLDER_BASELINE, ...FILE_BASELINE]) {
    assert.ok(
      found.some((members) => members.every((m) => allowed.includes(m))),
      `the cycle ${allowed.join(", ")} is gone: delete it from the baseline in tests/import_cycles_test.ts`,
    );
  }
});

Deno.test("the cycle check finds a cycle and prints its path", () => {
  const graph: Graph = new Map([["a", new Set(["b"])], ["b", new Set(["c"])], ["c", new Set(["a"])], [
    "d",
    new Set(),
  ]]);
  const found = cycles(graph);
  assert.deepEqual(found, [["a", "b", "c"]]);
  assert.equal(cyclePath(graph, found[0]), "a -> b -> c -> a");
  assert.deepEqual(newCycles(found, [["a", "b", "c", "x"]]), []);
  assert.deepEqual(newCycles(found, [["a", "b"]]), [["a", "b", "c"]]);
});
