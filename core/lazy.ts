/**
 * Loads the modules a run takes only when it needs them: the CLI and the plugin list (main.ts), each
 * command (core/cli/mod.ts), the plugin registry, the sample library and each plugin's session.
 * `core/bundle.ts` names them all, each with a literal `import()` so that `deno bundle` splits each into
 * a chunk of its own; the bundled program hands those loaders here. From the sources the same path
 * is imported by URL, because `deno run` reads ahead the whole graph of every literal `import()` in
 * what it loads, whether the run takes it or not.
 * @module
 */

type Loaders = typeof import("./bundle.ts").LAZY_MODULES;

/** A lazily loaded module: its path from the repository's root, as `core/bundle.ts` lists it. */
export type LazyModule = keyof Loaders;

let bundled: Readonly<Record<LazyModule, () => Promise<unknown>>> | undefined;

/** Called by the bundled program before anything loads: import through these, not by URL. */
export function useBundledModules(loaders: Readonly<Record<LazyModule, () => Promise<unknown>>>): void {
  bundled = loaders;
}

/** The module at `path` (its type is the one `core/bundle.ts`'s literal import gives). */
export async function loadModule<P extends LazyModule>(path: P): Promise<Awaited<ReturnType<Loaders[P]>>> {
  if (bundled) return await bundled[path]() as Awaited<ReturnType<Loaders[P]>>;
  return await import(new URL(`../${path}`, import.meta.url).href);
}
