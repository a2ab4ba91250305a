/**
 * What every mode of `photos-sync backup` shares: the flags, the chosen destination and how to
 * open it, the sources, a yes/no question, and the way sizes and progress are written.
 *
 * @example
 * ```ts
 * const cli = new BackupCli(session, ctx.output, flags);
 * const { session: destination } = await cli.open();
 * ```
 * @module
 */
import { backupSources, type BackupSourceSpec } from "../engine/backup_sources.ts";
import { ConfigError } from "../plugin/errors.ts";
import type { BackupTargetSession, DestinationPlugin, TreeProgress } from "../plugin/types.ts";
import type { BackupDestination } from "../tracker/backup.ts";
import { formatBytes, type Output } from "./output.ts";
import { formatDuration } from "./run.ts";
import type { Session } from "./session.ts";

export interface BackupFlags {
  check?: boolean;
  setup?: boolean;
  status?: boolean;
  reset?: boolean;
  verify?: boolean | string;
  verifyCold?: boolean | string;
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

/** The destination as the tracker records it (without what the tracker adds itself). */
export type DestinationRow = Omit<BackupDestination, "id" | "createdAt" | "lastBackupAt">;

export class BackupCli {
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
    return this.session.registry.backupTarget(this.name);
  }

  async open(): Promise<{ plugin: DestinationPlugin; session: BackupTargetSession; row: DestinationRow }> {
    const plugin = this.plugin();
    const { session, values } = await this.session.openBackupTarget(plugin.id);
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

  /** Every source, or only the one named `only`. */
  async sources(only?: string): Promise<BackupSourceSpec[]> {
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

  /** The answer typed at the terminal, or null when there is no terminal to ask. */
  async ask(question: string): Promise<string | null> {
    if (!Deno.stdin.isTerminal()) return null;
    this.output.err(question);
    const buf = new Uint8Array(256);
    const n = await Deno.stdin.read(buf);
    return n === null ? null : new TextDecoder().decode(buf.subarray(0, n)).trim();
  }
}

/** `1 file`, `2 files`. */
export function files(n: number): string {
  return `${n} ${n === 1 ? "file" : "files"}`;
}

/** `ETA 1m 5s`, `ETA n/a` when unknown. */
export function eta(seconds: number | null): string {
  return seconds === null ? "ETA n/a" : `ETA ${formatDuration(seconds)}`;
}

/** The live line: `library 35% · 1.2 GB / 3.4 GB · 120/400 files · 12.0 MB/s · ETA 3m 20s`. */
export function progressLine(source: string, p: TreeProgress): string {
  const percent = p.totalBytes > 0 ? `${Math.floor((p.bytes / p.totalBytes) * 100)}% · ` : "";
  return `${source} ${percent}${formatBytes(p.bytes)} / ${formatBytes(p.totalBytes)} · ` +
    `${p.files}/${p.totalFiles} files · ${formatBytes(p.speed)}/s · ${eta(p.etaSeconds)}`;
}
