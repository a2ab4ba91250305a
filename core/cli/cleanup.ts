/**
 * `photos-sync cleanup`: reconcile the tracker with assets deleted from the source or at the
 * destination, behind guards. It deletes nothing anywhere; it only records what is gone.
 * @module
 */
import type { Command } from "./parser.ts";
import { cleanup, type CleanupSummary } from "../engine/cleanup.ts";
import { ConfigError } from "../plugin/errors.ts";
import { addCoreFlags, addPluginFlags } from "./flags.ts";
import { type CommandContext, ExitCode } from "./command_context.ts";
import type { Output } from "./output.ts";
import { openRunSession } from "./run.ts";

interface CleanupFlags {
  dryRun?: boolean;
  maxShare: string;
  json?: boolean;
}

export function registerCleanup(program: Command, ctx: CommandContext): void {
  const cmd = program.command("cleanup")
    .description("record assets deleted from the source or at the destination (deletes nothing)")
    .option("--dry-run", "show what would be recorded; change nothing")
    .option("--max-share <fraction>", "refuse when more than this share of the library looks deleted", "0.1")
    .option("--json", "print the result as one JSON document");
  addCoreFlags(cmd, ["source", "library", "to"]);
  addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind !== "handler"), {
    choice: ctx.chosen,
    roles: ["source", "to"],
  });
  cmd.action(async (flags: CleanupFlags, command: Command) => {
    const maxShare = Number(flags.maxShare);
    if (!(maxShare >= 0 && maxShare <= 1)) {
      throw new ConfigError(`--max-share must be between 0 and 1, got ${flags.maxShare}`);
    }
    const session = await openRunSession(ctx, command, flags.dryRun ?? false);
    try {
      const destination = await session.openDestination();
      const source = await session.openSource();
      const runId = session.tracker.startRun("cleanup", session.dryRun);
      let summary: CleanupSummary | undefined;
      try {
        summary = await cleanup({
          sourceId: source.session.key,
          source: source.session,
          destinationId: destination.session.key,
          destination: destination.session,
          tracker: session.tracker,
          dryRun: session.dryRun,
          maxShare,
          signal: session.abort.signal,
        });
      } finally {
        const status = session.abort.signal.aborted
          ? "interrupted"
          : summary && !summary.refused
          ? "succeeded"
          : "failed";
        session.tracker.finishRun(runId, status, { ...summary, hooks: session.timings.read() });
      }
      printCleanup(ctx.output, summary, flags);
      if (summary.refused) throw new ExitCode(1);
    } finally {
      await session.close();
    }
  });
}

function printCleanup(output: Output, s: CleanupSummary, flags: CleanupFlags): void {
  if (flags.json) {
    output.out(JSON.stringify(s));
    return;
  }
  if (s.refused) {
    output.out(`cleanup refused: ${s.refused}`);
    return;
  }
  const would = flags.dryRun ? "would be " : "";
  output.out(`${s.listed} assets in the source, ${s.tracked} tracked`);
  output.out(
    `${s.goneFromSource.length} ${would}recorded as deleted from the source (kept at the destination)`,
  );
  if (s.destinationUnchecked) output.out("the destination cannot say which assets it still has; not checked");
  else {
    output.out(
      `${s.goneFromDestination.length} ${would}recorded as deleted at the destination (not sent again)`,
    );
    if (s.inDestinationTrash.length > 0) {
      output.out(
        `${s.inDestinationTrash.length} are in the destination's trash; restore them there or empty it`,
      );
    }
  }
  if (flags.dryRun) output.out("dry run: nothing was changed");
}
