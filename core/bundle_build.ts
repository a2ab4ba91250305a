/**
 * `deno task bundle`: writes the program as code-split JavaScript (`deno bundle`, entry
 * core/bundle.ts) to dist/bundle/, or to the folder given, and then names each chunk a chunk
 * loads lazily by URL instead of by a literal: `deno run` reads ahead (and analyses) every literal
 * `import()` it can reach, so a `status` read all 70 chunks, about 4 ms of its start-up. esbuild
 * splits only at literal imports, which is why the rewrite comes after it (docs/decisions.md).
 *
 *   deno task bundle                       # dist/bundle/bundle.js
 *   deno run -A core/bundle_build.ts <dir>
 * @module
 */
import { joinPath } from "./model/path.ts";

/** The arguments of `deno bundle` after the output folder. */
const BUNDLE_ARGS = ["--quiet", "--platform", "deno", "--code-splitting"];

/**
 * `import("./chunk-X.js")` -> `import(new URL("./chunk-X.js", import.meta.url).href)`: the same
 * chunk, loaded when the call runs and not read before.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(hideChunkImports('() => import("./a-1.js")'), '() => import(new URL("./a-1.js", import.meta.url).href)');
 * ```
 */
export function hideChunkImports(text: string): string {
  return text.replace(/\bimport\("(\.\/[\w.-]+\.js)"\)/g, 'import(new URL("$1", import.meta.url).href)');
}

/** Bundles core/bundle.ts into `outdir` (emptied first); throws with deno's message when it fails. */
export async function buildBundle(outdir: string): Promise<void> {
  await Deno.remove(outdir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  const entry = joinPath(import.meta.dirname!, "bundle.ts");
  const built = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", ...BUNDLE_ARGS, "--outdir", outdir, entry],
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (!built.success) throw new Error(`deno bundle failed: ${new TextDecoder().decode(built.stderr).trim()}`);
  for (const file of Deno.readDirSync(outdir)) {
    if (!file.isFile || !file.name.endsWith(".js")) continue;
    const path = joinPath(outdir, file.name);
    const text = Deno.readTextFileSync(path);
    const hidden = hideChunkImports(text);
    if (hidden !== text) Deno.writeTextFileSync(path, hidden);
  }
}

if (import.meta.main) await buildBundle(Deno.args[0] ?? "dist/bundle");
