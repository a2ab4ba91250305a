/**
 * Loads a third-party plugin from one self-contained ES module file.
 *
 * The file is read and imported from a `data:` URL. A compiled `photos-sync` binary can only import
 * modules it was built with, or `data:` URLs; going through `data:` in every case means a plugin
 * that works under `deno run` works in the binary too. The price: the file must be plain
 * JavaScript with no imports of its own (authors bundle it, e.g. `deno bundle plugin.ts -o plugin.js`).
 *
 * @example
 * ```ts
 * const plugin = await loadPluginFile("./my_destination.js");
 * registry.register(plugin, "./my_destination.js");
 * ```
 * @module
 */
import { ConfigError } from "./errors.ts";
import { validatePlugin } from "./registry.ts";
import type { Plugin } from "./types.ts";

/** Imports a plugin file and checks its shape; throws ConfigError with every problem found. */
export async function loadPluginFile(path: string): Promise<Plugin> {
  let source: string;
  try {
    source = await Deno.readTextFile(path);
  } catch (e) {
    throw new ConfigError(`plugin ${path} cannot be read (${(e as Error).message}); check the path`);
  }
  if (/^\s*import\s[^(]|^\s*export\s.*\sfrom\s/m.test(source)) {
    throw new ConfigError(
      `plugin ${path} imports other modules; bundle it into one file first (deno bundle ${path} -o plugin.js)`,
    );
  }
  const url = `data:text/javascript;base64,${base64(source)}`;
  let mod: { default?: unknown };
  try {
    mod = await import(url);
  } catch (e) {
    throw new ConfigError(
      `plugin ${path} is not a JavaScript module that can run (${(e as Error).message}); ` +
        `if it is TypeScript, bundle it to JavaScript first`,
    );
  }
  const problems = validatePlugin(mod.default, `plugin ${path}`);
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return mod.default as Plugin;
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
