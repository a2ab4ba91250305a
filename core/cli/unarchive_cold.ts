/**
 * `unarchive` of archived assets that left Immich and live only in the cold tier: the restore is
 * estimated (cost and wait), confirmed (`--yes`), asked for and recorded, and the command returns at
 * once saying when to run again; a later run, or `--wait`, reads the files back, checks their
 * SHA-1s and puts each asset back through the normal import: into Photos (PhotoKit),
 * `--into-folder DIR`, or Immich (`--to immich`).
 * @module
 */
import type { Command } from "./parser.ts";
import type { Asset } from "../model/asset.ts";
import { type ColdRestoreSummary, restoreCold, type RestoredBundle } from "../engine/cold_restore.ts";
import { importAssets } from "../engine/import_run.ts";
import { ConfigError } from "../plugin/errors.ts";
import type { AssetDestinationSession, RestoreTier, SourceSession } from "../plugin/types.ts";
import { ArchiveStore } from "../tracker/archive_state.ts";
import { type ColdAsset, ColdStore } from "../tracker/cold_state.ts";
import { formatBytes, type Output } from "./output.ts";
import type { Session } from "./session.ts";

export interface ColdBackFlags {
  restoreTier: string;
  restoreDays: string;
  wait?: boolean;
  pollSeconds: string;
  waitHours: string;
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function addColdUnarchiveFlags(cmd: Command): Command {
  return cmd
    .option("--restore-tier <tier>", "for assets only in the cold tier: Bulk, Standard or Expedited", "Bulk")
    .option("--restore-days <days>", "days a restored copy stays readable", "7")
    .option("--wait", "wait for the restore (polling) instead of returning at once")
    .option("--poll-seconds <n>", "with --wait: seconds between checks", "600")
    .option("--wait-hours <n>", "with --wait: give up after this many hours", "72")
    .option("--yes", "ask for the restore without asking first");
}

/** The cold-only assets among the picked ones, restored (or asked for); what happened, per target. */
export async function unarchiveCold(
  session: Session,
  output: Output,
  flags: ColdBackFlags,
  step: {
    photos: { source: string; destination: string };
    pick: (asset: ColdAsset) => boolean;
    into: string;
  },
): Promise<ColdRestoreSummary[]> {
  const tier = flags.restoreTier as RestoreTier;
  if (!["Bulk", "Standard", "Expedited"].includes(tier)) {
    throw new ConfigError(`--restore-tier must be Bulk, Standard or Expedited, got ${flags.restoreTier}`);
  }
  const byTarget = new Map<string, ColdAsset[]>();
  for (const a of new ColdStore(session.tracker).coldOnly(step.photos.source)) {
    if (step.pick(a)) byTarget.set(a.target, [...byTarget.get(a.target) ?? [], a]);
  }
  const summaries: ColdRestoreSummary[] = [];
  for (const [targetKey, assets] of byTarget) {
    // The target's plugin is the key's prefix (`glacier:bucket/folder`); its options come from the flags.
    const target = await session.openAssetDestination(targetKey.split(":")[0]);
    if (target.session.key !== targetKey) {
      throw new ConfigError(
        `the cold copies are at ${targetKey}, but the options point at ${target.session.key}`,
      );
    }
    const destination = await session.openDestination();
    const summary = await restoreCold({
      ids: { source: step.photos.source, target: targetKey },
      target: target.session,
      assets,
      tier,
      days: Number(flags.restoreDays) || 7,
      confirm: (ask) => confirmRestore(output, ask, flags.yes ?? false),
      wait: flags.wait
        ? { pollMs: Number(flags.pollSeconds) * 1000, timeoutMs: Number(flags.waitHours) * 3_600_000 }
        : undefined,
      tracker: session.tracker,
      tempRoot: session.tempRoot,
      dryRun: session.dryRun,
      bringBack: (bundles) =>
        putBack(session, { key: destination.session.key, session: destination.session }, bundles, step),
    });
    printColdBack(output, summary, flags, targetKey);
    summaries.push(summary);
  }
  return summaries;
}

/** The bundles as a source, imported into the destination; what each asset became. */
async function putBack(
  session: Session,
  destination: { key: string; session: AssetDestinationSession },
  bundles: RestoredBundle[],
  step: { photos: { source: string; destination: string }; into: string },
): Promise<Map<string, string>> {
  const byId = new Map(bundles.map((b) => [b.cold.assetId, b]));
  const source: SourceSession = {
    key: `cold:${bundles[0]?.cold.target ?? ""}`,
    async *list() {
      for (const b of bundles) yield b.cold.asset as Asset;
    },
    export: ({ asset }) =>
      Promise.resolve(byId.get(asset.id)!.files.map((f) => ({ key: f.key, path: f.path }))),
    close: () => Promise.resolve(),
  };
  const became = new Map<string, string>();
  const archive = new ArchiveStore(session.tracker);
  const recording: AssetDestinationSession = {
    ...destination.session,
    put: async (group) => {
      const result = await destination.session.put(group);
      const primary = result.resources.find((r) => r.key === group.plan.primary)?.remoteId;
      const restoredAs = step.into === "photokit" && primary
        ? primary
        : `${step.into}:${primary ?? group.asset.id}`;
      became.set(group.asset.id, restoredAs);
      archive.markRestored(step.photos, group.asset.id, restoredAs);
      return result;
    },
  };
  await importAssets({
    sourceId: source.key,
    source,
    destinationId: destination.key,
    destination: recording,
    handlers: session.handlers(),
    policy: session.policy(),
    tracker: session.tracker,
    tempRoot: session.tempRoot,
    dryRun: session.dryRun,
    concurrency: 1,
    assets: bundles.map((b) => b.cold.asset as Asset),
    signal: session.abort.signal,
    onEvent: (e) => {
      if (e.type === "asset" && e.outcome === "failed") {
        session.options.output.err(`failed ${e.filename} (${e.assetId}): ${e.error}`);
      }
    },
  });
  return became;
}

async function confirmRestore(
  output: Output,
  ask: { files: number; storedBytes: number; tier: RestoreTier; costUsd: number; hours: number },
  yes: boolean,
): Promise<boolean> {
  output.err(
    `restoring ${ask.files} cold files (${
      formatBytes(ask.storedBytes)
    } stored) in the ${ask.tier} tier costs about ` +
      `$${ask.costUsd.toFixed(2)} and takes up to ${hoursText(ask.hours)}`,
  );
  if (yes) return true;
  if (!Deno.stdin.isTerminal()) {
    output.err("no restore asked: run again with --yes to confirm (no terminal to ask)");
    return false;
  }
  output.err('Type "restore" to confirm: ');
  const buf = new Uint8Array(64);
  const n = await Deno.stdin.read(buf);
  return n !== null && new TextDecoder().decode(buf.subarray(0, n)).trim() === "restore";
}

const hoursText = (h: number) => h < 1 ? `${Math.round(h * 60)} minutes` : `${h} hours`;

function printColdBack(output: Output, s: ColdRestoreSummary, flags: ColdBackFlags, target: string): void {
  if (flags.json) {
    output.out(JSON.stringify({ type: "cold-unarchive", target, ...s }));
    return;
  }
  for (const r of s.refused) output.out(`not brought back: ${r.filename} (${r.assetId}): ${r.reason}`);
  output.out(
    `${s.brought} of ${s.selected} cold assets ${flags.dryRun ? "would be " : ""}brought back from ${target}`,
  );
  if (s.restoreRefused) output.out(`not restored: ${s.restoreRefused}`);
  if (s.waiting > 0) {
    const when = s.readyBy ? ` (expected by ${s.readyBy})` : "";
    output.out(
      `${s.waiting} assets are being restored${when}; run the same unarchive again then, or add --wait`,
    );
  }
}
