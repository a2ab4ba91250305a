/**
 * `photos-sync backup`: encrypted offsite backup of Immich's files and this tool's data directory
 * to a destination with the "backup" capability (`b2`, `glacier`), and everything around it:
 * `--check`, `--setup`, `--status`, `--reset`, `--verify` and `--restore`.
 * @module
 */
import type { Command } from "commander";
import { Option } from "commander";
import { join, resolve } from "node:path";
import { credentialField, CredentialItemMissing, missingCredentialsHelp } from "../config/credentials.ts";
import {
  type BackupEvent,
  backupSources,
  type BackupSummary,
  DATA_SOURCE,
  type RestoreSummary,
  runBackup,
  runRestore,
  TRACKER_SNAPSHOT,
  verifyBackup,
} from "../engine/backup.ts";
import { ConfigError, errorKind, messageOf, PermanentError } from "../plugin/errors.ts";
import type { DestinationPlugin, DestinationSession, TreeProgress } from "../plugin/types.ts";
import {
  type BackupDestination,
  backupStatus,
  type BackupStatusDocument,
  BackupStore,
} from "../tracker/backup.ts";
import { addCoreFlags, addPluginFlags, flagValues } from "./flags.ts";
import { type CommandContext, ExitCode } from "./command_context.ts";
import { formatBytes, type Output } from "./output.ts";
import { formatDuration } from "./run.ts";
import { Session } from "./session.ts";

export interface BackupFlags {
  check?: boolean;
  setup?: boolean;
  status?: boolean;
  reset?: boolean;
  verify?: boolean | string;
  restore?: boolean | string;
  to?: string;
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
  yes?: boolean;
  into?: string;
  archive?: string;
  asOf?: string;
  wait?: string;
}

const MODES = ["check", "setup", "status", "reset", "verify", "restore"] as const;

export function registerBackup(program: Command, ctx: CommandContext): void {
  const cmd = program.command("backup")
    .description("encrypted offsite backup of Immich and this tool's data through rclone (B2, Glacier)")
    .option(
      "--check",
      "check rclone, the credentials, BACKUP_IMMICH_PATH and the destination; change nothing",
    )
    .option("--setup", "prepare a destination: credentials, encryption marker, versioning (asks, or --yes)")
    .option("--status", "show the last run's jobs and progress (what `serve` shows)")
    .option("--reset", "forget this destination's backup history in the tracker (remote data is kept)")
    .option("--verify [source]", "compare the sources with the backup (rclone cryptcheck); one source or all")
    .option("--restore [source]", "download and decrypt one source or all into --into, verified")
    .option("--to <name>", "destination: b2 (default), glacier (env BACKUP_TO)")
    .option(
      "--force",
      "take over a run whose owner cannot be proven dead; back up a source that became empty",
    )
    .option("--dry-run", "show what would be copied and archived; change nothing anywhere")
    .option("--json", "JSON output (events then a summary, or one document)")
    .option("--yes", "answer yes to --setup and --reset questions")
    .option("--into <dir>", "--restore: the directory to restore into")
    .option(
      "--archive <stamp>",
      "--restore: restore this archive area (replaced and deleted files of one run)",
    )
    .option("--as-of <time>", "--restore: the tree as it was at this ISO time (glacier, from versions)")
    .addOption(
      new Option("--wait <minutes>", "--restore: wait this long for objects in cold storage").default("0"),
    );
  addCoreFlags(cmd, [
    "backup-immich-path",
    "backup-stats-interval",
    "backup-max-retries",
    "backup-retention-days",
    "backup-credentials",
    "backup-op-vault",
    "backup-op-item",
  ]);
  addPluginFlags(cmd, backupPlugins(ctx), { choice: ctx.chosen, roles: ["backup-to"] });
  cmd.action(async (flags: BackupFlags, command: Command) => {
    const modes = MODES.filter((m) => flags[m] !== undefined && flags[m] !== false);
    if (modes.length > 1) {
      throw new ConfigError(`--${modes.join(" and --")} cannot be combined; run them one at a time`);
    }
    const session = await Session.open({
      plugins: ctx.deps.plugins,
      output: ctx.output,
      flags: flagValues(command),
      env: ctx.deps.env,
      command: "backup",
      dryRun: flags.dryRun,
      verbose: command.optsWithGlobals().verbose,
      stops: ctx.stops,
    });
    ctx.setRedactor(session.config.redactor);
    try {
      const cli = new BackupCommand(session, ctx.output, flags);
      switch (modes[0]) {
        case "check":
          return await cli.check();
        case "setup":
          return await cli.setup();
        case "status":
          return cli.status();
        case "reset":
          return await cli.reset();
        case "verify":
          return await cli.verify();
        case "restore":
          return await cli.restore();
        default:
          return await cli.run();
      }
    } finally {
      await session.close();
    }
  });
}

function backupPlugins(ctx: CommandContext): DestinationPlugin[] {
  return ctx.deps.plugins.filter((p): p is DestinationPlugin =>
    p.kind === "destination" && p.capabilities.includes("backup")
  );
}

async function ask(output: Output, question: string): Promise<string | null> {
  if (!Deno.stdin.isTerminal()) return null;
  output.err(question);
  const buf = new Uint8Array(256);
  const n = await Deno.stdin.read(buf);
  return n === null ? null : new TextDecoder().decode(buf.subarray(0, n)).trim();
}

/** `1 file`, `2 files`. */
function files(n: number): string {
  return `${n} ${n === 1 ? "file" : "files"}`;
}

/** `ETA 1m 5s`, `ETA n/a` when unknown. */
function eta(seconds: number | null): string {
  return seconds === null ? "ETA n/a" : `ETA ${formatDuration(seconds)}`;
}

/** The live line: `library 35% · 1.2 GB / 3.4 GB · 120/400 files · 12.0 MB/s · ETA 3m 20s`. */
export function progressLine(source: string, p: TreeProgress): string {
  const percent = p.totalBytes > 0 ? `${Math.floor((p.bytes / p.totalBytes) * 100)}% · ` : "";
  return `${source} ${percent}${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)} · ` +
    `${p.files}/${p.totalFiles} files · ${formatBytes(p.speed)}/s · ${eta(p.etaSeconds)}`;
}

class BackupCommand {
  constructor(readonly session: Session, readonly output: Output, readonly flags: BackupFlags) {}

  get core() {
    return this.session.config.core;
  }

  get name(): string {
    return String(this.core["backup-to"]);
  }

  get statsSeconds(): number {
    const n = Number(this.core["backup-stats-interval"]);
    if (!Number.isFinite(n) || n < 1) {
      throw new ConfigError(`BACKUP_STATS_INTERVAL must be at least 1, got ${n}`);
    }
    return n;
  }

  get staleAfterMs(): number {
    return Math.max(30_000, 3 * this.statsSeconds * 1000);
  }

  plugin(): DestinationPlugin {
    const plugin = this.session.registry.destination(this.name);
    if (!plugin.capabilities.includes("backup")) {
      throw new ConfigError(`${plugin.id} cannot hold backups; use --to b2 or --to glacier`);
    }
    return plugin;
  }

  async open(): Promise<
    {
      plugin: DestinationPlugin;
      session: DestinationSession;
      row: Omit<BackupDestination, "id" | "createdAt" | "lastBackupAt">;
    }
  > {
    const plugin = this.plugin();
    const { session, values } = await this.session.openDestinationNamed(plugin.id);
    const name = plugin.id.split(".").at(-1)!;
    return {
      plugin,
      session,
      // The tracker's destination record mirrors where the plugin keeps the backup.
      row: {
        name,
        type: name,
        bucket: String(values.remote ?? values["bucket-name"] ?? ""),
        remotePath: values.remote ? "" : String(values.path ?? ""),
      },
    };
  }

  async sources(only?: string) {
    const immichPath = this.core["backup-immich-path"] as string | undefined;
    if (!immichPath) {
      throw new ConfigError(
        "BACKUP_IMMICH_PATH is not set; set it to Immich's upload location (the folder with library/ and upload/)",
      );
    }
    const all = await backupSources({ immichPath, dataDir: this.session.config.home });
    if (!only) return all;
    const one = all.filter((s) => s.name === only);
    if (one.length === 0) {
      throw new ConfigError(`no source named ${only}; the sources are ${all.map((s) => s.name).join(", ")}`);
    }
    return one;
  }

  // -------------------------------------------------------------------------------------------

  async run(): Promise<void> {
    const { output, flags } = this;
    const sources = await this.sources();
    const { session: destination, row } = await this.open();
    const store = new BackupStore(this.session.tracker);
    const record: BackupDestination = flags.dryRun
      ? store.destination(row.name) ?? { id: -1, createdAt: "", lastBackupAt: null, ...row }
      : store.saveDestination(row);
    const home = this.session.config.home;
    const interactive = output.interactive && !flags.json;
    let summary: BackupSummary;
    try {
      summary = await runBackup({
        store,
        destination: record,
        session: destination,
        sources,
        dryRun: flags.dryRun ?? false,
        force: flags.force,
        maxRetries: Math.max(1, Number(this.core["backup-max-retries"])),
        statsSeconds: interactive ? 1 : this.statsSeconds,
        ownerStatsSeconds: this.statsSeconds,
        staleAfterMs: this.staleAfterMs,
        retentionDays: Number(this.core["backup-retention-days"]),
        snapshot: async () => {
          // VACUUM INTO writes a consistent copy while the tracker stays in use; then it is renamed
          // into place, so the data job never sees a half-written file.
          const path = join(home, TRACKER_SNAPSHOT);
          await Deno.mkdir(join(path, ".."), { recursive: true });
          const tmp = `${path}.tmp`;
          await Deno.remove(tmp).catch(() => {});
          this.session.tracker.snapshotTo(tmp);
          await Deno.rename(tmp, path);
        },
        signal: this.session.abort.signal,
        onEvent: (e) => this.event(e),
      });
    } catch (e) {
      output.status("");
      throw e; // a signal's interruption is reported by runCli, with the signal's exit code
    }
    output.status("");
    this.printSummary(summary);
    if (summary.status !== "COMPLETED") throw new ExitCode(1);
  }

  event(e: BackupEvent): void {
    const { output, flags } = this;
    if (flags.json) {
      output.out(JSON.stringify(e));
      return;
    }
    switch (e.type) {
      case "run":
        output.err(
          e.dryRun
            ? `dry run: backup to ${e.description}; nothing will be changed`
            : `${e.resumed ? "resuming" : "starting"} backup run #${e.runId} to ${e.description}`,
        );
        break;
      case "waiting":
        output.err(`waiting ${e.seconds} s ${e.reason}`);
        break;
      case "job":
        output.err(`${e.source}: ${e.attempt > 1 ? `attempt ${e.attempt}, ` : ""}backing up ${e.path}`);
        break;
      case "progress":
        output.status(progressLine(e.source, e.progress));
        break;
      case "retry":
        output.err(`${e.source}: ${e.error}; trying again in ${Math.round(e.delayMs / 1000)} s`);
        break;
      case "job-end":
        if (e.status === "FAILED") output.err(`${e.source}: failed: ${e.error}`);
        break;
      case "pruned":
        output.err(`removed the archive area ${e.archive} (older than the retention)`);
        break;
      case "warning":
        output.err(`warning: ${e.message}`);
        break;
    }
  }

  printSummary(s: BackupSummary): void {
    const { output } = this;
    if (this.flags.json) {
      output.out(JSON.stringify({ type: "summary", ...s }));
      return;
    }
    const head = s.dryRun
      ? `dry run of the backup to ${s.destination}: nothing was changed`
      : `backup run #${s.runId} to ${s.destination}: ${s.status.toLowerCase()} in ${
        formatDuration(s.durationMs / 1000)
      }`;
    output.out(head);
    const width = Math.max(...s.jobs.map((j) => j.source.length));
    for (const j of s.jobs) {
      const name = j.source.padEnd(width);
      let line: string;
      switch (j.status) {
        case "DRY-RUN":
          line = `would copy ${files(j.wouldCopy ?? 0)} (${
            formatBytes(j.bytes)
          }), would archive ${j.wouldArchive}`;
          break;
        case "COMPLETED":
          line = `completed: ${j.copied} copied (${formatBytes(j.bytes)}), ${j.archived} archived`;
          break;
        case "SKIPPED":
          line = "completed earlier in this run";
          break;
        case "INTERRUPTED":
          line = "not finished";
          break;
        case "FAILED":
          line = `FAILED${j.attempts > 1 ? ` after ${j.attempts} attempts` : ""}: ${j.error}`;
          break;
      }
      output.out(`  ${name}  ${line}`);
    }
    if (s.pruned.length > 0) output.out(`  removed ${s.pruned.length} expired archive areas`);
    const failed = s.jobs.filter((j) => j.status === "FAILED").length;
    if (failed > 0) output.out(`${failed} of ${s.jobs.length} jobs failed; run backup again to retry them`);
  }

  // -------------------------------------------------------------------------------------------

  status(): void {
    const doc = backupStatus(this.session.tracker, {
      destination: this.flags.to,
      staleAfterMs: this.staleAfterMs,
    });
    if (this.flags.json) this.output.out(JSON.stringify(doc, null, 2));
    else printBackupStatus(this.output, doc);
  }

  async reset(): Promise<void> {
    const store = new BackupStore(this.session.tracker);
    const name = this.plugin().id.split(".").at(-1)!;
    const destination = store.destination(name);
    if (!destination) throw new ConfigError(`there is no backup history for ${name}; nothing to reset`);
    if (!this.flags.yes) {
      const answer = await ask(this.output, `Forget every backup run of ${name} in the tracker? [y/N] `);
      if (answer === null) throw new ConfigError("--reset needs a terminal to confirm, or --yes");
      if (!/^y(es)?$/i.test(answer)) {
        this.output.out("nothing was reset");
        return;
      }
    }
    const { runs, jobs } = store.reset(destination.id, { staleAfterMs: this.staleAfterMs });
    this.output.out(`forgot ${runs} runs and ${jobs} jobs of ${name}; the backup itself is untouched`);
  }

  async verify(): Promise<void> {
    const only = typeof this.flags.verify === "string" ? this.flags.verify : undefined;
    const sources = await this.sources(only);
    const { session } = await this.open();
    const results = await verifyBackup(session, sources);
    if (this.flags.json) this.output.out(JSON.stringify({ type: "verify", results }, null, 2));
    let problems = 0;
    for (const r of results) {
      const issues = r.notBackedUp + r.onlyInBackup + r.differs;
      problems += issues;
      if (this.flags.json) continue;
      this.output.out(
        `${r.source}: ${r.matching} match` +
          (issues === 0
            ? ""
            : `, ${r.notBackedUp} not backed up yet, ${r.onlyInBackup} only in the backup, ${r.differs} differ`),
      );
      for (const ex of r.examples) this.output.out(`    ${ex}`);
    }
    if (problems > 0) {
      if (!this.flags.json) {
        this.output.out("the backup differs from the sources; a backup run brings it up to date");
      }
      throw new ExitCode(1);
    }
  }

  async restore(): Promise<void> {
    const { flags, output } = this;
    if (!flags.into) throw new ConfigError("--restore needs --into DIR, the directory to restore into");
    if (flags.archive && flags.asOf) throw new ConfigError("--archive and --as-of cannot be combined");
    const wait = Number(flags.wait ?? 0);
    if (!Number.isFinite(wait) || wait < 0) {
      throw new ConfigError(`--wait must be minutes, got ${flags.wait}`);
    }
    const only = typeof flags.restore === "string" ? flags.restore : undefined;
    const { plugin, session, row } = await this.open();
    const store = new BackupStore(this.session.tracker);
    const destination = store.destination(row.name) ?? store.saveDestination(row);
    let summary: RestoreSummary;
    try {
      summary = await runRestore({
        session,
        canWarmUp: plugin.capabilities.includes("warmup"),
        store,
        destinationId: destination.id,
        source: only,
        into: resolve(flags.into),
        archive: flags.archive,
        asOf: flags.asOf,
        waitMs: wait * 60_000,
        signal: this.session.abort.signal,
        onEvent: (e) => {
          if (flags.json) output.out(JSON.stringify(e));
          else if (e.type === "progress") output.status(progressLine(`restoring ${e.source}`, e.progress));
          else if (e.type === "warmup") {
            output.err(`${e.waiting} objects are in cold storage; asked for ${e.requested} of them now`);
          } else if (e.type === "waiting") {
            output.err(`waiting ${e.seconds} s for ${e.cold} objects to warm up`);
          }
        },
      });
    } catch (e) {
      output.status("");
      if (errorKind(e) === "permanent" && flags.archive && /not in the backup/.test(messageOf(e))) {
        const areas = await session.archives!();
        throw new PermanentError(
          `${messageOf(e)}; archive areas: ${areas.length > 0 ? areas.join(", ") : "none"}`,
        );
      }
      throw e;
    }
    output.status("");
    if (flags.json) output.out(JSON.stringify({ type: "summary", ...summary }));
    else {
      output.out(`restored ${files(summary.files)} (${formatBytes(summary.bytes)}) into ${summary.target}`);
      if (summary.cold > 0) {
        output.out(
          `${
            files(summary.cold)
          } still in cold storage (asked for ${summary.requested} now). Glacier takes ` +
            `hours (Deep Archive Bulk: up to 48 h); run the same command again later, or with --wait MINUTES. ` +
            `It continues where it stopped and does not ask twice`,
        );
      } else if (summary.verified) {
        const v = summary.verified;
        output.out(
          summary.complete
            ? `verified: ${v.matching} files match the backup`
            : `VERIFY FAILED: ${v.missing} missing, ${v.differs} differ (${v.matching} match)`,
        );
        if (v.extra > 0) output.out(`note: ${v.extra} files in ${summary.target} are not from the backup`);
      }
    }
    if (!summary.complete) throw new ExitCode(1);
  }

  // -------------------------------------------------------------------------------------------

  /** The prerequisites, each OK, WARN or FAIL; FAIL exits 1. Changes nothing. */
  async check(): Promise<void> {
    const rows: { check: string; status: "OK" | "WARN" | "FAIL"; detail: string }[] = [];
    const add = (check: string, status: "OK" | "WARN" | "FAIL", detail: string) => {
      rows.push({ check, status, detail });
      if (!this.flags.json) this.output.out(`[${status}] ${check}: ${detail}`);
    };
    const plugin = this.plugin();
    try {
      const { missing, store } = await this.session.destinationOptions(plugin);
      const found = plugin.options.filter((o) => o.credential && !missing.includes(o.name))
        .map((o) => credentialField(o.name));
      if (missing.length === 0) add("credentials", "OK", `${found.join(", ")} (${store.description})`);
      else {
        // Whether the destination needs them depends on its other options; the destination line says.
        const have = found.join(", ") || "none";
        add(
          "credentials",
          "WARN",
          `found ${have}; not set: ${missingCredentialsHelp(plugin, { missing, store })}`,
        );
      }
    } catch (e) {
      add("credentials", "FAIL", messageOf(e));
    }
    try {
      const sources = await this.sources();
      const immich = sources.filter((s) => s.name !== DATA_SOURCE).map((s) => s.name);
      add("BACKUP_IMMICH_PATH", "OK", `${this.core["backup-immich-path"]}: ${immich.join(", ")}`);
    } catch (e) {
      add("BACKUP_IMMICH_PATH", "FAIL", messageOf(e));
    }
    try {
      // Opening runs the destination's own checks first (rclone present and recent enough).
      const { session } = await this.open();
      const about = await session.check!();
      add("destination", "OK", `${about.description}${about.version ? ` (${about.version})` : ""}`);
      const info = await session.prepareBackup!({ create: false });
      if (info.keeps === "areas" && info.state === "existing") {
        const areas = await session.archives!();
        add(
          "archive areas",
          "OK",
          areas.length === 0 ? "none" : `${areas.length}: ${areas[0]} … ${areas.at(-1)}`,
        );
      }
    } catch (e) {
      add("destination", "FAIL", messageOf(e));
    }
    const failed = rows.some((r) => r.status === "FAIL");
    if (this.flags.json) {
      this.output.out(JSON.stringify({ type: "check", ok: !failed, checks: rows }, null, 2));
    } else this.output.out(failed ? "some prerequisites are missing" : "all prerequisites are met");
    if (failed) throw new ExitCode(1);
  }

  /**
   * Prepares a destination, step by step: credentials (creating the 1Password item with a generated
   * encryption password and salt when there is none), the destination itself (a marker proves the
   * password with a test write and read; Glacier gets versioning), and the tracker record.
   */
  async setup(): Promise<void> {
    const { output, flags } = this;
    const plugin = this.plugin();
    const store = this.session.credentialStore(plugin);
    output.out(`1. credentials for ${plugin.id} from ${store.description}`);
    let missing: string[];
    try {
      ({ missing } = await this.session.destinationOptions(plugin));
    } catch (e) {
      if (!(e instanceof CredentialItemMissing) || !store.create) throw e;
      const values = this.session.config.pluginOptions(plugin);
      if (!flags.yes) {
        const answer = await ask(
          output,
          `Create ${store.description} with a new encryption password and salt? [Y/n] `,
        );
        if (answer === null) throw new ConfigError(`${e.message}; or confirm with --yes`);
        if (answer !== "" && !/^y(es)?$/i.test(answer)) {
          output.out("nothing was created");
          return;
        }
      }
      const fields: Record<string, string> = {};
      for (const spec of plugin.options.filter((o) => o.credential)) {
        const given = values[spec.name];
        if (typeof given === "string" && given !== "") fields[credentialField(spec.name)] = given;
      }
      fields.encryption_password ??= randomSecret();
      fields.encryption_salt ??= randomSecret();
      for (const v of Object.values(fields)) this.session.config.redactor.add(v);
      await store.create(fields);
      output.out("   created it, with a generated encryption password and salt");
      ({ missing } = await this.session.destinationOptions(plugin));
    }
    output.out(missing.length === 0 ? "   all credentials found" : `   not set: ${missing.join(", ")}`);
    output.out("2. destination");
    // The destination knows which credentials it needs (a `remote` override needs no bucket key).
    const { session, row } = await this.open().catch((e) => {
      if (errorKind(e) === "config" && /encryption-(password|salt)/.test(e.message)) {
        throw new ConfigError(
          `${e.message}. For the encryption password and salt choose two long random values (e.g. ` +
            "`openssl rand -base64 32`, twice) and keep them safe: losing them means losing the backup",
        );
      }
      throw e;
    });
    // Setting up is idempotent: an existing backup is only checked (password, versioning).
    const info = await session.prepareBackup!({ create: true });
    output.out(
      `   ${info.description}: ${
        info.state === "new"
          ? "marked as this tool's backup (test write and read back: OK)"
          : "holds a backup readable with this password"
      }${info.keeps === "versions" ? "; bucket versioning is on" : ""}`,
    );
    output.out("3. tracker");
    new BackupStore(this.session.tracker).saveDestination(row);
    output.out(`   destination ${row.name} recorded`);
    output.out(
      "Ready. Keep the encryption password and salt somewhere safe besides this machine: without them the backup " +
        "cannot be read by anyone, including you.",
    );
  }
}

/** 32 random bytes, base64url: the encryption password or salt that setup generates. */
function randomSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The status document as text. */
export function printBackupStatus(output: Output, doc: BackupStatusDocument): void {
  if (doc.destinations.length === 0) {
    output.out("no backup has run yet; start with: photos-sync backup --setup");
    return;
  }
  for (const d of doc.destinations) {
    output.out(`${d.name}: ${d.bucket}${d.remotePath ? `/${d.remotePath}` : ""}`);
    output.out(`  last completed backup: ${d.lastBackupAt ?? "never"}`);
    const r = d.run;
    if (!r) continue;
    const owner = r.status === "running"
      ? `, pid ${r.owner.pid} on ${r.owner.host}, heartbeat ${r.heartbeatAt}`
      : r.stale
      ? ` (its process ${r.owner.pid} is gone; the next backup resumes it)`
      : "";
    output.out(`  run #${r.id}: ${r.status.toLowerCase()}${owner}, started ${r.startedAt}`);
    const width = Math.max(...r.jobs.map((j) => j.source.length));
    for (const j of r.jobs) {
      const parts = [j.status.toLowerCase()];
      if (j.bytesTotal > 0 || j.bytesTransferred > 0) {
        parts.push(`${formatBytes(j.bytesTransferred)} / ${formatBytes(j.bytesTotal)}`);
      }
      if (j.filesTotal > 0) parts.push(`${j.filesTransferred}/${j.filesTotal} files`);
      if (j.filesArchived > 0) parts.push(`${j.filesArchived} archived`);
      if (j.status === "running") parts.push(`${formatBytes(j.speed)}/s`, eta(j.etaSeconds));
      if (j.retryCount > 0) parts.push(`${j.retryCount} failed attempts`);
      if (j.error && j.status !== "succeeded") parts.push(`error: ${j.error}`);
      output.out(`    ${j.source.padEnd(width)}  ${parts.join(" · ")}`);
    }
    const cold = d.cold.cold + d.cold.requested;
    if (cold > 0 || d.cold.restored > 0) {
      output.out(
        `  cold storage: ${d.cold.requested} requested, ${d.cold.cold} not yet, ${d.cold.restored} restored`,
      );
    }
  }
}
