/** photos-sync: the command line with the built-in plugins. */
import { quickHelp, quickVersion } from "./core/cli/quick_help.ts";

/**
 * `deno run` reads, ahead of the run, the whole graph of every `import("literal")` in the program,
 * whether the run takes it or not: most of a `--help`. These two are named by URL so that only the
 * runs that need them read them; `deno compile` is told to bundle them (`--include`, deno.json).
 */
const CLI = new URL("./core/cli/mod.ts", import.meta.url).href;
const PLUGINS = new URL("./plugins/mod.ts", import.meta.url).href;

if (import.meta.main) {
  // `--help` answers from generated text, `--version` from the constant; everything else loads the
  // parser, commands and plugins.
  const quick = (await quickHelp(Deno.args)) ?? (await quickVersion(Deno.args));
  if (quick !== undefined) {
    // writeSync may take only part of a long text (a pipe); write until it has all of it.
    const bytes = new TextEncoder().encode(quick + "\n");
    for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
    Deno.exit(0);
  }
  const [{ runCli }, { BUILTIN_PLUGINS, writeSampleLibrary }]: [
    typeof import("./core/cli/mod.ts"),
    typeof import("./plugins/mod.ts"),
  ] = await Promise.all([import(CLI), import(PLUGINS)]);
  Deno.exit(await runCli(Deno.args, { plugins: BUILTIN_PLUGINS, writeSampleLibrary }));
}
