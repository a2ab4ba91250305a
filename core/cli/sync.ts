/**
 * `photos-sync sync`: import what is new, then reconcile what changed in the source, from one
 * listing. Nothing is deleted anywhere unless `--propagate-deletions` asks for it.
 * @module
 */
import type { Command } from "commander";
import { syncAssets, type SyncSummary } from "../engine/sync.ts";
import { ConfigError } from "../plugin/errors.ts";
import { type CommandContext, ExitCode } from "./command_context.ts";
import type { Output } from "./output.ts";
import { addRunFlags, engineRun, openRunSession, printRunSummary, type RunFlags } from "./run.ts";

interface SyncFlags extends RunFlags {
  propagateDeletions?: boolean;
  maxDeleteShare?: string;
}

export function registerSync(program: Command, ctx: CommandContext): void {
  const cmd = program.command("sync")
    .description(
      "import what is new, then push changed favorites, hidden state and dates; mark deleted assets",
    )
    .option(
      "--propagate-deletions",
      "move assets deleted from the source to the destination's trash (recoverable)",
    )
    .option(
      "--max-delete-share <fraction>",
      "refuse to propagate deletions above this share of the library",
      "0.05",
    );
  addRunFlags(cmd, ctx).action(async (flags: SyncFlags, command: Command) => {
    const share = Number(flags.maxDeleteShare);
    if (!(share >= 0 && share <= 1)) {
      throw new ConfigError(
        `--max-delete-share must be a fraction between 0 and 1, got ${flags.maxDeleteShare}`,
      );
    }
    const session = await openRunSession(ctx, command, flags.dryRun ?? false);
    try {
      const summary = await engineRun(
        session,
        ctx.output,
        { ...flags, command: "sync" },
        (options) =>
          syncAssets({ ...options, propagateDeletions: flags.propagateDeletions, maxDeleteShare: share }),
      );
      printSyncSummary(ctx.output, summary, flags);
      // A refusal (an empty listing, too many deletions) is not a success, as in `cleanup`.
      if (summary.import.failed > 0 || summary.updateFailed > 0 || summary.refused) throw new ExitCode(1);
    } finally {
      await session.close();
    }
  });
}

function printSyncSummary(output: Output, s: SyncSummary, flags: SyncFlags): void {
  if (flags.json) {
    output.out(JSON.stringify({ type: "sync", ...s }));
    return;
  }
  printRunSummary(output, s.import, flags);
  const would = flags.dryRun ? "would be " : "";
  output.out(
    `metadata ${would}pushed for ${s.updated} assets${s.updateFailed ? `, ${s.updateFailed} failed` : ""}`,
  );
  if (s.unsupported > 0) output.out(`${s.unsupported} changes not pushed: the destination cannot store them`);
  output.out(`${s.gone} assets ${would}marked gone from the source (kept at the destination)`);
  if (s.removed > 0) output.out(`${s.removed} assets ${would}moved to the destination's trash`);
  if (s.refused) output.out(`sync refused: ${s.refused}`);
}
