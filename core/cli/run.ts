/**
 * What `import`, `sync` and the commands that re-import share: the run flags, opening the source and
 * destination, the run record, live progress, and the summary (signals: see `stop_signals.ts`).
 * @module
 */
import type { Command } from "./parser.ts";
import type { ImportOptions, RunEvent, RunSummary } from "../engine/import_run.ts";
import { SidecarStore } from "../engine/sidecar_store.ts";
import { checkDestinationHolds } from "../engine/presence_guard.ts";
import { subjectOf } from "../engine/wrap.ts";
import { joinPath } from "../model/path.ts";
import { ConfigError, messageOf } from "../plugin/errors.ts";
import { readableTime, runClock } from "./clock.ts";
import { addCoreFlags, addPluginFlags, countFlag, flagValues } from "./flags.ts";
import type { CommandContext } from "./command_context.ts";
import { formatBytes, type Output } from "./output.ts";
import { Session } from "./session.ts";

export interface RunFlags {
  dryRun?: boolean;
  includeCloud?: boolean;
  skipLocalCheck?: boolean;
  limit?: string;
  delay?: string;
  json?: boolean;
}

/** Adds the flags every engine run understands, plus source and destination options. */
export function addRunFlags(cmd: Command, ctx: CommandContext): Command {
  cmd
    .option("--dry-run", "show what would happen; change nothing anywhere")
    .option("--include-cloud", "allow downloading originals that are only in iCloud")
    .option(
      "--skip-local-check",
      "do not route by the source's iCloud facts; iCloud-only assets fail fast at export",
    )
    .option("--limit <n>", "process at most N assets with work to do", countFlag(1))
    .option(
      "--delay <seconds>",
      "pause between the starts of two iCloud downloads (local work is never paced)",
      "2",
    )
    .option("--json", "one JSON event per line on stdout, then the summary");
  addCoreFlags(cmd, ["source", "library", "to", "concurrency", "edited", "bursts", "hidden-visibility"]);
  return addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind !== "handler"), {
    choice: ctx.chosen,
    roles: ["source", "to"],
  });
}

/** Opens a locked session for a command that writes. */
export async function openRunSession(
  ctx: CommandContext,
  command: Command,
  dryRun: boolean,
  /** Values the command sets itself, as if given as flags (e.g. `unarchive` reads from Immich). */
  fixed: Record<string, string> = {},
): Promise<Session> {
  const session = await Session.open({
    plugins: ctx.deps.plugins,
    output: ctx.output,
    flags: { ...flagValues(command), ...fixed },
    env: ctx.deps.env,
    command: command.name(),
    lock: true,
    dryRun,
    verbose: command.optsWithGlobals<{ verbose?: boolean }>().verbose,
    stops: ctx.stops,
  });
  ctx.setRedactor(session.config.redactor);
  return session;
}

export function wholeNumber(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number, got ${value}`);
  return n;
}

/**
 * Opens the destination (first: a wrong URL or key stops the run before the library is read) and the
 * source, records a run, shows progress, and calls `fn` with the engine options.
 */
export async function engineRun<T extends { failed: number } | { import: RunSummary }>(
  session: Session,
  output: Output,
  flags: RunFlags & { command: string; only?: Set<string>; retryPermanent?: boolean },
  fn: (options: ImportOptions) => Promise<T>,
): Promise<T> {
  const limit = flags.limit === undefined ? 0 : wholeNumber(flags.limit, "--limit");
  const delay = Number(flags.delay ?? 2);
  if (!Number.isFinite(delay) || delay < 0) {
    throw new ConfigError(`--delay must be seconds, got ${flags.delay}`);
  }
  const concurrency = wholeNumber(session.config.core.concurrency, "--concurrency") || 1;
  const now = runClock(session.config.layers.env);
  const destination = await session.openDestination();
  const source = await session.openSource();
  await checkDestinationHolds(session.tracker, destination.session);
  await session.rememberPointing();
  if (!flags.json) {
    output.err(`${flags.dryRun ? "dry run: " : ""}${flags.command} into ${destination.description}`);
  }
  const runId = session.tracker.startRun(flags.command, session.dryRun);
  const progress = new Progress(output, flags.json ?? false, (p) => session.tracker.runProgress(runId, p));
  session.onRetry = ({ args, attempt, delayMs, error }) =>
    progress.event({
      type: "retry",
      assetId: subjectOf(args) ?? "",
      attempt,
      delayMs,
      error: messageOf(error),
    });
  let result: T | undefined;
  try {
    result = await fn({
      sourceId: source.session.key,
      source: source.session,
      destinationId: destination.session.key,
      destination: destination.session,
      handlers: session.handlers(),
      policy: session.policy(),
      sidecars: new SidecarStore(joinPath(session.config.home, "sidecars")),
      tracker: session.tracker,
      tempRoot: session.tempRoot,
      dryRun: session.dryRun,
      concurrency,
      limit,
      allowNetwork: flags.includeCloud ?? false,
      trustLocalFacts: !flags.skipLocalCheck,
      delaySeconds: delay,
      only: flags.only,
      retryPermanent: flags.retryPermanent,
      sourceFields: source.plugin.fields,
      now,
      signal: session.abort.signal,
      onEvent: (e) => progress.event(e),
    });
  } finally {
    progress.flush();
    output.status("");
    // A refused sync is recorded as failed, as a refused cleanup is.
    const refused = result && "refused" in result && result.refused ? 1 : 0;
    const failed = result ? ("import" in result ? result.import.failed : result.failed) + refused : 1;
    const status = session.abort.signal.aborted
      ? "interrupted"
      : !result || failed > 0
      ? "failed"
      : "succeeded";
    // Calls and time per plugin hook travel with the run, for serve's metrics.
    session.tracker.finishRun(runId, status, { ...result, hooks: session.timings.read() });
  }
  // Stopped by a signal: the run is recorded; no summary, the command ends with the interruption.
  session.abort.signal.throwIfAborted();
  return result;
}

/** The import summary, as text or as one JSON object. */
export function printRunSummary(output: Output, s: RunSummary, flags: RunFlags): void {
  if (flags.json) {
    output.out(JSON.stringify({ type: "summary", ...s }));
    return;
  }
  const skipped = Object.entries(s.skipped).filter(([, n]) => n > 0).map(([r, n]) => `${n} ${r}`).join(", ");
  if (flags.dryRun) {
    output.out(`dry run: would import ${s.wouldImport} of ${s.listed} assets; nothing was changed`);
  } else {
    output.out(
      `imported ${s.imported}, already there ${s.duplicates}, failed ${s.failed} ` +
        `(${formatBytes(s.bytes)} in ${(s.durationMs / 1000).toFixed(1)} s)`,
    );
  }
  if (skipped) output.out(`skipped: ${skipped}`);
  if (s.retryLater) output.out(retryLaterLine(s.retryLater));
  if (s.skipped.cloud > 0) {
    output.out(`${s.skipped.cloud} assets are only in iCloud; add --include-cloud to download them`);
  }
  if (s.failed > 0) output.out(`${s.failed} assets failed; see them with: photos-sync review`);
}

/** How many assets wait out a back-off after a transient failure, until when, and how not to wait. */
function retryLaterLine(later: NonNullable<RunSummary["retryLater"]>): string {
  const first = readableTime(later.earliest);
  const last = readableTime(later.latest);
  const when = first === last ? `until ${first}` : `until ${first} (the last until ${last})`;
  return `${later.assets} assets wait after a transient failure ${when}; ` +
    `a later import or sync retries them then; to retry them now: photos-sync review --retry`;
}

/** `3725` -> `1h 2m`, `95` -> `1m 35s`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/** What a run stores as its live progress (read by `serve` from another process). */
export interface ProgressSnapshot {
  total: number | null;
  done: number;
  failed: number;
  skipped: number;
  bytes: number;
  bytesPerSecond: number;
  etaSeconds: number | null;
}

/** Live progress: a status line on a terminal, JSON lines with --json, the tracker every second. */
export class Progress {
  #total: number | null = null;
  #done = 0;
  #failed = 0;
  #bytes = 0;
  #skipped = 0;
  #lastWrite = 0;
  // Uploads start while the library is still listed, so the pace counts from here, not from `start`.
  readonly #workStarted: number;

  constructor(
    readonly output: Output,
    readonly json: boolean,
    readonly store: (p: ProgressSnapshot) => void,
    readonly now: () => number = Date.now,
  ) {
    this.#workStarted = now();
  }

  event(e: RunEvent): void {
    if (this.json) this.output.out(JSON.stringify(e));
    if (e.type === "start") this.#total = e.total;
    else if (e.type === "skip") this.#skipped++;
    else if (e.type === "asset") {
      this.#done++;
      if (e.outcome === "failed") {
        this.#failed++;
        if (!this.json) this.output.err(`failed ${e.filename} (${e.assetId}): ${e.error}`);
      }
      if ("bytes" in e) this.#bytes += e.bytes;
    } else if (e.type === "warning" && !this.json) this.output.err(`warning: ${e.message}`);
    const now = this.now();
    if (now - this.#lastWrite > 1000) this.flush();
    else if (!this.json && now - this.#lastWrite > 100) this.#render();
  }

  snapshot(): ProgressSnapshot {
    const seconds = Math.max(0.001, (this.now() - this.#workStarted) / 1000);
    const left = this.#total === null ? null : Math.max(0, this.#total - this.#done);
    return {
      total: this.#total,
      done: this.#done,
      failed: this.#failed,
      skipped: this.#skipped,
      bytes: this.#bytes,
      bytesPerSecond: Math.round(this.#bytes / seconds),
      // Assets vary in size far more than in count, so the ETA follows the asset rate.
      etaSeconds: left === null || this.#done === 0 ? null : Math.round((left * seconds) / this.#done),
    };
  }

  #render(): void {
    const p = this.snapshot();
    const count = p.total === null
      ? `${p.done} done · listing… ${p.skipped} unchanged`
      : `${p.done}/${p.total}`;
    const eta = p.etaSeconds === null ? "" : ` · ETA ${formatDuration(p.etaSeconds)}`;
    const failed = p.failed ? ` · ${p.failed} failed` : "";
    this.output.status(
      `${count}${failed} · ${formatBytes(p.bytes)} · ${formatBytes(p.bytesPerSecond)}/s${eta}`,
    );
  }

  flush(): void {
    this.#lastWrite = this.now();
    this.store(this.snapshot());
    if (!this.json) this.#render();
  }
}
