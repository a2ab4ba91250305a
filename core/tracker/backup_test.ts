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
  await withStore((s) => {
    const d = destination(s);
    const at = new Date("2025-03-04T05:06:07.890Z");
    const { run, resumed } = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE, at });
    assert.equal(resumed, false);
    assert.equal(run.archiveStamp, "20250304T050607Z");
    assert.equal(run.pid, Deno.pid);
    const jobs = s.jobs(run.id);
    assert.deepEqual(jobs.map((j) => [j.source, j.status, j.priority]), [
      ["library", "PENDING", 1],
      ["upload", "PENDING", 2],
      ["data", "PENDING", 3],
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
    // The owner dies mid-job: its rows still say RUNNING, with a fresh heartbeat.
    const pid = await deadPid();
    execute(t, `UPDATE backup_runs SET pid = ? WHERE id = ?`, pid, run.id);

    const before = backupStatus(t, { staleAfterMs: STALE }).destinations[0].run!;
    assert.equal(before.status, "INTERRUPTED");
    assert.equal(before.stale, true);
    assert.equal(before.owner.state, "dead");
    assert.equal(before.jobs.find((j) => j.source === "upload")!.status, "INTERRUPTED");

    const taken = s.beginRun(d.id, SOURCES, { staleAfterMs: STALE });
    assert.equal(taken.resumed, true);
    assert.equal(taken.run.id, run.id);
    assert.equal(taken.previousOwner?.pid, pid);
    assert.equal(s.run(run.id)!.pid, Deno.pid);
    assert.deepEqual(s.jobsToRun(run.id, 3).map((j) => [j.source, j.status]), [
      ["upload", "INTERRUPTED"],
      ["data", "PENDING"],
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
    s.finishRun(first.id, "COMPLETED");
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
    s.finishRun(run.id, "INTERRUPTED");
    assert.equal(s.jobs(run.id)[0].status, "INTERRUPTED");
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
    assert.deepEqual([s.job(job.id)!.status, s.job(job.id)!.bytesTransferred], ["COMPLETED", 100]);
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
    s.finishRun(run.id, "FAILED");
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
    assert.equal(dest.run!.status, "RUNNING");
    assert.equal(dest.run!.stale, false);
    assert.deepEqual(dest.counts, { PENDING: 2, RUNNING: 1, COMPLETED: 0, INTERRUPTED: 0, FAILED: 0 });
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
      assert.equal(s.runs(1)[0].status, "FAILED");
      assert.equal(s.runs(1)[0].archiveStamp, null);
    } finally {
      t.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
