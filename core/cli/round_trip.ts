/**
 * `photos-sync unarchive` and `photos-sync pull`: assets in Immich brought into Photos (through
 * PhotoKit, on the Mac) or `--into-folder DIR`, laid out so that Photos' own import rebuilds them.
 * `unarchive` brings back archived assets; `pull` what reached Immich from elsewhere (another phone,
 * a camera import) and never came from this library. Both are imports from `source.immich`, and
 * record what they brought so that nothing is sent back to Immich or brought twice.
 * @module
 */
import type { Command } from "./parser.ts";
import type { Asset } from "../model/asset.ts";
import { join } from "node:path";
import type { ColdRestoreSummary } from "../engine/cold_restore.ts";
import { bringBack, type BringBackSummary } from "../engine/round_trip.ts";
import { SidecarStore } from "../engine/sidecar_store.ts";
import { archivedFiles, archivedSource } from "../engine/unarchive_source.ts";
import { ConfigError } from "../plugin/errors.ts";
import { ArchiveStore } from "../tracker/archive_state.ts";
import { remembered } from "../tracker/identity.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { type CommandContext, ExitCode } from "./command_context.ts";
import { addCoreFlags, addPluginFlags } from "./flags.ts";
import type { Output } from "./output.ts";
import { DESTINATION_KEY, SOURCE_KEY } from "./remembered.ts";
import { openRunSession } from "./run.ts";
import { addColdUnarchiveFlags, type ColdBackFlags, unarchiveCold } from "./unarchive_cold.ts";
import type { Session } from "./session.ts";

interface BackFlags extends Partial<ColdBackFlags> {
  to?: string;
  uuid?: string[];
  album?: string;
  all?: boolean;
  intoFolder?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerUnarchive(program: Command, ctx: CommandContext): void {
  const cmd = program.command("unarchive")
    .description("bring archived assets back from Immich into Photos (PhotoKit) or --into-folder DIR")
    .option("--uuid <id...>", "these archived assets (their Photos ids)")
    .option("--album <name>", "the archived assets of this album")
    .option("--all", "every archived asset");
  addColdUnarchiveFlags(cmd);
  commonFlags(cmd, ctx).action((flags: BackFlags, command: Command) => run(ctx, command, flags, "unarchive"));
}

export function registerPull(program: Command, ctx: CommandContext): void {
  const cmd = program.command("pull")
    .description("bring what reached Immich from elsewhere into Photos (PhotoKit) or --into-folder DIR");
  commonFlags(cmd, ctx).action((flags: BackFlags, command: Command) => run(ctx, command, flags, "pull"));
}

function commonFlags(cmd: Command, ctx: CommandContext): Command {
  cmd.option(
    "--into-folder <dir>",
    "write the files to DIR, laid out for Photos' own import, instead of PhotoKit",
  )
    .option("--dry-run", "show what would be brought; change nothing")
    .option("--json", "print the result as one JSON document");
  addCoreFlags(cmd, ["library", "to"]);
  addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind !== "handler"), {
    choice: ctx.chosen,
    roles: ["to"],
  });
  return cmd;
}

async function run(ctx: CommandContext, command: Command, flags: BackFlags, mode: "unarchive" | "pull") {
  if (mode === "unarchive" && !flags.uuid?.length && !flags.album && !flags.all) {
    throw new ConfigError("say which archived assets to bring back: --uuid, --album or --all");
  }
  // Immich is read as the source; Photos (or the folder) is the destination.
  // `--to immich` only brings back what lives in the cold tier alone (see unarchive_cold.ts).
  const into: Record<string, string> = flags.intoFolder
    ? { to: "folder", "folder-path": flags.intoFolder, "folder-layout": "photos-import" }
    : { to: mode === "unarchive" && flags.to === "immich" ? "immich" : "photokit" };
  const session = await openRunSession(ctx, command, flags.dryRun ?? false, { source: "immich", ...into });
  try {
    const { summary, cold } = await bring(session, flags, mode, into.to);
    print(ctx.output, summary, flags, mode);
    if (summary.import.failed > 0 || cold.some((c) => c.refused.length > 0 || c.restoreRefused)) {
      throw new ExitCode(1);
    }
  } finally {
    await session.close();
  }
}

/** The Photos library's and Immich's tracker keys, as the last import or sync left them. */
function photosIds(session: Session): { source: string; destination: string } {
  const kept = remembered(session.tracker);
  const source = kept[SOURCE_KEY];
  const destination = kept[DESTINATION_KEY];
  if (!source || !destination) {
    throw new ConfigError("nothing was imported from this data directory yet; run photos-sync import first");
  }
  return { source, destination };
}

/**
 * The Immich id of each archived asset's original (what source.immich yields) -> its Photos id:
 * the assets `unarchive` brings back from Immich (those only in the cold tier come from there).
 */
function wantedFromImmich(
  archive: ArchiveStore,
  sync: SyncStore,
  photos: { source: string; destination: string },
  { uuids, coldOnly }: { uuids?: string[]; coldOnly: Set<string> },
): Map<string, string> {
  const wanted = new Map<string, string>();
  for (const a of archive.archived(photos).values()) {
    if ((uuids?.length && !uuids.includes(a.assetId)) || coldOnly.has(a.assetId)) continue;
    const files = sync.resources(photos, a.assetId);
    const original = files.find((f) => f.key === "original") ?? files[0];
    if (original) wanted.set(original.remoteId, a.assetId);
  }
  return wanted;
}

async function bring(
  session: Session,
  flags: BackFlags,
  mode: "unarchive" | "pull",
  into: string,
): Promise<{ summary: BringBackSummary; cold: ColdRestoreSummary[] }> {
  const photos = photosIds(session);
  // Assets that left Immich come back from the cold tier; the rest from Immich.
  const coldOnly = new Set<string>();
  const cold = mode === "unarchive" ? await fromCold(session, flags, { photos, into, coldOnly }) : [];
  const source = await session.openSource();
  const destination = await session.openDestination();
  const archive = new ArchiveStore(session.tracker);
  const sync = new SyncStore(session.tracker);
  const wanted = mode === "unarchive" && into !== "immich"
    ? wantedFromImmich(archive, sync, photos, { uuids: flags.uuid, coldOnly })
    : new Map<string, string>();
  // Every file that went from this library to Immich, edits and stacked originals included.
  const fromHere = mode === "pull" ? sync.remoteIdsAt(photos) : undefined;
  const pick = (asset: Asset) =>
    mode === "unarchive"
      ? wanted.has(asset.id) &&
        (!flags.album || asset.albums.some((al) => albumNamed(al.title, flags.album!)))
      : !fromHere!.has(asset.id);
  const runId = session.tracker.startRun(mode, session.dryRun);
  let summary: BringBackSummary | undefined;
  try {
    summary = await bringBack({
      sourceId: source.session.key,
      // An archived asset comes back with every file it was archived with, not only what Immich lists.
      source: mode === "unarchive"
        ? archivedSource(source.session, (id) => {
          const was = wanted.get(id);
          return was === undefined ? undefined : archivedFiles(session.tracker, photos, was);
        }, new SidecarStore(join(session.config.home, "sidecars")))
        : source.session,
      destinationId: destination.session.key,
      destination: destination.session,
      handlers: session.handlers(),
      policy: session.policy(),
      tracker: session.tracker,
      tempRoot: session.tempRoot,
      dryRun: session.dryRun,
      concurrency: Number(session.config.core.concurrency) || 1,
      allowNetwork: true,
      signal: session.abort.signal,
      onEvent: (e) => {
        if (e.type === "asset" && e.outcome === "failed") {
          session.options.output.err(`failed ${e.filename} (${e.assetId}): ${e.error}`);
        }
        if (e.type === "warning") session.options.output.err(`warning: ${e.message}`);
      },
      photos,
      pick,
      links: flags.intoFolder ? "none" : "photos",
      // An archived asset comes back as the very files it was archived with: each linked by key.
      immichIds: mode === "unarchive"
        ? (asset) =>
          Object.fromEntries(sync.resources(photos, wanted.get(asset.id)!).map((f) => [f.key, f.remoteId]))
        : undefined,
      onBrought: (asset, newId) => {
        const was = wanted.get(asset.id);
        if (mode === "unarchive" && was && !session.dryRun) {
          archive.markRestored(photos, was, newId ?? `folder:${flags.intoFolder}`);
        }
      },
    });
  } finally {
    const status = session.abort.signal.aborted
      ? "interrupted"
      : summary && summary.import.failed === 0
      ? "succeeded"
      : "failed";
    session.tracker.finishRun(runId, status, { ...summary, cold, hooks: session.timings.read() });
  }
  return { summary, cold };
}

function print(output: Output, s: BringBackSummary, flags: BackFlags, mode: string): void {
  if (flags.json) {
    output.out(JSON.stringify({ type: mode, ...s }));
    return;
  }
  const would = flags.dryRun ? "would be " : "";
  const where = flags.intoFolder ? `written to ${flags.intoFolder}` : "created in Photos";
  const brought = flags.dryRun ? s.import.wouldImport : s.import.imported;
  // There already: brought by an earlier run (the tracker knows) or found there by this one.
  const there = s.import.duplicates + s.import.skipped.imported;
  output.out(
    `${s.picked} assets picked; ${brought} ${would}${where}, ${there} already there, ${s.import.failed} failed`,
  );
  if (s.linked > 0) output.out(`${s.linked} linked to the Immich assets they came from (never sent back)`);
}

/** Brings back the picked assets that live only in the cold tier; adds their ids to `coldOnly`. */
function fromCold(
  session: Session,
  flags: BackFlags,
  step: { photos: { source: string; destination: string }; into: string; coldOnly: Set<string> },
): Promise<ColdRestoreSummary[]> {
  return unarchiveCold(session, session.options.output, flags as ColdBackFlags, {
    photos: step.photos,
    pick: (a) => {
      const picked = (!flags.uuid?.length || flags.uuid.includes(a.assetId)) &&
        (!flags.album || (a.asset.albums ?? []).some((al) => albumNamed(al.title, flags.album!)));
      if (picked) step.coldOnly.add(a.assetId);
      return picked;
    },
    into: flags.intoFolder ? "folder" : step.into,
  });
}

/** Immich keeps an album's folders in its name (`Trips / 2024 / Paris`): the album's own title is the last part. */
function albumNamed(immichName: string, wanted: string): boolean {
  const name = immichName.toLowerCase();
  const want = wanted.toLowerCase();
  return name === want || name.endsWith(` / ${want}`);
}
