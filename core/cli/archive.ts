/**
 * `photos-sync archive`: marks assets archived once the destination verifiably holds them whole,
 * and with `--remove-from-photos` moves those verified in the same run to Photos' Recently Deleted
 * (PhotoKit), after a confirmation and within a share of the library. `--dry-run` lists what would
 * be archived, with sizes, and changes nothing.
 * @module
 */
import type { Command } from "./parser.ts";
import { join } from "node:path";
import { archiveAssets, type ArchiveSelection, type ArchiveSummary } from "../engine/archive.ts";
import { parseQuery } from "../engine/archive_query.ts";
import { SidecarStore } from "../engine/sidecar_store.ts";
import { ConfigError } from "../plugin/errors.ts";
import { type CommandContext, ExitCode } from "./command_context.ts";
import { addCoreFlags, addPluginFlags } from "./flags.ts";
import { formatBytes, type Output } from "./output.ts";
import { addColdFlags, type ColdFlags, runCold } from "./archive_cold.ts";
import { openRunSession } from "./run.ts";
import type { Session } from "./session.ts";

interface ArchiveFlags extends ColdFlags {
  uuid?: string[];
  album?: string;
  before?: string;
  largerThan?: string;
  query?: string;
  removeFromPhotos?: boolean;
  yes?: boolean;
  maxShare: string;
  dryRun?: boolean;
  json?: boolean;
}

export function registerArchive(program: Command, ctx: CommandContext): void {
  const cmd = program.command("archive")
    .description(
      "mark assets archived once the destination verifiably holds them whole; optionally free them from Photos",
    )
    .option("--uuid <id...>", "these assets (Photos ids)")
    .option("--album <name>", "the assets of this album")
    .option("--before <date>", "assets captured before this date (YYYY-MM-DD or an ISO time)")
    .option("--larger-than <size>", "assets whose files together are larger than this (e.g. 20MB, 1.5GB)")
    .option(
      "--query <expr>",
      "assets matching this expression over the tracker's facts, e.g. 'kind = video and size > 100MB and album = \"Trips\"' (see docs/commands.md)",
    )
    .option("--remove-from-photos", "move the verified assets to Photos' Recently Deleted (PhotoKit)")
    .option("--yes", "confirm --remove-from-photos without asking")
    .option("--max-share <fraction>", "refuse to remove more than this share of the library", "0.05")
    .option("--dry-run", "list what would be archived, with sizes; change nothing")
    .option("--json", "one JSON event per line, then the summary");
  addColdFlags(cmd);
  addCoreFlags(cmd, ["source", "library", "to"]);
  addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind !== "handler"), {
    choice: ctx.chosen,
    roles: ["source", "to"],
  });
  cmd.action(async (flags: ArchiveFlags, command: Command) => {
    const select = selectionOf(flags);
    const maxShare = Number(flags.maxShare);
    if (!(maxShare >= 0 && maxShare <= 1)) {
      throw new ConfigError(`--max-share must be between 0 and 1, got ${flags.maxShare}`);
    }
    const session = await openRunSession(ctx, command, flags.dryRun ?? false);
    try {
      const archived: string[] = [];
      const summary = await run(session, ctx.output, flags, select, maxShare, archived);
      printSummary(ctx.output, summary, flags);
      const confirm = (assets: Parameters<typeof confirmRemoval>[1], where: string) =>
        confirmRemoval(ctx.output, assets, flags.yes ?? false, where);
      const cold = flags.cold
        ? await runCold(session, ctx.output, flags, { archived, maxShare, confirm })
        : undefined;
      if (summary.refused.length > 0 || summary.removalRefused) throw new ExitCode(1);
      if (cold && (cold.refused.length > 0 || cold.removalRefused)) throw new ExitCode(1);
    } finally {
      await session.close();
    }
  });
}

async function run(
  session: Session,
  output: Output,
  flags: ArchiveFlags,
  select: ArchiveSelection,
  maxShare: number,
  /** Told the id of every asset verified in this run (for `--cold`). */
  archived: string[],
): Promise<ArchiveSummary> {
  const destination = await session.openDestination();
  const source = await session.openSource();
  const runId = session.tracker.startRun("archive", session.dryRun);
  let summary: ArchiveSummary | undefined;
  try {
    summary = await archiveAssets({
      sourceId: source.session.key,
      source: source.session,
      destinationId: destination.session.key,
      destination: destination.session,
      tracker: session.tracker,
      handlers: session.handlers(),
      policy: session.policy(),
      sidecars: new SidecarStore(join(session.config.home, "sidecars")),
      select,
      dryRun: session.dryRun,
      removeFromSource: flags.removeFromPhotos ?? false,
      maxShare,
      confirm: (assets) => confirmRemoval(output, assets, flags.yes ?? false),
      signal: session.abort.signal,
      onEvent: (e) => {
        if (e.type === "archived") archived.push(e.assetId);
        if (flags.json) output.out(JSON.stringify(e));
        else if (e.type === "refused") output.out(`not archived: ${e.filename} (${e.assetId}): ${e.reason}`);
        else if (e.type === "archived") {
          // An asset archived by an earlier run is verified again, not archived twice: said so.
          const what = e.again
            ? (flags.dryRun ? "would verify again (archived before)" : "verified again (archived before)")
            : (flags.dryRun ? "would archive" : "archived");
          output.out(`${what} ${e.filename} (${formatBytes(e.bytes)})`);
        }
      },
    });
  } finally {
    const status = session.abort.signal.aborted ? "interrupted" : summary ? "succeeded" : "failed";
    session.tracker.finishRun(runId, status, { ...summary, hooks: session.timings.read() });
  }
  return summary;
}

/** The selection from the flags; at least one criterion, so a bare `archive` never takes everything. */
function selectionOf(flags: ArchiveFlags): ArchiveSelection {
  const select: ArchiveSelection = {};
  if (flags.uuid?.length) select.ids = new Set(flags.uuid);
  if (flags.album) select.album = flags.album;
  if (flags.before) {
    const t = Date.parse(flags.before);
    if (Number.isNaN(t)) {
      throw new ConfigError(`--before must be a date such as 2019-12-31, got ${flags.before}`);
    }
    select.before = new Date(t).toISOString();
  }
  if (flags.largerThan) select.largerThan = bytesOf(flags.largerThan);
  if (flags.query !== undefined) select.query = parseQuery(flags.query);
  if (Object.keys(select).length === 0) {
    throw new ConfigError("say which assets to archive: --uuid, --album, --before, --larger-than or --query");
  }
  return select;
}

const UNITS: Record<string, number> = { "": 1, B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12 };

/** `20MB`, `1.5GB`, `4096`: bytes (decimal units, as Photos and Finder show sizes). */
export function bytesOf(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?B?)\s*$/i.exec(text);
  const unit = m ? UNITS[m[2].toUpperCase()] : undefined;
  if (!m || unit === undefined) {
    throw new ConfigError(`--larger-than must be a size such as 20MB, got ${text}`);
  }
  return Math.round(Number(m[1]) * unit);
}

async function confirmRemoval(
  output: Output,
  assets: { assetId: string; filename: string; bytes: number }[],
  yes: boolean,
  where = "Photos' Recently Deleted",
): Promise<boolean> {
  const total = assets.reduce((n, a) => n + a.bytes, 0);
  output.err(`${assets.length} verified assets (${formatBytes(total)}) would move to ${where}`);
  if (yes) return true;
  if (!Deno.stdin.isTerminal()) {
    output.err("not removed: run again with --yes to confirm (no terminal to ask)");
    return false;
  }
  output.err('Type "remove" to confirm: ');
  const buf = new Uint8Array(64);
  const n = await Deno.stdin.read(buf);
  return n !== null && new TextDecoder().decode(buf.subarray(0, n)).trim() === "remove";
}

function printSummary(output: Output, s: ArchiveSummary, flags: ArchiveFlags): void {
  if (flags.json) {
    output.out(JSON.stringify({ type: "summary", ...s }));
    return;
  }
  const would = flags.dryRun ? "would be " : "";
  output.out(
    `${s.archived} of ${s.selected} selected assets ${would}archived (${formatBytes(s.bytes)}); ` +
      `${s.refused.length} not held whole by the destination`,
  );
  if (s.removed > 0) output.out(`${s.removed} moved to Photos' Recently Deleted`);
  if (s.removalRefused) output.out(`not removed from Photos: ${s.removalRefused}`);
  if (flags.dryRun) output.out("dry run: nothing was changed");
}
