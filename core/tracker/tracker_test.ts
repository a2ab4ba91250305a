import assert from "node:assert/strict";
import { hostname } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Asset } from "../model/asset.ts";
import { PlanBuilder } from "../model/plan.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.ts";
import { LockedError, processAlive, Tracker } from "./mod.ts";
import { signalAlive } from "./owner.ts";
import { execute, query, withTracker } from "./_testing.ts";

const IDS = { source: "photos", destination: "folder:/x" };

function asset(id: string, extra: Partial<Asset> = {}): Asset {
  return {
    id,
    kind: "photo",
    filename: `${id}.jpg`,
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [{ id: "alb1", title: "Trip", folders: ["2024"] }],
    edited: false,
    referenced: false,
    subtypes: ["live"],
    modified: "2024-01-01T00:00:00.000Z",
    resources: [{ role: "original", filename: `${id}.jpg`, present: true, path: `/lib/${id}.jpg` }],
    ...extra,
  };
}

function imported(t: Tracker, a: Asset) {
  const plan = new PlanBuilder(a).build();
  t.recordImported(IDS, {
    asset: a,
    plan,
    files: [{ key: "original", name: a.filename, path: "/x", size: 10, sha1: "ab" }],
  }, [
    { key: "original", remoteId: "remote-1", duplicate: false },
  ]);
}

Deno.test("a new tracker is at the latest schema version, in WAL mode", async () => {
  await withTracker((t, path) => {
    assert.equal(t.schemaVersion, SCHEMA_VERSION);
    const db = new DatabaseSync(path);
    assert.equal((db.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode, "wal");
    db.close();
  });
});

Deno.test("an older tracker is upgraded in order and keeps its rows", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "tracker.db");
    const t = Tracker.open(path);
    imported(t, asset("A"));
    t.close();
    const next = [...MIGRATIONS, "ALTER TABLE transfers ADD COLUMN note TEXT;"];
    const upgraded = Tracker.open(path, { migrations: next });
    try {
      assert.equal(upgraded.schemaVersion, MIGRATIONS.length + 1);
      assert.equal(upgraded.transfers(IDS.source, IDS.destination).get("A")?.status, "imported");
      assert.deepEqual(query(upgraded, "SELECT note FROM transfers"), [{ note: null }]);
    } finally {
      upgraded.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a tracker written by a newer photos-sync is refused with a clear message", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "tracker.db");
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 5}`);
    db.close();
    assert.throws(
      () => Tracker.open(path),
      /schema version \d+, written by a newer photos-sync.*Upgrade photos-sync/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("recordFailure() after an import keeps the status, remote ids and album membership", async () => {
  await withTracker((t) => {
    imported(t, asset("A"));
    t.recordFailure(IDS, asset("A"), { kind: "retryable", message: "503", nextAttemptAt: null });
    const state = t.transfers(IDS.source, IDS.destination).get("A")!;
    assert.equal(state.status, "imported");
    assert.equal(state.attempts, 2);
    assert.deepEqual(t.remoteIds(IDS, "A"), { original: "remote-1" });
    assert.deepEqual(query(t, "SELECT album_title FROM album_members"), [{ album_title: "Trip" }]);
  });
});

Deno.test("a failed asset that later imports clears its error and counts attempts", async () => {
  await withTracker((t) => {
    t.recordFailure(IDS, asset("B"), { kind: "permanent", message: "gone", nextAttemptAt: null });
    assert.equal(t.problems(IDS.destination)[0].errorMessage, "gone");
    imported(t, asset("B"));
    const s = t.transfers(IDS.source, IDS.destination).get("B")!;
    assert.deepEqual([s.status, s.attempts, s.errorClass], ["imported", 2, null]);
    assert.deepEqual(t.statusCounts(IDS.destination), { imported: 1, failed: 0, skipped: 0 });
  });
});

Deno.test("transfer states read each kind of row as recorded: plainly imported, failed since, gone, failed, stamped", async () => {
  await withTracker((t) => {
    for (const id of ["plain", "refailed", "gone", "stamped"]) imported(t, asset(id));
    t.recordFailure(IDS, asset("refailed"), {
      kind: "retryable",
      message: "503",
      nextAttemptAt: "2030-01-01T00:00:00Z",
    });
    t.markRemoteGone(IDS, ["gone"]);
    t.recordFailure(IDS, asset("failed"), { kind: "permanent", message: "bad", nextAttemptAt: null });
    execute(t, "UPDATE transfers SET sync_stamp = 42 WHERE asset_id = 'stamped'");
    const states = t.transfers(IDS.source, IDS.destination);
    const of = (id: string) => {
      const s = states.get(id)!;
      return [s.status, s.attempts, s.errorClass, s.nextAttemptAt, s.remoteGone, s.syncStamp];
    };
    assert.deepEqual(of("plain"), ["imported", 1, null, null, false, null]);
    assert.deepEqual(of("refailed"), ["imported", 2, "retryable", "2030-01-01T00:00:00Z", false, null]);
    assert.deepEqual(of("gone"), ["imported", 1, null, null, true, null]);
    assert.deepEqual(of("failed"), ["failed", 1, "permanent", null, false, null]);
    assert.deepEqual(of("stamped"), ["imported", 1, null, null, false, 42]);
    assert.equal(states.get("plain")!.sourceModifiedAt, "2024-01-01T00:00:00.000Z");
    assert.equal(states.get("unknown"), undefined);
    assert.deepEqual([...states.keys()].sort(), ["failed", "gone", "plain", "refailed", "stamped"]);
    assert.equal(states.size, 5);
    // Imported, at the destination and never stamped: what a sync compares field by field.
    assert.equal(states.unstamped(), 2);
  });
});

Deno.test("a transaction that throws leaves nothing behind", async () => {
  await withTracker((t) => {
    const a = asset("C");
    const plan = new PlanBuilder(a).build();
    assert.throws(() =>
      t.recordImported(IDS, { asset: a, plan, files: [] }, [{
        key: "original",
        remoteId: "r",
        duplicate: false,
      }])
    );
    assert.equal(t.transfers(IDS.source, IDS.destination).size, 0);
    assert.deepEqual(query(t, "SELECT * FROM assets"), []);
  });
});

Deno.test("plugin state is kept per plugin as JSON", async () => {
  await withTracker((t) => {
    t.stateSet("destination.immich", "albums", { Trip: "uuid-1" });
    assert.deepEqual(t.stateGet("destination.immich", "albums"), { Trip: "uuid-1" });
    assert.equal(t.stateGet("destination.folder", "albums"), undefined);
    t.stateDelete("destination.immich", "albums");
    assert.equal(t.stateGet("destination.immich", "albums"), undefined);
    for (const key of ["s:album:B", "s:album:A", "s:album-owners", "s_album:C"]) {
      t.stateSet("destination.immich", key, 1);
    }
    t.stateSet("destination.folder", "s:album:D", 1);
    assert.deepEqual(t.stateKeys("destination.immich", "s:album:"), ["s:album:A", "s:album:B"]);
  });
});

Deno.test("the run lock refuses a second live process and is taken over from a dead one", async () => {
  await withTracker(async (t, path) => {
    const holder = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { Tracker } from "${new URL("./mod.ts", import.meta.url).href}";
         const t = Tracker.open(${JSON.stringify(path)}); t.acquireLock("run", "import");
         console.log("locked"); await new Promise((r) => setTimeout(r, 60000));`,
      ],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const reader = holder.stdout.pipeThrough(new TextDecoderStream()).getReader();
    assert.match((await reader.read()).value ?? "", /locked/);
    assert.throws(() => t.acquireLock("run", "sync"), (e: Error) => {
      assert.ok(e instanceof LockedError);
      assert.match(e.message, new RegExp(`another photos-sync is running \\(import, pid ${holder.pid}`));
      return true;
    });
    holder.kill("SIGKILL");
    await holder.status;
    await reader.cancel();
    assert.equal(processAlive(holder.pid), false);
    t.acquireLock("run", "sync");
    assert.deepEqual(query(t, "SELECT pid, command FROM locks"), [{ pid: Deno.pid, command: "sync" }]);
    t.releaseLock("run");
    assert.deepEqual(query(t, "SELECT * FROM locks"), []);
  });
});

/** A process of this host that lives a while: `sh -c` runs `script`, which prints the pid to use. */
async function withProcess(script: string, fn: (pid: number) => void | Promise<void>): Promise<void> {
  const child = new Deno.Command("sh", { args: ["-c", script], stdout: "piped" }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    const pid = Number((await reader.read()).value?.trim());
    await new Promise((r) => setTimeout(r, 200)); // let a child started in the background end
    await fn(pid);
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await reader.cancel();
  }
}

Deno.test("a lock whose process id now belongs to a newer process of this host is free at once", async () => {
  await withTracker(async (t) => {
    // The id of a live process that started long after the lock was taken: the holder is gone.
    await withProcess("echo $$; exec sleep 30", (pid) => {
      const hourAgo = new Date(Date.now() - 3600_000).toISOString();
      query(
        t,
        `INSERT INTO locks VALUES ('run', ?, ?, 'import', ?, ?) RETURNING name`,
        pid,
        hostname(),
        hourAgo,
        hourAgo,
      );
      assert.equal(processAlive(pid), true);
      t.acquireLock("run", "sync");
      assert.deepEqual(query(t, "SELECT pid, command FROM locks"), [{ pid: Deno.pid, command: "sync" }]);
    });
  });
});

Deno.test("a lock held by a dead process its parent has not reaped yet (a zombie) is free at once", async () => {
  await withTracker(async (t) => {
    // `sleep 0` ends at once, and its parent (now `sleep 30`) never reaps it.
    await withProcess("sleep 0 & echo $!; exec sleep 30", (pid) => {
      const at = new Date().toISOString();
      query(
        t,
        `INSERT INTO locks VALUES ('run', ?, ?, 'import', ?, ?) RETURNING name`,
        pid,
        hostname(),
        at,
        at,
      );
      assert.equal(processAlive(pid), false);
      t.acquireLock("run", "sync");
    });
  });
});

Deno.test("a lock from another host is taken over only when its heartbeat is stale", async () => {
  await withTracker((t) => {
    const old = new Date(Date.now() - 3600_000).toISOString();
    query(
      t,
      `INSERT INTO locks VALUES ('run', 1, 'other-host', 'import', ?, ?) RETURNING name`,
      old,
      new Date().toISOString(),
    );
    assert.throws(() => t.acquireLock("run", "sync"), LockedError);
    query(t, `UPDATE locks SET heartbeat_at = ? RETURNING name`, old);
    t.acquireLock("run", "sync");
  });
});

Deno.test("a run left 'running' by a dead process is reported as interrupted", async () => {
  await withTracker((t) => {
    const id = t.startRun("import", false);
    query(t, `UPDATE runs SET pid = 999999999 WHERE id = ? RETURNING id`, id);
    assert.equal(t.recentRuns()[0].status, "interrupted");
    const live = t.startRun("import", true);
    assert.equal(t.recentRuns()[0].status, "running");
    t.finishRun(live, "succeeded", { imported: 1 });
    assert.deepEqual(t.recentRuns()[0].summary, { imported: 1 });
  });
});

Deno.test("recordSkipped() marks a policy skip, but never demotes an asset already imported", async () => {
  await withTracker((t) => {
    t.recordSkipped(IDS, asset("s1"), "unpicked burst frame");
    assert.deepEqual(t.transfers(IDS.source, IDS.destination).get("s1")?.errorClass, "policy");
    const a = asset("i1");
    imported(t, a);
    t.recordSkipped(IDS, a, "unpicked burst frame");
    const state = t.transfers(IDS.source, IDS.destination).get("i1")!;
    assert.deepEqual([state.status, state.errorClass], ["imported", null]);
    assert.deepEqual(t.remoteIds(IDS, "i1"), { original: "remote-1" });
  });
});

Deno.test("the signal test (what a machine without /proc has) finds this process and a running child, not a reaped one", async () => {
  assert.equal(signalAlive(Deno.pid), true);
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  assert.equal(signalAlive(child.pid), true);
  child.kill("SIGKILL");
  await child.status;
  assert.equal(signalAlive(child.pid), false);
});
