/** photos-sync: the command line with the built-in plugins. */
import { runCli } from "./core/cli/mod.ts";
import { BUILTIN_PLUGINS, writeSampleLibrary } from "./plugins/mod.ts";

if (import.meta.main) {
  Deno.exit(await runCli(Deno.args, { plugins: BUILTIN_PLUGINS, writeSampleLibrary }));
}
