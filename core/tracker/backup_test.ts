import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { archiveStamp, BackupBusyError, backupStatus, BackupStore } from "./backup.ts";
import { MIGRATIONS } from "./migrations.ts";
import { Tracker } from "./mod.ts";
import { execute } from "./_testing.ts";

const SOURCES = [
  { name: "library", path: "/immich/library", remotePath: "current/library" },
  { name: "upload", path: "/immich/upload", remotePath: "current/upload" },
  { name: "data", path: "/home/data", remotePath: "current/data" },
];
const STALE = 60_000;

async function withStore(fn: (s: BackupStore, t: Tracker, dir: string) => void | Promise<void>) {
  const dir = await Deno.makeTempDir();
  const t = Tracker.open(join(dir, "tracker.db"));
  try {
    await fn(new BackupStore(t), t, dir);
  } finally {
    t.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command("true").spawn();
  await child.status;
  return child.pid;
}

function destination(s: BackupStore) {
  return s.saveDestination({ name: "b2", type: "b2", bucket: "photos", remotePath: "photos-sync" });
}

Deno.test("beginRun creates one pending job per source, in priority order, with a dated archive area", async () => {
  await withStore((s, t) => {
    const d = destination(s);
    const at = new Date("2025-03-04T05:06:07.890Z");
    const { run, resumed } = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE, at });
    assert.equal(resumed, false);
    assert.equal(run.archiveStamp, "20250304T050607Z");
    assert.equal(run.pid, Deno.pid);
    // The run's clock is the caller's; its owner is this process, taken now, never a reused id.
    assert.notEqual(backupStatus(t, { staleAfterMs: STALE }).destinations[0].run!.owner.state, "dead");
    const jobs = s.jobs(run.id);
    assert.deepEqual(jobs.map((j) => [j.source, j.status, j.priority]), [
      ["library", "pending", 1],
      ["upload", "pending", 2],
      ["data", "pending", 3],
    ]);
    assert.equal(jobs[0].remotePath, "current/library");
  });
});

Deno.test("beginRun refuses while this process already runs a backup to the destination", async () => {
  await withStore((s) => {
    const d = destination(s);
    s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    assert.throws(() => s.beginRun(d.id, SOURCES, { staleAfterMs: STALE, force: true }), BackupBusyError);
  });
});

Deno.test("a run whose owner process is dead is taken over and only its unfinished jobs run again", async () => {
  await withStore(async (s, t) => {
    const d = destination(s);
    const { run } = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    const [library, upload] = s.jobs(run.id);
    s.jobCompleted(library.id, {
      bytesTotal: 10,
      bytesTransferred: 10,
      filesTotal: 1,
      filesTransferred: 1,
      speed: 0,
      etaSeconds: 0,
    });
    s.jobStarted(upload.id);
    // The owner dies mid-job: its rows still say running, with a fresh heartbeat.
    const pid = await deadPid();
    execute(t, `UPDATE backup_runs SET pid = ? WHERE id = ?`, pid, run.id);

    const before = backupStatus(t, { staleAfterMs: STALE }).destinations[0].run!;
    assert.equal(before.status, "interrupted");
    assert.equal(before.stale, true);
    assert.equal(before.owner.state, "dead");
    assert.equal(before.jobs.find((j) => j.source === "upload")!.status, "interrupted");

    const taken = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    assert.equal(taken.resumed, true);
    assert.equal(taken.run.id, run.id);
    assert.equal(taken.previousOwner?.pid, pid);
    assert.equal(s.run(run.id)!.pid, Deno.pid);
    assert.deepEqual(s.jobsToRun(run.id, 3).map((j) => [j.source, j.status]), [
      ["upload", "interrupted"],
      ["data", "pending"],
    ]);
  });
});

Deno.test("a run owned by another host with a stale heartbeat needs --force; a live one is never taken", async () => {
  await withStore((s, t) => {
    const d = destination(s);
    const { run } = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    execute(
      t,
      `UPDATE backup_runs SET host = 'other-host', pid = 1, heartbeat_at = ? WHERE id = ?`,
      new Date(Date.now() - 10 * STALE).toISOString(),
      run.id,
    );
    assert.throws(() => s.beginRun(d.id, SOURCES, { staleAfterMs: STALE }), /--force/);
    assert.equal(s.beginRun(d.id, SOURCES, { staleAfterMs: STALE, force: true }).resumed, true);

    execute(
      t,
      `UPDATE backup_runs SET host = 'other-host', pid = 1, heartbeat_at = ? WHERE id = ?`,
      new Date().toISOString(),
      run.id,
    );
    assert.throws(
      () => s.beginRun(d.id, SOURCES, { staleAfterMs: STALE, force: true }),
      /another photos-sync is backing up/,
    );
  });
});

Deno.test("every run after a completed one is a new run with all jobs to do", async () => {
  await withStore((s) => {
    const d = destination(s);
    const first = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE }).run;
    for (const j of s.jobs(first.id)) {
      s.jobStarted(j.id);
      s.jobCompleted(j.id, {
        bytesTotal: 1,
        bytesTransferred: 1,
        filesTotal: 1,
        filesTransferred: 1,
        speed: 0,
        etaSeconds: 0,
      });
    }
    s.finishRun(first.id, "succeeded");
    assert.ok(s.destination("b2")!.lastBackupAt);
    const second = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    assert.equal(second.resumed, false);
    assert.notEqual(second.run.id, first.id);
    assert.equal(s.jobsToRun(second.run.id, 3).length, SOURCES.length);
  });
});

Deno.test("an interrupted run stays open and is resumed by the next run", async () => {
  await withStore((s) => {
    const d = destination(s);
    const { run } = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    s.jobStarted(s.jobs(run.id)[0].id);
    s.finishRun(run.id, "interrupted");
    assert.equal(s.jobs(run.id)[0].status, "interrupted");
    assert.equal(s.openRun(d.id)?.id, run.id);
    assert.equal(s.destination("b2")!.lastBackupAt, null);
    const again = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    assert.deepEqual([again.resumed, again.run.id], [true, run.id]);
  });
});

Deno.test("progress that arrives after a job completed does not make it running again", async () => {
  await withStore((s) => {
    const d = destination(s);
    const { run } = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    const job = s.jobs(run.id)[0];
    s.jobStarted(job.id);
    const p = {
      bytesTotal: 100,
      bytesTransferred: 50,
      filesTotal: 2,
      filesTransferred: 1,
      speed: 9,
      etaSeconds: 5,
    };
    s.jobProgress(job.id, p);
    assert.equal(s.job(job.id)!.bytesTransferred, 50);
    s.jobCompleted(job.id, { ...p, bytesTransferred: 100, filesTransferred: 2 });
    s.jobProgress(job.id, p);
    assert.deepEqual([s.job(job.id)!.status, s.job(job.id)!.bytesTransferred], ["succeeded", 100]);
  });
});

Deno.test("failed attempts count up and stop being selected at the retry limit", async () => {
  await withStore((s) => {
    const d = destination(s);
    const { run } = s.beginRun(d.id, SOURCES.slice(0, 1), { staleAfterMs: STALE });
    const job = s.jobs(run.id)[0];
    s.jobFailed(job.id, "network down");
    assert.equal(s.jobsToRun(run.id, 2).length, 1);
    s.jobFailed(job.id, "network down again");
    assert.equal(s.jobsToRun(run.id, 2).length, 0);
    assert.deepEqual([s.job(job.id)!.retryCount, s.job(job.id)!.error], [2, "network down again"]);
  });
});

Deno.test("reset forgets the destination's runs but refuses while a live process backs up", async () => {
  await withStore((s) => {
    const d = destination(s);
    const { run } = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    assert.throws(() => s.reset(d.id, { staleAfterMs: STALE }), BackupBusyError);
    s.finishRun(run.id, "failed");
    assert.deepEqual(s.reset(d.id, { staleAfterMs: STALE }), { runs: 1, jobs: 3 });
    assert.equal(s.runs(d.id).length, 0);
    assert.ok(s.destination("b2"), "the destination itself stays");
  });
});

Deno.test("cold-storage state is kept per object and keeps the first request time", async () => {
  await withStore((s) => {
    const d = destination(s);
    s.setColdState(d.id, {
      paths: ["current/library/a.jpg", "current/library/b.jpg", "current/upload/c.jpg"],
      state: "cold",
    });
    s.setColdState(d.id, { paths: ["current/library/a.jpg"], state: "requested" });
    const requestedAt = s.coldObjects(d.id).get("current/library/a.jpg")!.requestedAt;
    assert.ok(requestedAt);
    s.setColdState(d.id, { paths: ["current/library/a.jpg"], state: "restored" });
    const lib = s.coldObjects(d.id, "current/library/");
    assert.deepEqual([...lib.keys()].sort(), ["current/library/a.jpg", "current/library/b.jpg"]);
    assert.equal(lib.get("current/library/a.jpg")!.state, "restored");
    assert.equal(lib.get("current/library/a.jpg")!.requestedAt, requestedAt);
    assert.deepEqual(s.coldCounts(d.id), { cold: 2, requested: 0, restored: 1 });
  });
});

Deno.test("the status document shows the newest run with per-job progress and totals", async () => {
  await withStore((s, t) => {
    const d = destination(s);
    const { run } = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    const job = s.jobs(run.id)[0];
    s.jobStarted(job.id);
    s.jobProgress(job.id, {
      bytesTotal: 200,
      bytesTransferred: 50,
      filesTotal: 4,
      filesTransferred: 1,
      speed: 10,
      etaSeconds: 15,
    });
    const doc = backupStatus(t, { destination: "b2", staleAfterMs: STALE });
    const dest = doc.destinations[0];
    assert.equal(dest.run!.status, "running");
    assert.equal(dest.run!.stale, false);
    assert.deepEqual(dest.counts, { pending: 2, running: 1, succeeded: 0, interrupted: 0, failed: 0 });
    const j = dest.run!.jobs[0];
    assert.deepEqual([j.percent, j.speed, j.etaSeconds], [25, 10, 15]);
    assert.equal(dest.run!.totals.bytesTotal, 200);
    assert.equal(backupStatus(t, { destination: "glacier" }).destinations.length, 0);
  });
});

Deno.test("archive stamps sort in time order and contain no characters awkward in folder names", () => {
  const a = archiveStamp(new Date("2025-01-02T03:04:05.000Z"));
  const b = archiveStamp(new Date("2025-01-10T00:00:00.000Z"));
  assert.equal(a, "20250102T030405Z");
  assert.ok(a < b);
  assert.match(a, /^[0-9TZ]+$/);
});

Deno.test("a version-1 tracker with backup rows migrates to the latest schema without losing them", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "tracker.db");
    Tracker.open(path, { migrations: MIGRATIONS.slice(0, 1) }).close();
    const db = new DatabaseSync(path);
    db.exec(
      `INSERT INTO backup_destinations (name, type, bucket_name, created_at) VALUES ('b2', 'b2', 'x', 'now')`,
    );
    db.exec(
      `INSERT INTO backup_runs (destination_id, started_at, status, pid, host) VALUES (1, 'now', 'FAILED', 1, 'h')`,
    );
    db.close();
    const t = Tracker.open(path);
    try {
      const s = new BackupStore(t);
      assert.equal(s.destination("b2")!.bucket, "x");
      assert.equal(s.runs(1)[0].status, "failed");
      assert.equal(s.runs(1)[0].archiveStamp, null);
    } finally {
      t.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a schema-6 tracker's uppercase backup statuses become the words of every run, ids keep counting", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "tracker.db");
    const old = Tracker.open(path, { migrations: MIGRATIONS.slice(0, 6) });
    const at = new Date().toISOString();
    execute(
      old,
      `INSERT INTO backup_destinations (name, type, bucket_name, created_at) VALUES ('b2', 'b2', 'x', ?)`,
      at,
    );
    execute(
      old,
      `INSERT INTO backup_runs (destination_id, started_at, ended_at, status, pid, host) VALUES (1, ?, ?, 'COMPLETED', 1, 'h'),
         (1, ?, NULL, 'INTERRUPTED', 1, 'h')`,
      at,
      at,
      at,
    );
    for (
      const [run, status] of [[1, "COMPLETED"], [2, "FAILED"], [2, "PENDING"], [2, "RUNNING"], [
        2,
        "INTERRUPTED",
      ]]
    ) {
      execute(
        old,
        `INSERT INTO backup_jobs (run_id, destination_id, source_path, remote_path, source_name, status, last_update)
         VALUES (?, 1, '/p', 'current/p', 'p', ?, ?)`,
        run,
        status,
        at,
      );
    }
    execute(old, `DELETE FROM backup_jobs WHERE id = 5`); // the sequence is ahead of the highest id
    old.close();

    const t = Tracker.open(path);
    try {
      const s = new BackupStore(t);
      assert.deepEqual(s.runs(1).map((r) => r.status), ["interrupted", "succeeded"]);
      assert.deepEqual(s.jobs(2).map((j) => j.status), ["failed", "pending", "running"]);
      assert.equal(s.jobs(1)[0].status, "succeeded");
      // The rebuilt table refuses the old words and goes on from the old sequence.
      assert.throws(() => execute(t, `UPDATE backup_jobs SET status = 'COMPLETED' WHERE id = 1`), /CHECK/);
      const resumed = s.beginRun(1, [{ name: "q", path: "/q", remotePath: "current/q" }], {
        staleAfterMs: STALE,
      });
      assert.deepEqual([resumed.resumed, resumed.run.id], [true, 2]);
      assert.equal(s.jobs(2).find((j) => j.source === "q")!.id, 6);
      assert.deepEqual(s.jobs(2).map((j) => j.status), ["failed", "pending", "interrupted", "pending"]);
    } finally {
      t.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a run whose owner's process id now belongs to a newer process of this host is dead", async () => {
  await withStore(async (s, t) => {
    const d = destination(s);
    const { run } = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      const hourAgo = new Date(Date.now() - 3600_000).toISOString();
      execute(t, `UPDATE backup_runs SET pid = ?, owner_since = ? WHERE id = ?`, child.pid, hourAgo, run.id);
      assert.equal(backupStatus(t, { staleAfterMs: STALE }).destinations[0].run!.owner.state, "dead");
      // Taken by that process just now: it is the owner, alive.
      execute(t, `UPDATE backup_runs SET owner_since = ? WHERE id = ?`, new Date().toISOString(), run.id);
      assert.equal(backupStatus(t, { staleAfterMs: STALE }).destinations[0].run!.owner.state, "live");
      assert.throws(
        () => s.beginRun(d.id, SOURCES, { staleAfterMs: STALE }),
        /another photos-sync is backing up/,
      );
    } finally {
      child.kill("SIGKILL");
      await child.status;
    }
  });
});
