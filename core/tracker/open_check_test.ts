import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../plugin/errors.ts";
import { LockedError, Tracker } from "./mod.ts";

async function withDir(fn: (dir: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-open-check-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A closed tracker with the first byte of every page after the first overwritten. */
function damagedTracker(path: string): Uint8Array {
  Tracker.open(path).close();
  const bytes = Deno.readFileSync(path);
  for (let page = 1; page * 4096 < bytes.length; page++) bytes[page * 4096] = 0x41;
  Deno.writeFileSync(path, bytes);
  return bytes;
}

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
