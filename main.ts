/** photos-sync: the command line with the built-in plugins. */
import { quickHelp } from "./core/cli/quick_help.ts";

if (import.meta.main) {
  // `--help` answers from generated text; everything else loads the parser, commands and plugins.
  const help = await quickHelp(Deno.args);
  if (help !== undefined) {
    Deno.stdout.writeSync(new TextEncoder().encode(help + "\n"));
    Deno.exit(0);
  }
  const [{ runCli }, { BUILTIN_PLUGINS, writeSampleLibrary }] = await Promise.all([
    import("./core/cli/mod.ts"),
    import("./plugins/mod.ts"),
  ]);
  Deno.exit(await runCli(Deno.args, { plugins: BUILTIN_PLUGINS, writeSampleLibrary }));
}
