import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../plugin/errors.ts";
import { LockedError, Tracker } from "./mod.ts";
import { CHECK_EVERY_MS, type Seal, sealedCheck, sealPath } from "./open_check.ts";

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-open-check-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/**
 * A closed tracker with the first byte of every page after the first overwritten, by a writer that
 * comes later than the close (a test is quicker than the file dates' millisecond: moved on by hand).
 */
function damagedTracker(path: string): Uint8Array {
  Tracker.open(path).close();
  const bytes = Deno.readFileSync(path);
  for (let page = 1; page * 4096 < bytes.length; page++) bytes[page * 4096] = 0x41;
  Deno.writeFileSync(path, bytes);
  const later = new Date(Date.now() + 2000);
  Deno.utimeSync(path, later, later);
  return bytes;
}

const readSeal = (path: string): Seal => JSON.parse(Deno.readTextFileSync(sealPath(path)));

Deno.test("a damaged tracker is refused when opened, naming the file and the way back, and is not written", () =>
  withDir((dir) => {
    const path = join(dir, "tracker.db");
    const bytes = damagedTracker(path);
    assert.throws(() => Tracker.open(path), (e: Error) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.message, /the tracker .*tracker\.db is damaged \(database disk image is malformed\)/);
      assert.match(e.message, /backup.*move it away to start over/);
      return true;
    });
    assert.deepEqual(Deno.readFileSync(path), bytes);
  }));

Deno.test("a file that is not a database is refused as a damaged tracker", () =>
  withDir((dir) => {
    const path = join(dir, "tracker.db");
    Deno.writeTextFileSync(path, "not a database, just text ".repeat(200));
    assert.throws(() => Tracker.open(path), /tracker\.db is damaged \(file is not a database\)/);
  }));

Deno.test("a new tracker file is readable by its owner only", () =>
  withDir((dir) => {
    const path = join(dir, "tracker.db");
    Tracker.open(path).close();
    assert.equal(Deno.statSync(path).mode! & 0o777, 0o600);
  }));

Deno.test("a tracker another process keeps locked is refused on open, naming the file and the process", () =>
  withDir(async (dir) => {
    const path = join(dir, "tracker.db");
    Tracker.open(path).close();
    const holder = new Deno.Command(Deno.execPath(), {
      args: ["eval", HOLD_WRITE_LOCK, path],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    try {
      const reader = holder.stdout.getReader();
      assert.equal(new TextDecoder().decode((await reader.read()).value).trim(), "holding");
      reader.releaseLock();
      assert.throws(() => Tracker.open(path, { busyTimeoutMs: 50 }), (e: Error) => {
        assert.ok(e instanceof LockedError, String(e));
        assert.match(e.message, /the tracker .*tracker\.db is locked by /);
        if (Deno.build.os === "linux") assert.match(e.message, new RegExp(`process ${holder.pid}\\b`));
        return true;
      });
    } finally {
      holder.kill("SIGKILL");
      await holder.status;
      await holder.stdout.cancel().catch(() => {});
    }
  }));

const HOLD_WRITE_LOCK = `
import { DatabaseSync } from "node:sqlite";
const db = new DatabaseSync(Deno.args[0]);
db.exec("BEGIN IMMEDIATE");
console.log("holding");
setTimeout(() => {}, 60_000);
`;

Deno.test("a tracker as its last clean close left it opens without the full check, for a week", () =>
  withDir((dir) => {
    const path = join(dir, "tracker.db");
    const first = Tracker.open(path);
    first.finishRun(first.startRun("sync", false), "succeeded", {}); // the seal is of the file as the run left it
    first.close();
    const seal = readSeal(path);
    assert.equal(sealedCheck(path), seal.checkedAt);
    // Opened and closed again without a check: the seal keeps the time of the last one.
    Tracker.open(path).close();
    assert.equal(readSeal(path).checkedAt, seal.checkedAt);
    assert.equal(sealedCheck(path, seal.checkedAt + CHECK_EVERY_MS - 1), seal.checkedAt);
    assert.equal(sealedCheck(path, seal.checkedAt + CHECK_EVERY_MS), undefined);
    assert.equal(
      sealedCheck(path, seal.checkedAt - 1),
      undefined,
      "a check dated in the future is not trusted",
    );
  }));

Deno.test("a tracker is checked in full when anything but a clean close touched it", () =>
  withDir((dir) => {
    const path = join(dir, "tracker.db");
    Tracker.open(path).close();
    assert.notEqual(sealedCheck(path), undefined);
    // A -wal file: a run was killed, or another connection is open.
    Deno.writeFileSync(`${path}-wal`, new Uint8Array());
    assert.equal(sealedCheck(path), undefined);
    Deno.removeSync(`${path}-wal`);
    assert.notEqual(sealedCheck(path), undefined);
    // A copy put in its place (a restore): another inode.
    Deno.copyFileSync(path, `${path}.copy`);
    Deno.renameSync(`${path}.copy`, path);
    assert.equal(sealedCheck(path), undefined);
    Tracker.open(path).close();
    // Written by another program: its dates move.
    const later = new Date(Date.now() + 5000);
    Deno.utimeSync(path, later, later);
    assert.equal(sealedCheck(path), undefined);
    // A seal that is missing or unreadable.
    Tracker.open(path).close();
    Deno.writeTextFileSync(sealPath(path), "{");
    assert.equal(sealedCheck(path), undefined);
    Deno.removeSync(sealPath(path));
    assert.equal(sealedCheck(path), undefined);
  }));

Deno.test("damage that moved no file date is found by the weekly check", () =>
  withDir((dir) => {
    const path = join(dir, "tracker.db");
    const bytes = damagedTracker(path);
    // A seal that fits the damaged file as it is now, as if the disk had changed it under its dates.
    const s = Deno.statSync(path);
    const facts = {
      dev: s.dev,
      ino: s.ino,
      size: s.size,
      mtime: s.mtime!.getTime(),
      ctime: s.ctime!.getTime(),
    };
    Deno.writeTextFileSync(
      sealPath(path),
      JSON.stringify({ ...facts, checkedAt: Date.now() - CHECK_EVERY_MS - 1 }),
    );
    assert.throws(() => Tracker.open(path), /tracker\.db is damaged/);
    assert.deepEqual(Deno.readFileSync(path), bytes);
  }));

Deno.test("a read-only connection leaves the seal as it was", () =>
  withDir((dir) => {
    const path = join(dir, "tracker.db");
    Tracker.open(path).close();
    const seal = Deno.readTextFileSync(sealPath(path));
    Tracker.open(path, { readOnly: true }).close();
    assert.equal(Deno.readTextFileSync(sealPath(path)), seal);
  }));

Deno.test("a run that SQLite tells of damage leaves no seal: the next open checks and refuses", () =>
  withDir((dir) => {
    const path = join(dir, "tracker.db");
    Tracker.open(path).close();
    const tracker = Tracker.open(path); // sealed: opened without the full check
    const bytes = Deno.readFileSync(path);
    for (let page = 1; page * 4096 < bytes.length; page++) bytes[page * 4096] = 0x41;
    Deno.writeFileSync(path, bytes); // damaged under the open connection, dates and all as they may be
    assert.throws(() => tracker.transfers("photos", "folder:/x"), /malformed/);
    tracker.close();
    assert.equal(sealedCheck(path), undefined);
    assert.throws(() => Tracker.open(path), /tracker\.db is damaged/);
  }));
