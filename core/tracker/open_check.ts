/**
 * The checks a tracker gets when it is opened, before anything is read from or written to it: a
 * damaged file is refused with the way to recover (a run would otherwise copy files and then die
 * on "database disk image is malformed", writing into the damaged file); a database another
 * process keeps locked names that process; a new file is created readable by its owner only.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { ConfigError } from "../plugin/errors.ts";
import { int, text } from "./sql.ts";

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
    const message = (e as Error).message;
    // Only damage is reported as damage; a read-only folder or a lock is said as what it is.
    if (!/malformed|not a database|corrupt/i.test(message)) throw e;
    problems = [message];
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
