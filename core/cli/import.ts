/**
 * `photos-sync import`: copies what is new in the source to the destination.
 * @module
 */
import type { Command } from "commander";
import { join } from "node:path";
import { importAssets, type RunEvent, type RunSummary } from "../engine/import_run.ts";
import { SidecarStore } from "../engine/sidecar_store.ts";
import { ConfigError } from "../plugin/errors.ts";
import { addCoreFlags, addPluginFlags, flagValues } from "./flags.ts";
import { type CommandContext, ExitCode } from "./mod.ts";
import { formatBytes, type Output } from "./output.ts";
import { Session } from "./session.ts";

export interface ImportCommandOptions {
  dryRun?: boolean;
  includeCloud?: boolean;
  limit?: string;
  json?: boolean;
}

export function registerImport(program: Command, ctx: CommandContext): void {
  const cmd = program.command("import")
    .description("copy every asset that is new in the source to the destination (newest first)")
    .option("--dry-run", "show what would be imported; change nothing anywhere")
    .option("--include-cloud", "allow downloading originals that are only in iCloud")
    .option("--limit <n>", "import at most N assets")
    .option("--json", "one JSON event per line on stdout, then the summary");
  addCoreFlags(cmd, ["source", "library", "to", "concurrency", "edited", "bursts", "hidden-visibility"]);
  addPluginFlags(cmd, ctx.deps.plugins.filter((p) => p.kind !== "handler"));
  cmd.action(async (opts: ImportCommandOptions, command: Command) => {
    const session = await Session.open({
      plugins: ctx.deps.plugins,
      output: ctx.output,
      flags: flagValues(command),
      env: ctx.deps.env,
      command: "import",
      lock: true,
      dryRun: opts.dryRun,
      verbose: command.optsWithGlobals().verbose,
    });
    ctx.setRedactor(session.config.redactor);
    try {
      const summary = await runImport(session, ctx.output, opts);
      if (summary.failed > 0) throw new ExitCode(1);
    } finally {
      await session.close();
    }
  });
}

function positiveInt(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number, got ${value}`);
  return n;
}

/** Runs one import in an open session, reporting on `output`; records the run in the tracker. */
export async function runImport(
  session: Session,
  output: Output,
  opts: ImportCommandOptions,
): Promise<RunSummary> {
  const limit = opts.limit === undefined ? 0 : positiveInt(opts.limit, "--limit");
  const concurrency = positiveInt(session.config.core.concurrency, "--concurrency") || 1;
  // The destination first: a wrong URL or API key should stop the run before the library is read.
  const destination = await session.openDestination();
  const source = await session.openSource();
  if (!opts.json) output.err(`${opts.dryRun ? "dry run: " : ""}importing into ${destination.description}`);
  const runId = session.tracker.startRun("import", session.dryRun);
  const progress = new Progress(output, opts.json ?? false, (p) => session.tracker.runProgress(runId, p));
  const onSignal = () => session.abort.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onSignal);
  let summary: RunSummary | undefined;
  try {
    summary = await importAssets({
      sourceId: source.session.key,
      source: source.session,
      destinationId: destination.session.key,
      destination: destination.session,
      capabilities: destination.capabilities,
      handlers: session.handlers(),
      policy: session.policy(),
      sidecars: new SidecarStore(join(session.config.home, "sidecars")),
      tracker: session.tracker,
      tempRoot: session.tempRoot,
      dryRun: session.dryRun,
      concurrency,
      limit,
      allowNetwork: opts.includeCloud ?? false,
      signal: session.abort.signal,
      onEvent: (e) => progress.event(e),
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    progress.flush();
    const status = session.abort.signal.aborted
      ? "interrupted"
      : !summary
      ? "failed"
      : summary.failed
      ? "failed"
      : "succeeded";
    session.tracker.finishRun(runId, status, summary ?? null);
  }
  printSummary(output, summary, opts);
  return summary;
}

function printSummary(output: Output, s: RunSummary, opts: ImportCommandOptions): void {
  if (opts.json) {
    output.out(JSON.stringify({ type: "summary", ...s }));
    return;
  }
  const skipped = Object.entries(s.skipped).filter(([, n]) => n > 0).map(([r, n]) => `${n} ${r}`).join(", ");
  if (opts.dryRun) {
    output.out(`dry run: would import ${s.wouldImport} of ${s.listed} assets; nothing was changed`);
  } else {
    output.out(
      `imported ${s.imported}, already there ${s.duplicates}, failed ${s.failed} ` +
        `(${formatBytes(s.bytes)} in ${(s.durationMs / 1000).toFixed(1)} s)`,
    );
  }
  if (skipped) output.out(`skipped: ${skipped}`);
  if (s.failed > 0) output.out(`${s.failed} assets failed; see them with: photos-sync review`);
}

/** Live progress: a status line on a terminal, JSON lines with --json, the tracker every second. */
class Progress {
  #done = 0;
  #failed = 0;
  #bytes = 0;
  #skipped = 0;
  #lastWrite = 0;
  readonly #started = Date.now();

  constructor(
    readonly output: Output,
    readonly json: boolean,
    readonly store: (p: Record<string, number>) => void,
  ) {}

  event(e: RunEvent): void {
    if (this.json) this.output.out(JSON.stringify(e));
    if (e.type === "skip") this.#skipped++;
    else if (e.type === "asset") {
      this.#done++;
      if (e.outcome === "failed") {
        this.#failed++;
        if (!this.json) this.output.err(`failed ${e.filename} (${e.assetId}): ${e.error}`);
      }
      if ("bytes" in e) this.#bytes += e.bytes;
    } else if (e.type === "warning" && !this.json) this.output.err(`warning: ${e.message}`);
    const now = Date.now();
    if (now - this.#lastWrite > 1000) this.flush();
    else if (!this.json && now - this.#lastWrite > 100) this.#render();
  }

  #snapshot() {
    return { done: this.#done, failed: this.#failed, skipped: this.#skipped, bytes: this.#bytes };
  }

  #render(): void {
    const seconds = (Date.now() - this.#started) / 1000;
    const rate = seconds > 0 ? this.#bytes / seconds : 0;
    this.output.status(
      `${this.#done} done, ${this.#failed} failed, ${this.#skipped} unchanged · ${
        formatBytes(this.#bytes)
      } · ` +
        `${formatBytes(rate)}/s`,
    );
  }

  flush(): void {
    this.#lastWrite = Date.now();
    this.store(this.#snapshot());
    if (!this.json) this.#render();
  }
}
