/**
 * The real command line with the built-in plugins, PhotoKit's allowed on any system: the tests run
 * it as a process over the C twin of the PhotoKit helper (`--photokit-lib`), which stands in for
 * Photos where there is none. Nothing else differs from main.ts.
 */
import { runCli } from "../core/cli/mod.ts";
import { BUILTIN_PLUGINS, writeSampleLibrary } from "../plugins/mod.ts";

const anywhere = BUILTIN_PLUGINS.map((p) => p.id.endsWith(".photokit") ? { ...p, platforms: undefined } : p);

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, { plugins: anywhere, writeSampleLibrary }));
}
