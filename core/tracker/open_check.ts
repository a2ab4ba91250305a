/**
 * The checks a tracker gets when it is opened, before anything is read from or written to it: a
 * damaged file is refused with the way to recover (a run would otherwise copy files and then die
 * on "database disk image is malformed", writing into the damaged file); a database another
 * process keeps locked names that process; a new file is created readable by its owner only.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { ConfigError } from "../plugin/errors.ts";
import { int, isDamage, text } from "./sql.ts";

/** Creates an empty tracker file 0600 when there is none, so SQLite (and its WAL files) inherit it. */
export function createPrivately(path: string): void {
  try {
    Deno.lstatSync(path);
    return;
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) return; // Opening reports what is wrong with it.
  }
  try {
    Deno.writeFileSync(path, new Uint8Array(), { createNew: true, mode: 0o600 });
    Deno.chmodSync(path, 0o600); // The umask may have taken bits away; never added any.
  } catch {
    // A folder that cannot hold the file is reported when SQLite tries to open it.
  }
}

/** How long a sealed tracker goes without a full check: damage that moves no file date shows by then. */
export const CHECK_EVERY_MS = 7 * 24 * 3600 * 1000;

/**
 * What a writable connection's clean close leaves beside the tracker (`tracker.db.checked`): the
 * file's identity, size and dates as the closing run left it, and when it last passed the full check.
 * A tracker that opens exactly as sealed, with no `-wal` file beside it (so nothing was killed
 * mid-run and no other connection is open), was last written by photos-sync itself after a passed
 * check: the check is skipped, up to {@link CHECK_EVERY_MS} after the last one. Anything else that
 * touched the file (another program, a copy or a restore, an editor) moves its dates or inode, and
 * it is checked again; so is a tracker whose seal is missing, unreadable or old.
 */
export interface Seal {
  dev: number;
  ino: number;
  size: number;
  mtime: number;
  ctime: number;
  /** When the file last passed `quick_check`, ms since the epoch. */
  checkedAt: number;
}

/** Where the seal of the tracker at `path` is kept. */
export function sealPath(path: string): string {
  return `${path}.checked`;
}

/** The file facts a seal compares (undefined when the file cannot be looked at). */
function factsOf(path: string): Omit<Seal, "checkedAt"> | undefined {
  try {
    const s = Deno.statSync(path);
    return {
      dev: s.dev ?? 0,
      ino: s.ino ?? 0,
      size: s.size,
      mtime: s.mtime?.getTime() ?? 0,
      ctime: s.ctime?.getTime() ?? 0,
    };
  } catch {
    return undefined;
  }
}

/**
 * When the tracker at `path` last passed the full check, if it is still exactly as the last clean
 * close sealed it and that check is recent; undefined means: check it now.
 */
export function sealedCheck(path: string, now = Date.now()): number | undefined {
  let seal: Seal;
  try {
    if (exists(`${path}-wal`)) return undefined;
    seal = JSON.parse(Deno.readTextFileSync(sealPath(path)));
  } catch {
    return undefined;
  }
  const facts = factsOf(path);
  if (!facts || typeof seal.checkedAt !== "number") return undefined;
  const same = (Object.keys(facts) as (keyof typeof facts)[]).every((k) => facts[k] === seal[k]);
  const recent = seal.checkedAt <= now && now - seal.checkedAt < CHECK_EVERY_MS;
  return same && recent ? seal.checkedAt : undefined;
}

/** Seals the tracker at `path` as it is now (after its connection closed); a seal that cannot be written is left out. */
export function writeSeal(path: string, checkedAt: number): void {
  const facts = factsOf(path);
  if (!facts || exists(`${path}-wal`)) return removeSeal(path); // another connection is still open
  const tmp = `${sealPath(path)}.tmp`;
  try {
    Deno.writeTextFileSync(tmp, JSON.stringify({ ...facts, checkedAt }), { mode: 0o600 });
    Deno.renameSync(tmp, sealPath(path));
  } catch {
    // Without a seal the next open checks the file: slower, never less safe.
  }
}

/** Takes the seal away: the next open checks the file in full. */
export function removeSeal(path: string): void {
  try {
    Deno.removeSync(sealPath(path));
  } catch {
    // Not there: nothing to take away.
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `PRAGMA quick_check` (cheap: no index cross-checks); throws a ConfigError naming the file. The
 * check reads every page through SQLite's small page cache, not a memory map: mapped, every page
 * of the file counted in the run's memory (229 MB against 149 MB at the peak of a no-op sync of
 * 100,000 assets, for no time measurably saved), and a mapped file that another program truncates
 * would crash the run.
 */
export function checkIntact(db: DatabaseSync, path: string): void {
  let problems: string[];
  try {
    problems = db.prepare("PRAGMA quick_check(5)").all().map((r) => text(r, "quick_check")).filter((p) =>
      p !== "ok"
    );
  } catch (e) {
    // Only damage is reported as damage; a read-only folder or a lock is said as what it is.
    if (!isDamage(e)) throw e;
    problems = [(e as Error).message];
  }
  if (problems.length === 0) return;
  throw new ConfigError(
    `the tracker ${path} is damaged (${problems[0]}); nothing was changed. Restore it from a backup ` +
      `(a copy of ${path} made before the damage), or move it away to start over: the next import ` +
      `then re-checks every asset at the destination`,
  );
}

/** Whether an error is SQLite's "database is locked" (another connection holds the write lock). */
export function isBusy(error: unknown): boolean {
  return /database is locked|SQLITE_BUSY/i.test((error as Error)?.message ?? "");
}

/** The message for a tracker another process keeps locked, naming that process when it is known. */
export function busyMessage(path: string, holder: string | undefined): string {
  const who = holder ? ` by ${holder}` : " by another process";
  return `the tracker ${path} is locked${who}; wait for it to finish or stop it, then run again`;
}

/**
 * Waits (up to the busy timeout) for SQLite's write lock and gives it back, so a tracker another
 * process keeps locked, or one that cannot be written, is refused when it is opened, not at the
 * first write of a run.
 */
export function probeWriteLock(db: DatabaseSync): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    // A write that is rolled back: a tracker on a read-only disk fails here, not in the first run.
    const version = int(db.prepare("PRAGMA user_version").get()!, "user_version");
    db.exec(`PRAGMA user_version = ${version}`);
  } finally {
    db.exec("ROLLBACK");
  }
}

/**
 * The process holding a POSIX write lock on the tracker or its `-shm` file, from `/proc/locks`
 * (Linux); undefined where that cannot be read.
 */
export function writeLockHolder(path: string): string | undefined {
  let locks: string;
  const inodes = new Set<number>();
  try {
    locks = Deno.readTextFileSync("/proc/locks");
    for (const file of [path, `${path}-shm`]) {
      const ino = Deno.statSync(file).ino;
      if (ino !== null) inodes.add(ino);
    }
  } catch {
    return undefined;
  }
  for (const line of locks.split("\n")) {
    // "1: POSIX  ADVISORY  WRITE 551 fe:00:2228769 120 120"
    const m = line.match(/\bWRITE\s+(\d+)\s+[0-9a-f]+:[0-9a-f]+:(\d+)\s/);
    if (!m || !inodes.has(Number(m[2])) || Number(m[1]) === Deno.pid) continue;
    return `process ${m[1]}${commandOf(Number(m[1]))}`;
  }
  return undefined;
}

function commandOf(pid: number): string {
  try {
    const words = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").filter(Boolean);
    return words.length ? ` (${words.join(" ").slice(0, 120)})` : "";
  } catch {
    return "";
  }
}

/** The photos-sync run that holds the run lock, read without a write lock (WAL readers never wait). */
export function lockHolder(db: DatabaseSync): string | undefined {
  try {
    const row = db.prepare("SELECT pid, host, command FROM locks WHERE name = $name").get({ name: "run" });
    return row && `photos-sync ${text(row, "command")} (pid ${int(row, "pid")} on ${text(row, "host")})`;
  } catch {
    return undefined;
  }
}

/**
 * Why the tracker's folder cannot take a file (read-only disk or mount, no permission), or
 * undefined when it can. SQLite only says "unable to open database file".
 */
export function unwritableFolder(path: string): string | undefined {
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) || "/" : ".";
  try {
    const probe = Deno.makeTempFileSync({ dir, prefix: ".photos-sync-probe-" });
    Deno.removeSync(probe);
    return undefined;
  } catch (e) {
    return `the data directory ${dir} cannot be written (${(e as Error).message}); ` +
      `make it writable, or set --home to a folder you can write to`;
  }
}

/** The message for a tracker SQLite cannot write ("attempt to write a readonly database"). */
export function readOnlyMessage(path: string, error: unknown): string | undefined {
  const message = (error as Error)?.message ?? "";
  if (!/readonly|read-only/i.test(message)) return undefined;
  return unwritableFolder(path) ??
    `the tracker ${path} cannot be written (${message}); make the file writable, or set --home to a folder you can write to`;
}
