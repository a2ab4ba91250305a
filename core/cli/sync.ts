/**
 * `photos-sync sync`: the two-way sync. Imports what is new, then every metadata change on either
 * side goes to the other, field by field, on every member of a group; a field changed on both is
 * a conflict, kept for `review --resolve` unless `--prefer` settles it. Nothing is deleted
 * anywhere unless `--propagate-deletions` asks for it.
 * @module
 */
import type { Command } from "./parser.ts";
import { type Prefer, PREFER_CHOICES } from "../engine/reconcile.ts";
import { type DirectionCounts, syncAssets, type SyncSummary } from "../engine/sync.ts";
import { ConfigError } from "../plugin/errors.ts";
import { type CommandContext, ExitCode } from "./command_context.ts";
import type { Output } from "./output.ts";
import { addRunFlags, engineRun, openRunSession, printRunSummary, type RunFlags } from "./run.ts";

interface SyncFlags extends RunFlags {
  propagateDeletions?: boolean;
  maxDeleteShare?: string;
  prefer?: string;
}

export function registerSync(program: Command, ctx: CommandContext): void {
  const cmd = program.command("sync")
    .description(
      "import what is new, then bring every metadata change on either side to the other; mark deleted assets",
    )
    .option(
      "--prefer <side>",
      "settle a field changed on both sides: photos, immich, newer, or ask (kept for review --resolve)",
      "ask",
    )
    .option(
      "--propagate-deletions",
      "move assets deleted on one side to the other side's trash (recoverable)",
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
    const prefer = preferOf(flags.prefer);
    const session = await openRunSession(ctx, command, flags.dryRun ?? false);
    try {
      const summary = await engineRun(
        session,
        ctx.output,
        { ...flags, command: "sync" },
        (options) =>
          syncAssets({
            ...options,
            prefer,
            propagateDeletions: flags.propagateDeletions,
            maxDeleteShare: share,
          }),
      );
      printSyncSummary(ctx.output, summary, flags);
      // A refusal (an empty listing, too many deletions) is not a success, as in `cleanup`.
      if (summary.import.failed > 0 || summary.updateFailed > 0 || summary.refused) throw new ExitCode(1);
    } finally {
      await session.close();
    }
  });
}

function preferOf(value: string | undefined): Prefer {
  const prefer = (value ?? "ask") as Prefer;
  if (!PREFER_CHOICES.includes(prefer)) {
    throw new ConfigError(`--prefer must be one of ${PREFER_CHOICES.join(", ")}, got ${value}`);
  }
  return prefer;
}

/** `favorite 2, caption 1`: the fields that moved one way, most first. */
function fieldList(counts: DirectionCounts): string {
  const entries = Object.entries(counts.fields).sort((a, b) => b[1]! - a[1]!);
  return entries.length ? ` (${entries.map(([f, n]) => `${f} ${n}`).join(", ")})` : "";
}

function printSyncSummary(output: Output, s: SyncSummary, flags: SyncFlags): void {
  if (flags.json) {
    output.out(JSON.stringify({ type: "sync", ...s }));
    return;
  }
  if (s.unlisted) {
    output.out(
      "nothing changed in Photos or at the destination since the last sync (both change histories say " +
        "so); the library was not listed",
    );
  } else printRunSummary(output, s.import, flags);
  const would = flags.dryRun ? "would be " : "";
  output.out(
    `to the destination: ${s.toRemote.assets} assets ${would}updated${fieldList(s.toRemote)}`,
  );
  // Only what was written is "updated"; the direct reader never writes, it queues.
  const queued = s.queuedIntoPhotos > 0 ? `, ${s.queuedIntoPhotos} ${would}queued` : "";
  output.out(
    `into Photos: ${s.toPhotos.assets - s.queuedIntoPhotos} assets ${would}updated${queued}${
      fieldList(s.toPhotos)
    }`,
  );
  if (s.updateFailed > 0) {
    output.out(`${s.updateFailed} metadata writes failed (named above); the next sync tries them again`);
  }
  if (s.pendingWritten > 0) output.out(`${s.pendingWritten} waiting changes ${would}written into Photos`);
  if (s.pending > 0) {
    output.out(
      `${s.pending} assets have changes waiting to be written into Photos (a sync with --source photokit on the Mac writes them)`,
    );
  }
  if (s.conflicts > 0) {
    output.out(
      `${s.conflicts} assets changed on both sides: see photos-sync review --conflicts, settle with --resolve`,
    );
  }
  if (s.albumsRenamed > 0) output.out(`${s.albumsRenamed} albums ${would}renamed at the destination`);
  if (s.albumsGone > 0) {
    output.out(
      s.albumsRemoved > 0
        ? `${s.albumsRemoved} albums deleted in Photos ${would}deleted at the destination (their assets stay)`
        : `${s.albumsGone} albums deleted in Photos are kept, empty, at the destination (--propagate-deletions deletes them)`,
    );
  }
  if (s.unsupported > 0) output.out(`${s.unsupported} changes not pushed: the destination cannot store them`);
  output.out(`${s.gone} assets ${would}marked gone from the source (kept at the destination)`);
  if (s.removed > 0) output.out(`${s.removed} assets ${would}moved to the destination's trash`);
  if (s.deletedRemotely > 0) {
    output.out(
      `${s.deletedRemotely} assets deleted at the destination, not sent again` +
        (s.deletedInPhotos > 0 ? `; ${s.deletedInPhotos} ${would}moved to Photos' Recently Deleted` : ""),
    );
  }
  if (s.refused) output.out(`sync refused: ${s.refused}`);
}
