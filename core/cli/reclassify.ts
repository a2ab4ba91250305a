/**
 * `photos-sync reclassify`: read every imported asset's type again and update the tracker;
 * `--repair` finishes incomplete Live Photos and Cinematic sidecars without deleting anything.
 * `import --repair-paired-videos` and `import --repair-cinematic` (the predecessor's flags) run the
 * same repair limited to one kind.
 * @module
 */
import type { Command } from "./parser.ts";
import type { Asset } from "../model/asset.ts";
import type { Plan } from "../model/plan.ts";
import { reclassify, type ReclassifySummary } from "../engine/reclassify.ts";
import { type CommandContext, ExitCode } from "./command_context.ts";
import type { Output } from "./output.ts";
import {
  addRunFlags,
  engineRun,
  openRunSession,
  printRunSummary,
  type RunFlags,
  wholeNumber,
} from "./run.ts";
import type { Session } from "./session.ts";

interface ReclassifyFlags extends RunFlags {
  repair?: boolean;
  repairLimit?: string;
}

export const isLive = (asset: Asset, plan: Plan) =>
  asset.subtypes.includes("live") || plan.tags.includes("live");
export const isCinematic = (asset: Asset, plan: Plan) =>
  asset.subtypes.includes("cinematic") || plan.tags.includes("cinematic");

export function registerReclassify(program: Command, ctx: CommandContext): void {
  const cmd = program.command("reclassify")
    .description("read media types again and update the tracker; --repair finishes incomplete assets")
    .option("--repair", "send incomplete assets again so the destination gets what it lacks (never deletes)")
    .option("--repair-limit <n>", "repair at most N assets");
  addRunFlags(cmd, ctx).action(async (flags: ReclassifyFlags, command: Command) => {
    const session = await openRunSession(ctx, command, flags.dryRun ?? false);
    try {
      await runReclassify(session, ctx.output, flags);
    } finally {
      await session.close();
    }
  });
}

/** Runs reclassify in an open session; `only` limits repairs to one kind. */
export async function runReclassify(
  session: Session,
  output: Output,
  flags: ReclassifyFlags,
  only?: (asset: Asset, plan: Plan) => boolean,
): Promise<ReclassifySummary> {
  const repairLimit = flags.repairLimit === undefined ? 0 : wholeNumber(flags.repairLimit, "--repair-limit");
  const summary = await engineRun(
    session,
    output,
    { ...flags, command: flags.repair ? "reclassify --repair" : "reclassify" },
    (options) => reclassify({ ...options, repair: flags.repair, repairLimit, repairFilter: only }),
  );
  if (flags.json) output.out(JSON.stringify({ type: "reclassify", ...summary }));
  else {
    const would = flags.dryRun ? "would be " : "";
    output.out(`${summary.listed} assets read, ${summary.reclassified} ${would}reclassified`);
    const changes = Object.entries(summary.changes).map(([k, n]) => `${k} ${n}`).join(", ");
    if (changes) output.out(`  type changes: ${changes}`);
    output.out(
      `${summary.repairable} incomplete assets can be completed${flags.repair ? "" : " (run with --repair)"}`,
    );
    if (summary.stillIncomplete > 0) {
      output.out(`${summary.stillIncomplete} stay incomplete: what they lack is not in the library either`);
    }
    if (summary.repair) printRunSummary(output, summary.repair, flags);
  }
  if (summary.failed > 0) throw new ExitCode(1);
  return summary;
}
