/**
 * `photos-sync demo`: the whole job on a built-in sample. It writes a small Photos library, imports
 * it into a folder destination and prints the status. Everything lives in one demo directory with
 * its own data directory, so the user's real tracker is never touched; running it again finds the
 * same sample and imports nothing.
 * @module
 */
import type { Command } from "./parser.ts";
import { join } from "node:path";
import { flagValues } from "./flags.ts";
import { importAssets } from "../engine/import_run.ts";
import { engineRun, printRunSummary } from "./run.ts";
import type { CommandContext } from "./command_context.ts";
import { statusReport } from "../tracker/status.ts";
import { printStatus } from "./status.ts";
import { Session } from "./session.ts";

export function registerDemo(program: Command, ctx: CommandContext): void {
  program.command("demo")
    .description("write a sample Photos library, import it into a folder, show the status")
    .option("--dir <dir>", "where the sample, destination and data live", join(tmpDir(), "photos-sync-demo"))
    .option("--fresh", "start over: remove the demo directory first")
    .option("--json", "JSON events and the status as JSON")
    .action(async (opts: { dir: string; fresh?: boolean; json?: boolean }, command: Command) => {
      const { output } = ctx;
      if (opts.fresh) await Deno.remove(opts.dir, { recursive: true }).catch(() => {});
      const library = join(opts.dir, "Sample.photoslibrary");
      if (!(await exists(join(library, "database", "Photos.sqlite")))) {
        await Deno.mkdir(opts.dir, { recursive: true });
        const sample = await ctx.deps.writeSampleLibrary(library);
        if (!opts.json) output.err(`wrote a sample library with ${sample.assets} assets to ${sample.path}`);
      }
      const flags = {
        ...flagValues(command),
        home: join(opts.dir, "data"),
        "env-file": undefined,
        source: "photoslibrary",
        library,
        to: "folder",
        "folder-path": join(opts.dir, "destination"),
      };
      // The demo must not pick up the user's real settings (their Immich key, their data dir).
      const env = { HOME: Deno.env.get("HOME"), PATH: Deno.env.get("PATH") };
      const session = await Session.open({
        plugins: ctx.deps.plugins,
        output,
        flags,
        env,
        command: "demo",
        lock: true,
      });
      ctx.setRedactor(session.config.redactor);
      try {
        const flags = { json: opts.json, command: "import" };
        printRunSummary(output, await engineRun(session, output, flags, importAssets), flags);
        const report = statusReport(session.tracker, session.config.home);
        if (opts.json) output.out(JSON.stringify({ type: "status", ...report }));
        else {
          output.out("");
          printStatus(output, report);
          output.out(`the imported files are in ${join(opts.dir, "destination")}`);
        }
      } finally {
        await session.close();
      }
    });
}

function tmpDir(): string {
  return Deno.env.get("TMPDIR") ?? "/tmp";
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
