/**
 * `backup --verify`: each source compared with its tree in the backup, without changing either.
 *
 * @example
 * ```ts
 * const results = await verifyBackup(session, await backupSources({ immichPath, dataDir }));
 * ```
 * @module
 */
import type { BackupTargetSession } from "../plugin/types.ts";
import type { BackupSourceSpec } from "./backup_sources.ts";

export interface VerifySummary {
  source: string;
  path: string;
  matching: number;
  /** Files at the source the backup lacks (new since the last backup, or never copied). */
  notBackedUp: number;
  /** Files the backup has that the source no longer has. */
  onlyInBackup: number;
  differs: number;
  examples: string[];
}

/** Compares each source with its tree in the backup (rclone cryptcheck, or sizes for cold storage). */
export async function verifyBackup(
  session: BackupTargetSession,
  sources: readonly BackupSourceSpec[],
): Promise<VerifySummary[]> {
  const out: VerifySummary[] = [];
  for (const source of sources) {
    const r = await session.verifyTree({ local: source.path, name: source.name, exclude: source.exclude });
    const count = (k: string) => r.differences.filter((d) => d.kind === k).length;
    out.push({
      source: source.name,
      path: source.path,
      matching: r.matching,
      notBackedUp: count("missing-remote"),
      onlyInBackup: count("missing-local"),
      differs: count("differs") + count("error"),
      examples: r.differences.slice(0, 5).map((d) => `${d.kind}: ${d.path}`),
    });
  }
  return out;
}
