/** photos-sync: the command line with the built-in plugins. */
import { quickHelp, quickVersion } from "./core/cli/quick_help.ts";
import { loadModule } from "./core/lazy.ts";

/**
 * Runs the program and exits. `--help` answers from generated text, `--version` from the constant;
 * everything else loads the parser, commands and plugins. Those are loaded when needed (core/lazy.ts):
 * `deno run` would read ahead the whole graph of a literal `import()`, most of a `--help`.
 */
export async function main(args: string[]): Promise<never> {
  const quick = (await quickHelp(args)) ?? (await quickVersion(args));
  if (quick !== undefined) {
    // writeSync may take only part of a long text (a pipe); write until it has all of it.
    const bytes = new TextEncoder().encode(quick + "\n");
    for (let done = 0; done < bytes.length;) done += Deno.stdout.writeSync(bytes.subarray(done));
    Deno.exit(0);
  }
  const [{ runCli }, { BUILTIN_PLUGINS, writeSampleLibrary }] = await Promise.all([
    loadModule("core/cli/mod.ts"),
    loadModule("plugins/mod.ts"),
  ]);
  Deno.exit(await runCli(args, { plugins: BUILTIN_PLUGINS, writeSampleLibrary }));
}

// In the bundle, core/bundle.ts is the main module and calls main().
if (import.meta.main) await main(Deno.args);
