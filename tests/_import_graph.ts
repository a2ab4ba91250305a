/**
 * The import graph of the repository's own files, and the cycles in it, for the layer check
 * (`import_cycles_test.ts`, modelled on denoland/std's `check_circular_package_dependencies`).
 * The graph comes from `deno info --json`, so it resolves imports exactly as Deno does; static
 * imports and re-exports count, type-only ones included; dynamic `import()` does not.
 *
 * @example
 * ```ts
 * import { cycles } from "./_import_graph.ts";
 *
 * // From `importGraph(root, { dirs: ["core", "plugins"], files: ["main.ts"] })` in the real check.
 * const graph = new Map([["core/a.ts", ["core/b.ts"]], ["core/b.ts", ["core/a.ts"]]]);
 * console.log(cycles(graph)); // [["core/a.ts", "core/b.ts", "core/a.ts"]]
 * ```
 * @module
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** Repository-relative path of each file -> the repository files it imports. */
export type ImportGraph = Map<string, Set<string>>;

/** Where to start: folders (walked for `.ts` files, test files included) and single files. */
export interface GraphRoots {
  dirs: string[];
  files: string[];
  /** Follow dynamic `import()` too (what a run may load, as for the size limits). */
  dynamic?: boolean;
}

/** One module of `deno info --json`, as far as the graph needs it. */
interface InfoModule {
  specifier: string;
  error?: string;
  dependencies?: {
    specifier: string;
    isDynamic?: boolean;
    code?: { specifier?: string; error?: string };
    type?: { specifier?: string; error?: string };
  }[];
}

/** Reads the imports of every file under `roots` (and whatever they import) with `deno info`. */
export async function importGraph(root: string, roots: GraphRoots): Promise<ImportGraph> {
  const files = [...roots.files];
  for (const dir of roots.dirs) files.push(...await tsFilesUnder(root, dir));
  // deno info takes one root module: a temporary one that imports them all.
  const tmp = await Deno.makeTempDir({ prefix: "photos-sync-graph-" });
  try {
    const entry = join(tmp, "entry.ts");
    const lines = files.map((f) => `import "${pathToFileURL(join(root, f)).href}";`);
    await Deno.writeTextFile(entry, lines.join("\n") + "\n");
    const modules = await denoInfo(root, entry);
    return graphOf(modules, pathToFileURL(root).href.replace(/\/?$/, "/"), roots.dynamic ?? false);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

async function tsFilesUnder(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(root, dir))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory && entry.name !== "node_modules") out.push(...await tsFilesUnder(root, path));
    else if (entry.isFile && entry.name.endsWith(".ts")) out.push(path);
  }
  return out.sort();
}

async function denoInfo(root: string, entry: string): Promise<InfoModule[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "--config", join(root, "deno.json"), entry],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno info failed (exit ${code}): ${new TextDecoder().decode(stderr)}`);
  }
  return JSON.parse(new TextDecoder().decode(stdout)).modules;
}

function graphOf(modules: InfoModule[], rootUrl: string, dynamic: boolean): ImportGraph {
  const local = (specifier: string | undefined) =>
    specifier?.startsWith(rootUrl) ? decodeURIComponent(specifier.slice(rootUrl.length)) : undefined;
  const graph: ImportGraph = new Map();
  for (const module of modules) {
    const from = local(module.specifier);
    if (from === undefined) continue;
    // A file deno cannot read would leave its imports out of the check without a word.
    if (module.error) throw new Error(`${from}: ${module.error}`);
    const imports = new Set<string>();
    for (const dep of module.dependencies ?? []) {
      if (dep.isDynamic && !dynamic) continue;
      const error = dep.code?.error ?? dep.type?.error;
      if (error) throw new Error(`${from} imports "${dep.specifier}": ${error}`);
      for (const target of [local(dep.code?.specifier), local(dep.type?.specifier)]) {
        if (target !== undefined) imports.add(target);
      }
    }
    graph.set(from, imports);
  }
  return graph;
}

/**
 * One cycle per strongly connected group of nodes, as a path that starts and ends at the group's
 * first node by name (the shortest way back), so a failure names every hop to undo.
 */
export function cycles(graph: ReadonlyMap<string, Iterable<string>>): string[][] {
  const found: string[][] = [];
  for (const group of stronglyConnected(graph)) {
    const start = [...group].sort()[0];
    const path = shortestWayBack(graph, start, group);
    if (path) found.push(path);
  }
  return found.sort((a, b) => a[0].localeCompare(b[0]));
}

/** Tarjan's algorithm: the groups in which every node reaches every other. */
function stronglyConnected(graph: ReadonlyMap<string, Iterable<string>>): Set<string>[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: Set<string>[] = [];
  const visit = (node: string) => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const group = new Set<string>();
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.add(member);
    } while (member !== node);
    groups.push(group);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return groups;
}

/** Breadth first from `start` inside `group` back to `start`; none for a lone node without a self-import. */
function shortestWayBack(
  graph: ReadonlyMap<string, Iterable<string>>,
  start: string,
  group: Set<string>,
): string[] | undefined {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (next === start) return [...pathTo(cameFrom, start, node), start];
      if (group.has(next) && !cameFrom.has(next)) {
        cameFrom.set(next, node);
        queue.push(next);
      }
    }
  }
  return undefined;
}

function pathTo(cameFrom: Map<string, string>, start: string, node: string): string[] {
  const path = [node];
  while (path[0] !== start) path.unshift(cameFrom.get(path[0])!);
  return path;
}

/** Folder -> folder imports, each with the first file import that makes it (for the message). */
export type FolderGraph = Map<string, Map<string, string>>;

/**
 * The graph between folders: `folderOf` names a file's folder, or nothing for a file outside the
 * folders compared; imports within one folder are no edge.
 */
export function folderGraph(graph: ImportGraph, folderOf: (file: string) => string | undefined): FolderGraph {
  const folders: FolderGraph = new Map();
  for (const [from, imports] of [...graph].sort(([a], [b]) => a.localeCompare(b))) {
    const source = folderOf(from);
    if (source === undefined) continue;
    const edges = folders.get(source) ?? new Map<string, string>();
    folders.set(source, edges);
    for (const to of [...imports].sort()) {
      const target = folderOf(to);
      if (target === undefined || target === source || edges.has(target)) continue;
      edges.set(target, `${from} imports ${to}`);
    }
  }
  return folders;
}

/** The cycles between folders, as {@link cycles} finds them between files. */
export function folderCycles(folders: FolderGraph): string[][] {
  return cycles(new Map([...folders].map(([folder, edges]) => [folder, [...edges.keys()]])));
}

/** A folder cycle as one line per hop, each with the file import behind it. */
export function describeFolderCycle(folders: FolderGraph, cycle: string[]): string {
  const hops = cycle.slice(1).map((to, i) => `  ${cycle[i]} -> ${to} (${folders.get(cycle[i])?.get(to)})`);
  return [cycle.join(" -> "), ...hops].join("\n");
}

/** `core/<name>` for any file below it (sub-folders belong to it), else nothing. */
export function coreFolderOf(file: string): string | undefined {
  const parts = file.split("/");
  return parts[0] === "core" && parts.length > 2 ? `core/${parts[1]}` : undefined;
}

/**
 * A plugin's folder (`plugins/<kind>/<name>`, its sub-folders included) for any file in it; a
 * file directly in `plugins/` or `plugins/<kind>/` is that folder's (shared helpers, the list).
 */
export function pluginFolderOf(file: string): string | undefined {
  const parts = file.split("/");
  if (parts[0] !== "plugins") return undefined;
  return parts.slice(0, -1).slice(0, 3).join("/");
}

/** Every import from a file under `folder` that leaves the allowed folders, as `file imports target`. */
export function importsLeaving(graph: ImportGraph, folder: string, allowed: string[]): string[] {
  const inside = (file: string, dir: string) => file.startsWith(`${dir}/`);
  const out: string[] = [];
  for (const [from, imports] of graph) {
    if (!inside(from, folder)) continue;
    for (const to of imports) if (!allowed.some((dir) => inside(to, dir))) out.push(`${from} imports ${to}`);
  }
  return out.sort();
}
