/**
 * What the signal cases share: a slow import into a folder-like destination (`slowfolder`), run as
 * a child with its own TMPDIR, signalled once it has recorded its first asset, and the checks of a
 * stopped run: how it was recorded, the lock, leftovers, and that a resume ends with every asset once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { hashFile } from "../../core/engine/hash.ts";
import type { CliResult } from "../_cli.ts";
import { cli, spawnCli } from "../_cli.ts";
import type { World } from "../_hostile.ts";

const SLOW = new URL("../fixtures/slow_folder_destination.js", import.meta.url).pathname;

/** The TMPDIR of every command of a case, so leftovers of its runs can be counted. */
export const tmpOf = (w: World) => join(w.dir, "tmp");

/** `import` (or `sync`) of the world's library into `slowfolder` at `w.dest`, one asset at a time. */
export function slowRun(
  w: World,
  options: { command?: string; ms?: number; closeMs?: number } = {},
): string[] {
  return [
    options.command ?? "import",
    ...["--home", w.home, "--library", w.library, "--plugin", SLOW, "--to", "slowfolder"],
    ...["--slowfolder-path", w.dest, "--slowfolder-ms", String(options.ms ?? 300)],
    ...["--slowfolder-close-ms", String(options.closeMs ?? 0), "--concurrency", "1"],
  ];
}

/** Rows of the world's tracker (read-only; [] before the tracker exists). */
export function rows<T>(w: World, sql: string): T[] {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(join(w.home, "tracker.db"), { readOnly: true });
  } catch {
    return [];
  }
  try {
    return db.prepare(sql).all() as T[];
  } catch {
    return []; // not migrated yet
  } finally {
    db.close();
  }
}

const importedCount = (w: World) =>
  rows<{ n: number }>(w, "SELECT COUNT(*) AS n FROM transfers WHERE status = 'imported'")[0]?.n ?? 0;

/**
 * Runs `args` in a child, waits until it recorded its first asset, then sends `signals`; each one
 * after the first once `between` holds. Resolves with what the child printed and its exit code.
 */
export async function signalled(
  w: World,
  args: string[],
  signals: Deno.Signal[],
  options: { between?: (w: World) => boolean; started?: (w: World) => boolean } = {},
): Promise<CliResult & { msAfterLast: number }> {
  await Deno.mkdir(tmpOf(w), { recursive: true });
  const child = spawnCli(args, { TMPDIR: tmpOf(w) }, { stdout: "piped" });
  const stdout = new Response(child.stdout).text();
  const stderr = new Response(child.stderr).text();
  let ended = false;
  const status = child.status.finally(() => (ended = true));
  const until = async (condition: (w: World) => boolean) => {
    while (!ended && !condition(w)) await new Promise((r) => setTimeout(r, 20));
  };
  await until(options.started ?? ((w) => importedCount(w) >= 1));
  let last = Date.now();
  for (const [i, s] of signals.entries()) {
    if (i > 0) await until(options.between ?? (() => true));
    if (ended) break;
    child.kill(s);
    last = Date.now();
  }
  const { code } = await status;
  return { code, stdout: await stdout, stderr: await stderr, msAfterLast: Date.now() - last };
}

export function lastLineOf(r: CliResult): string {
  return r.stderr.trim().split("\n").at(-1)?.trim() ?? "";
}

/** The entries of the case's TMPDIR. */
export async function leftovers(w: World): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(tmpOf(w))) names.push(e.name);
  return names.sort();
}

/** The files the destination holds, as `<sha1>-<name>`. */
async function destinationFiles(w: World): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(w.dest)) names.push(e.name);
  return names.sort();
}

/** What the tracker says the destination holds, in the destination's naming. */
function recordedFiles(w: World): string[] {
  return rows<{ f: string }>(w, "SELECT sha1 || '-' || name AS f FROM resources").map((r) => r.f).sort();
}

/** The last run as stored (not as `status` shows it), and the locks held. */
export function lastRun(w: World): { command: string; status: string; ended_at: string | null } {
  return rows<{ command: string; status: string; ended_at: string | null }>(
    w,
    "SELECT command, status, ended_at FROM runs ORDER BY id DESC LIMIT 1",
  )[0];
}

export const locks = (w: World) => rows<{ pid: number }>(w, "SELECT pid FROM locks");

/**
 * A run stopped by a signal: it recorded only what the destination holds and holds nothing it
 * did not record, it says how to resume, its run row is interrupted, the lock is free, and its
 * temp folder is gone.
 */
export async function assertStoppedCleanly(r: CliResult, w: World, command: string, signal: string) {
  assert.match(
    lastLineOf(r),
    new RegExp(`^photos-sync: ${command} interrupted by ${signal}; run the same command`),
  );
  assert.deepEqual(
    await destinationFiles(w),
    recordedFiles(w),
    "recorded exactly what the destination holds",
  );
  const run = lastRun(w);
  assert.equal(run.command, command);
  assert.equal(run.status, "interrupted");
  assert.ok(run.ended_at, "the run has an end");
  assert.deepEqual(locks(w), [], "the lock is released");
  assert.deepEqual(await leftovers(w), [], "no temp folder or spool file is left");
}

/** An immediate resume succeeds, sends nothing twice, and ends with every asset at the destination once. */
export async function assertResumes(w: World, command = "import"): Promise<void> {
  const resumed = await cli([...slowRun(w, { command, ms: 1 }), "--json"], { TMPDIR: tmpOf(w) });
  assert.equal(resumed.code, 0, `the resume failed:\n${resumed.stderr}`);
  const lines = resumed.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const summary = lines.find((l) => l.type === "summary") ?? lines.find((l) => l.type === "sync")?.import;
  assert.equal(summary.failed, 0);
  assert.equal(summary.duplicates, 0, "nothing the first run sent was left unrecorded");
  const importable = summary.listed - summary.skipped.trashed;
  assert.equal(importedCount(w), importable, "every importable asset is imported");
  assert.equal(rows(w, "SELECT DISTINCT asset_id FROM resources").length, importable, "each asset once");
  assert.deepEqual(await destinationFiles(w), recordedFiles(w));
  assert.deepEqual(await leftovers(w), [], "the resume leaves no temp folder either");
  assert.deepEqual(locks(w), []);
}

/**
 * A print of the library's database and its write-ahead log. Not its `-shm`: that is SQLite's
 * shared index, which any reader rewrites (the fresh world's library was never read before).
 */
export async function libraryPrint(w: World): Promise<string> {
  const db = join(w.library, "database", "Photos.sqlite");
  const wal = await hashFile(`${db}-wal`).then((h) => h.sha1, () => "");
  return `${(await hashFile(db)).sha1} ${wal}`;
}
