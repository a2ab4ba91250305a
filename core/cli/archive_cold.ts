/**
 * `archive --cold <target>`: after the archive step, the assets verified in Immich in this run (and
 * those named by `--uuid` that already left Photos) go whole to a cold target (`glacier`, `b2`:
 * any destination with capability `cold`), and with `--remove-from-immich` those whose cold copy
 * was verified in this run leave Immich, within `--max-share`, once confirmed as for
 * `--remove-from-photos`.
 * @module
 */
import type { Command } from "./parser.ts";
import { archiveCold, type ColdSummary } from "../engine/cold.ts";
import type { WantedAsset } from "../engine/cold_bundle.ts";
import { ConfigError } from "../plugin/errors.ts";
import { ArchiveStore } from "../tracker/archive_state.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { formatBytes, type Output } from "./output.ts";
import type { Session } from "./session.ts";

export interface ColdFlags {
  cold?: string;
  removeFromImmich?: boolean;
  uuid?: string[];
  yes?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function addColdFlags(cmd: Command): Command {
  return cmd
    .option(
      "--cold <target>",
      "then store each verified asset whole at this cold target (glacier, b2), encrypted",
    )
    .option(
      "--remove-from-immich",
      "with --cold: move the assets whose cold copy was verified to Immich's trash",
    )
    .hook("preAction", (command) => {
      const flags = command.opts() as ColdFlags;
      // Only a cold copy verified in the same run lets an asset leave Immich.
      if (flags.removeFromImmich && !flags.cold) {
        throw new ConfigError(
          "--remove-from-immich needs --cold <target>: an asset leaves Immich only for a verified cold copy",
        );
      }
    });
}

type Confirm = (
  assets: { assetId: string; filename: string; bytes: number }[],
  where: string,
) => Promise<boolean>;

/** Runs the cold step for the assets the archive step verified (`archived`); prints its summary. */
export async function runCold(
  session: Session,
  output: Output,
  flags: ColdFlags,
  step: { archived: readonly string[]; maxShare: number; confirm: Confirm },
): Promise<ColdSummary> {
  const immich = await session.openDestination();
  const photos = await session.openSource();
  const ids = { source: photos.session.key, destination: immich.session.key };
  const target = await session.openAssetDestination(flags.cold!);
  if (!target.plugin.assets?.capabilities.includes("cold")) {
    throw new ConfigError(`${target.plugin.id} keeps no cold copies; use --cold glacier or --cold b2`);
  }
  const wanted = wantedAssets(session, ids, step.archived, flags.uuid);
  const needsImmich = wanted.some((w) => !step.archived.includes(w.assetId));
  const immichSource = needsImmich ? (await session.openSourceNamed("immich")).session : undefined;
  const runId = session.tracker.startRun("archive-cold", session.dryRun);
  let summary: ColdSummary | undefined;
  try {
    summary = await archiveCold({
      photos: ids,
      wanted,
      targetId: target.session.key,
      target: target.session,
      sources: { photos: photos.session, immich: immichSource },
      immich: immich.session,
      tracker: session.tracker,
      handlers: session.handlers(),
      policy: session.policy(),
      tempRoot: session.tempRoot,
      dryRun: session.dryRun,
      removeFromImmich: flags.removeFromImmich ?? false,
      maxShare: step.maxShare,
      confirm: (assets) => step.confirm(assets, "Immich's trash"),
      signal: session.abort.signal,
      onEvent: (e) => {
        if (flags.json) output.out(JSON.stringify(e));
        else if (e.type === "cold-refused") {
          output.out(`not stored cold: ${e.filename} (${e.assetId}): ${e.reason}`);
        } else if (e.type === "cold") {
          output.out(
            `${flags.dryRun ? "would store" : "stored"} cold: ${e.filename} (${formatBytes(e.bytes)})`,
          );
        }
      },
    });
  } finally {
    const status = session.abort.signal.aborted ? "interrupted" : summary ? "succeeded" : "failed";
    session.tracker.finishRun(runId, status, { ...summary, hooks: session.timings.read() });
  }
  printCold(output, summary, flags);
  return summary;
}

/**
 * Verified in this run, or already out of Photos and named by `--uuid`, with their checksums as
 * verified (in a dry run nothing was recorded: the checksums sent, which the archive step just
 * found in Immich).
 */
function wantedAssets(
  session: Session,
  ids: { source: string; destination: string },
  archivedNow: readonly string[],
  uuids: string[] | undefined,
): WantedAsset[] {
  const sync = new SyncStore(session.tracker);
  const archived = new ArchiveStore(session.tracker).archived(ids);
  const gone = [...archived.values()].filter((a) => a.removedFromSourceAt && uuids?.includes(a.assetId));
  const picked = new Set([...archivedNow, ...gone.map((a) => a.assetId)]);
  return [...picked].map((assetId) => {
    const files = sync.resources(ids, assetId);
    const verified = archived.get(assetId)?.verified ?? Object.fromEntries(files.map((f) => [f.key, f.sha1]));
    return { assetId, verified, immichId: files.find((f) => f.key === "original")?.remoteId };
  });
}

function printCold(output: Output, s: ColdSummary, flags: ColdFlags): void {
  if (flags.json) {
    output.out(JSON.stringify({ type: "cold-summary", ...s }));
    return;
  }
  const would = flags.dryRun ? "would be " : "";
  output.out(
    `${s.cold} of ${s.selected} assets ${would}stored cold at ${flags.cold} (${formatBytes(s.bytes)}, ` +
      `${s.uploaded} files uploaded); ${s.refused.length} not stored`,
  );
  if (s.removedFromImmich > 0) output.out(`${s.removedFromImmich} moved to Immich's trash`);
  if (s.removalRefused) output.out(`not removed from Immich: ${s.removalRefused}`);
}
