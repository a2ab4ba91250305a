/**
 * The cold tier's part of `backup --verify`, and `backup --verify-cold [N]` (what the scheduled
 * re-verify runs): every asset kept cold (or N drawn at random) checked at its target, drift
 * reported per asset. Each target is opened by its recorded key's plugin (`glacier:`, `b2:`) with
 * the usual flags for its options.
 * @module
 */
import { type ColdVerifySummary, verifyCold } from "../engine/cold_verify.ts";
import { ConfigError } from "../plugin/errors.ts";
import { ColdStore } from "../tracker/cold_state.ts";
import type { BackupCli } from "./backup_context.ts";
import { ExitCode } from "./command_context.ts";
import type { Output } from "./output.ts";
import type { Session } from "./session.ts";

/** Checks every cold target this data directory keeps assets at; the number of drifted files. */
export async function verifyColdTier(
  session: Session,
  output: Output,
  options: { json?: boolean; sample?: number },
): Promise<number> {
  let drifted = 0;
  for (const ids of new ColdStore(session.tracker).targets()) {
    const target = await session.openAssetDestination(ids.target.split(":")[0]);
    if (target.session.key !== ids.target) {
      throw new ConfigError(
        `the cold copies are at ${ids.target}, but the options point at ${target.session.key}`,
      );
    }
    const summary = await verifyCold({
      tracker: session.tracker,
      source: ids.source,
      targetId: ids.target,
      target: target.session,
      sample: options.sample,
    });
    drifted += summary.drift.length;
    printCold(output, summary, options.json);
  }
  return drifted;
}

function printCold(output: Output, s: ColdVerifySummary, json?: boolean): void {
  if (json) {
    output.out(JSON.stringify({ type: "verify-cold", ...s }));
    return;
  }
  output.out(`cold at ${s.target}: ${s.assets} assets, ${s.files} files checked, ${s.drift.length} drifted`);
  for (const d of s.drift) output.out(`    ${d.filename} (${d.assetId}) ${d.key}: ${d.problem}`);
}

/** `backup --verify-cold [N]`: the cold tier alone, all of it or N assets at random. */
export async function backupVerifyCold(cli: BackupCli): Promise<void> {
  const value = cli.flags.verifyCold;
  const sample = typeof value === "string" ? Number(value) : undefined;
  if (sample !== undefined && !(Number.isInteger(sample) && sample > 0)) {
    throw new ConfigError(`--verify-cold takes a number of assets to sample, got ${value}`);
  }
  const drifted = await verifyColdTier(cli.session, cli.output, { json: cli.flags.json, sample });
  if (drifted > 0) {
    if (!cli.flags.json) cli.output.out("the cold tier differs from what was stored; see the files above");
    throw new ExitCode(1);
  }
}
