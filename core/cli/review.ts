/**
 * `photos-sync review`: failed and skipped assets grouped by reason, with counts and examples;
 * `--export` writes them all to a file, `--retry` imports them again, `--delete` moves the ones that
 * cannot ever succeed to Photos' Recently Deleted, in one batch, after showing the list.
 * @module
 */
import { type ConflictFlags, reviewConflicts } from "./review_conflicts.ts";
import { remembered } from "../tracker/identity.ts";
import { SyncStore } from "../tracker/sync_state.ts";
import { SOURCE_KEY } from "./remembered.ts";
import type { Command } from "./parser.ts";
import { importAssets } from "../engine/import_run.ts";
import { ConfigError } from "../plugin/errors.ts";
import { groupProblems, type ProblemExample } from "../server/problems.ts";
import type { ProblemRow } from "../tracker/mod.ts";
import { type CommandContext, ExitCode } from "./command_context.ts";
import {
  addRunFlags,
  engineRun,
  openRunSession,
  printRunSummary,
  type RunFlags,
  wholeNumber,
} from "./run.ts";
import type { Session } from "./session.ts";

interface ReviewFlags extends RunFlags, ConflictFlags {
  failedOnly?: boolean;
  skippedOnly?: boolean;
  export?: string;
  retry?: boolean;
  delete?: boolean;
  yes?: boolean;
}

/** A group as `review` prints it; the class shows the status when none was recorded. */
export interface ReviewGroup {
  reason: string;
  errorClass: string;
  count: number;
  examples: ProblemExample[];
}

/** The problems of one destination, through the grouping `serve` uses too. */
export function reviewGroups(destination: string, rows: readonly ProblemRow[]): ReviewGroup[] {
  return groupProblems(rows.map((r) => ({ ...r, destination }))).map((g) => ({
    reason: g.reason,
    errorClass: g.errorClass ?? g.status,
    count: g.count,
    examples: g.examples,
  }));
}

function csvField(value: unknown): string {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

async function exportProblems(path: string, rows: ProblemRow[]): Promise<void> {
  if (path.endsWith(".json")) {
    await Deno.writeTextFile(path, JSON.stringify(rows, null, 2) + "\n");
    return;
  }
  const header = [
    "assetId",
    "filename",
    "mediaKind",
    "status",
    "errorClass",
    "errorMessage",
    "attempts",
    "lastAttemptAt",
  ];
  const lines = rows.map((r) => header.map((h) => csvField(r[h as keyof ProblemRow])).join(","));
  await Deno.writeTextFile(path, [header.join(","), ...lines].join("\n") + "\n");
}

export function registerReview(program: Command, ctx: CommandContext): void {
  const cmd = program.command("review")
    .description("failed and skipped assets grouped by reason; export, retry or delete them")
    .option("--failed-only", "only failed assets")
    .option("--skipped-only", "only skipped assets")
    .option("--export <file>", "write every problem to FILE (.csv, or .json)")
    .option("--retry", "import the problem assets again, permanent failures included")
    .option("--delete", "move assets that can never succeed (permanent problems) to Photos' Recently Deleted")
    .option("--yes", "confirm --delete without asking")
    .option("--conflicts", "list the fields sync found changed on both sides")
    .option("--resolve <side>", "settle those conflicts for photos or immich; the next sync applies them")
    .option("--asset <id>", "with --conflicts or --resolve: only this asset")
    .option("--field <name>", "with --conflicts or --resolve: only this field (caption, favorite, ...)");
  addRunFlags(cmd, ctx).action(async (flags: ReviewFlags, command: Command) => {
    if (flags.failedOnly && flags.skippedOnly) {
      throw new ConfigError("--failed-only and --skipped-only exclude each other");
    }
    if (flags.retry && flags.delete) throw new ConfigError("--retry and --delete exclude each other");
    const session = await openRunSession(ctx, command, flags.dryRun ?? false);
    try {
      await review(session, ctx, flags);
    } finally {
      await session.close();
    }
  });
}

async function review(session: Session, ctx: CommandContext, flags: ReviewFlags): Promise<void> {
  const { output } = ctx;
  // Listing problems reads only the tracker: the destination is opened only when it is not the
  // one the last import used (its key is not known without it).
  const key = session.rememberedDestinationKey() ?? (await session.openDestination()).session.key;
  if (flags.conflicts || flags.resolve !== undefined) {
    const source = remembered(session.tracker)[SOURCE_KEY] ?? (await session.openSource()).session.key;
    return reviewConflicts(new SyncStore(session.tracker), { source, destination: key }, output, flags);
  }
  let rows = session.tracker.problems(key);
  if (flags.failedOnly) rows = rows.filter((r) => r.status === "failed");
  if (flags.skippedOnly) rows = rows.filter((r) => r.status === "skipped");
  if (flags.limit !== undefined) rows = rows.slice(0, wholeNumber(flags.limit, "--limit"));
  const groups = reviewGroups(key, rows);

  if (flags.export) {
    await exportProblems(flags.export, rows);
    output.err(`wrote ${rows.length} problems to ${flags.export}`);
  }
  if (flags.json && !flags.retry) {
    output.out(JSON.stringify({ destination: key, total: rows.length, groups }));
  } else if (!flags.retry) {
    if (rows.length === 0) output.out("no problems");
    for (const g of groups) {
      output.out(`${g.count} × ${g.errorClass}: ${g.reason}`);
      for (const e of g.examples) output.out(`    ${e.filename} (${e.assetId})`);
    }
  }

  if (flags.retry && rows.length > 0) {
    const only = new Set(rows.map((r) => r.assetId));
    const summary = await engineRun(
      session,
      output,
      { ...flags, limit: undefined, command: "review --retry", only, retryPermanent: true },
      importAssets,
    );
    printRunSummary(output, summary, flags);
    if (summary.failed > 0) throw new ExitCode(1);
  }

  if (flags.delete) await deleteUnrecoverable(session, ctx, flags, rows);
}

/** Only permanent problems qualify: a transient failure may still succeed, and deleting is final. */
async function deleteUnrecoverable(
  session: Session,
  ctx: CommandContext,
  flags: ReviewFlags,
  rows: ProblemRow[],
) {
  const { output } = ctx;
  const candidates = rows.filter((r) => r.errorClass === "permanent");
  if (candidates.length === 0) {
    output.out("nothing to delete: no asset has a permanent problem");
    return;
  }
  const source = await session.openSource();
  if (!source.plugin.capabilities.includes("delete")) {
    throw new ConfigError(`${source.id} cannot delete assets; delete them in Photos (the list is above)`);
  }
  output.out(`these ${candidates.length} assets would be moved to Photos' Recently Deleted:`);
  for (const r of candidates) output.out(`    ${r.filename} (${r.assetId}): ${r.errorMessage ?? ""}`);
  if (flags.dryRun) {
    output.out("dry run: nothing was deleted");
    return;
  }
  if (
    !flags.yes &&
    !(await confirm(`Move these ${candidates.length} assets to Recently Deleted? Type "delete": `))
  ) {
    output.out("nothing was deleted");
    throw new ExitCode(flags.yes === undefined && !Deno.stdin.isTerminal() ? 2 : 0);
  }
  const result = await source.session.delete!(candidates.map((r) => r.assetId));
  session.tracker.markGone(source.session.key, result.deleted);
  output.out(`moved ${result.deleted.length} assets to Recently Deleted`);
  if (result.notFound.length > 0) {
    output.out(`${result.notFound.length} were not found in the library any more`);
  }
}

async function confirm(question: string): Promise<boolean> {
  if (!Deno.stdin.isTerminal()) return false;
  await Deno.stderr.write(new TextEncoder().encode(question));
  const buf = new Uint8Array(64);
  const n = await Deno.stdin.read(buf);
  return n !== null && new TextDecoder().decode(buf.subarray(0, n)).trim() === "delete";
}
