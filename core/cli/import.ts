/**
 * `photos-sync import`: copies what is new in the source to the destination, newest first.
 * @module
 */
import type { Command } from "commander";
import { importAssets } from "../engine/import_run.ts";
import { type CommandContext, ExitCode } from "./mod.ts";
import { addRunFlags, engineRun, openRunSession, printRunSummary, type RunFlags } from "./run.ts";

export function registerImport(program: Command, ctx: CommandContext): void {
  const cmd = program.command("import")
    .description("copy every asset that is new in the source to the destination (newest first)");
  addRunFlags(cmd, ctx).action(async (flags: RunFlags, command: Command) => {
    const session = await openRunSession(ctx, command, flags.dryRun ?? false);
    try {
      const summary = await engineRun(session, ctx.output, { ...flags, command: "import" }, importAssets);
      printRunSummary(ctx.output, summary, flags);
      if (summary.failed > 0) throw new ExitCode(1);
    } finally {
      await session.close();
    }
  });
}
