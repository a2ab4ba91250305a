/**
 * `photos-sync import`: copies what is new in the source to the destination, newest first.
 * @module
 */
import type { Command } from "./parser.ts";
import { importAssets } from "../engine/import_run.ts";
import { type CommandContext, ExitCode } from "./command_context.ts";
import { isCinematic, isLive, runReclassify } from "./reclassify.ts";
import { addRunFlags, engineRun, openRunSession, printRunSummary, type RunFlags } from "./run.ts";

interface ImportFlags extends RunFlags {
  repairPairedVideos?: boolean;
  repairLivePhotos?: boolean;
  repairCinematic?: boolean;
}

export function registerImport(program: Command, ctx: CommandContext): void {
  const cmd = program.command("import")
    .description("copy every asset that is new in the source to the destination (newest first)")
    .option(
      "--repair-paired-videos",
      "instead of importing, finish Live Photos whose motion video is missing",
    )
    .option("--repair-live-photos", "the same as --repair-paired-videos")
    .option("--repair-cinematic", "instead of importing, finish Cinematic videos whose sidecars are missing");
  addRunFlags(cmd, ctx).action(async (flags: ImportFlags, command: Command) => {
    const session = await openRunSession(ctx, command, flags.dryRun ?? false);
    try {
      const live = flags.repairPairedVideos || flags.repairLivePhotos;
      if (live || flags.repairCinematic) {
        const only = live && flags.repairCinematic ? undefined : live ? isLive : isCinematic;
        await runReclassify(session, ctx.output, { ...flags, repair: true }, only);
        return;
      }
      const summary = await engineRun(session, ctx.output, { ...flags, command: "import" }, importAssets);
      printRunSummary(ctx.output, summary, flags);
      if (summary.failed > 0) throw new ExitCode(1);
    } finally {
      await session.close();
    }
  });
}
