/**
 * Backup, restore and verify runs with the real rclone: destination.b2 over a local folder (what a
 * bucket would hold); cold storage is in backup_restore_test.ts. Failures are injected by
 * wrapping the real session, so everything else is the real path.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { testContext } from "../plugin/testing/mod.ts";
import { FatalError, PermanentError, RetryableError } from "../plugin/errors.ts";
import { optionValues } from "../plugin/options.ts";
import type { BackupTargetSession, TreeBackupRequest } from "../plugin/types.ts";
import { BackupStore } from "../tracker/backup.ts";
import { Tracker } from "../tracker/mod.ts";
import b2 from "../../plugins/destination/b2/mod.ts";
import { type BackupEvent, type BackupOptions, runBackup } from "./backup.ts";
import { runRestore } from "./backup_restore.ts";
import { backupSources, TRACKER_SNAPSHOT } from "./backup_sources.ts";
import { verifyBackup } from "./backup_verify.ts";

const SECRETS = { "encryption-password": "engine test password", "encryption-salt": "engine test salt" };

async function write(root: string, files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    await Deno.mkdir(join(root, rel, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, rel), content);
  }
}

async function read(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, prefix: string) {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(join(dir, e.name), `${prefix}${e.name}/`);
      else out[prefix + e.name] = await Deno.readTextFile(join(dir, e.name));
    }
  }
  await walk(root, "");
  return out;
}

interface World {
  dir: string;
  immich: string;
  home: string;
  tracker: Tracker;
  store: BackupStore;
  session: BackupTargetSession;
  options: (extra?: Partial<BackupOptions>) => Promise<BackupOptions>;
}

/** An Immich upload location, a data directory with a tracker, and b2 over a local folder. */
async function withWorld(fn: (w: World) => Promise<void>) {
  await using ctx = await testContext();
  const dir = ctx.tempDir;
  const immich = join(dir, "immich");
  const home = join(dir, "home");
  await write(immich, {
    "library/admin/2024/01/IMG_0001.HEIC": "heic 1",
    "library/admin/2024/01/IMG_0002.MOV": "mov 2",
    "upload/admin/ab/cd/new.jpg": "fresh upload",
    "profile/admin/face.jpg": "face",
    "thumbs/admin/x.webp": "thumbnail",
    "encoded-video/admin/y.mp4": "transcode",
  });
  await Deno.mkdir(home, { recursive: true });
  await Deno.writeTextFile(join(home, ".env"), "PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD=never-back-me-up\n");
  await Deno.writeTextFile(join(home, "tracker.db.checked"), "{}"); // an earlier run's seal
  const tracker = Tracker.open(join(home, "tracker.db"));
  try {
    const store = new BackupStore(tracker);
    const destination = store.saveDestination({ name: "b2", type: "b2", bucket: "local", remotePath: "" });
    const session = await b2.backup.open(
      optionValues(b2.id, b2.options, { ...SECRETS, remote: join(dir, "remote") }),
      ctx,
    );
    const options = async (extra: Partial<BackupOptions> = {}): Promise<BackupOptions> => ({
      store,
      destination,
      session,
      sources: await backupSources({ immichPath: immich, dataDir: home }),
      dryRun: false,
      maxRetries: 3,
      statsSeconds: 1,
      retentionDays: 90,
      snapshot: async () => {
        await Deno.mkdir(join(home, "backup-snapshot"), { recursive: true });
        await Deno.remove(join(home, TRACKER_SNAPSHOT)).catch(() => {});
        tracker.snapshotTo(join(home, TRACKER_SNAPSHOT));
      },
      signal: ctx.signal,
      backoff: () => 0,
      ...extra,
    });
    await fn({ dir, immich, home, tracker, store, session, options });
  } finally {
    tracker.close();
  }
}

/** The real session, with `backupTree` failing as `fail` says for the first calls of a source. */
function failing(
  session: BackupTargetSession,
  fail: (req: TreeBackupRequest, call: number) => Error | undefined,
) {
  const calls = new Map<string, number>();
  return {
    ...session,
    backupTree(req: TreeBackupRequest) {
      const call = (calls.get(req.name) ?? 0) + 1;
      calls.set(req.name, call);
      const error = fail(req, call);
      return error ? Promise.reject(error) : session.backupTree(req);
    },
  };
}

Deno.test("a backup run copies each source to its own place, and a restore gives it back verified", async () => {
  await withWorld(async (w) => {
    const events: BackupEvent[] = [];
    const summary = await runBackup({ ...await w.options(), onEvent: (e) => events.push(e) });
    assert.equal(summary.status, "succeeded");
    assert.deepEqual(summary.jobs.map((j) => [j.source, j.status]), [
      ["library", "succeeded"],
      ["upload", "succeeded"],
      ["profile", "succeeded"],
      ["data", "succeeded"],
    ]);
    assert.equal(summary.jobs[0].copied, 2);
    assert.ok(events.some((e) => e.type === "progress"), "progress was reported");
    assert.equal(w.store.runs(1)[0].status, "succeeded");
    assert.ok(w.store.destination("b2")!.lastBackupAt);

    const into = join(w.dir, "restored");
    const restored = await runRestore({
      session: w.session,
      canWarmUp: false,
      into,
      signal: new AbortController().signal,
    });
    assert.equal(restored.complete, true);
    assert.deepEqual(restored.verified, { matching: restored.files, missing: 0, differs: 0, extra: 0 });
    const got = await read(into);
    // Every source in its own folder; thumbnails and transcodes are not backed up.
    for (const [rel, content] of Object.entries(await read(w.immich))) {
      if (rel.startsWith("thumbs/") || rel.startsWith("encoded-video/")) assert.equal(got[rel], undefined);
      else assert.equal(got[rel], content, rel);
    }
    // The data directory: a consistent snapshot of the tracker instead of the live file, no .env.
    assert.ok(got[`data/${TRACKER_SNAPSHOT}`] !== undefined);
    assert.equal(got["data/tracker.db"], undefined);
    assert.equal(got["data/tracker.db.checked"], undefined);
    assert.equal(got["data/.env"], undefined);
  });
});

Deno.test("the next run does real work, and a file deleted at the source stays restorable from the archive", async () => {
  await withWorld(async (w) => {
    await runBackup(await w.options());
    await Deno.remove(join(w.immich, "library/admin/2024/01/IMG_0002.MOV"));
    await write(w.immich, { "library/admin/2024/02/IMG_0003.HEIC": "heic 3" });
    const second = await runBackup(await w.options());
    assert.equal(second.resumed, false);
    assert.notEqual(second.runId, 1);
    const library = second.jobs.find((j) => j.source === "library")!;
    assert.deepEqual([library.copied, library.archived], [1, 1]);

    const into = join(w.dir, "from-archive");
    const r = await runRestore({
      session: w.session,
      canWarmUp: false,
      source: "library",
      archive: second.archive,
      into,
      signal: new AbortController().signal,
    });
    assert.equal(r.complete, true);
    assert.deepEqual(await read(into), { "library/admin/2024/01/IMG_0002.MOV": "mov 2" });

    const verify = await verifyBackup(w.session, (await w.options()).sources);
    assert.ok(
      verify.every((v) => v.notBackedUp === 0 && v.differs === 0 && v.onlyInBackup === 0),
      JSON.stringify(verify),
    );
  });
});

Deno.test("a retryable failure is retried with the job's attempts counted; a permanent one does not stop the others", async () => {
  await withWorld(async (w) => {
    const events: BackupEvent[] = [];
    const session = failing(w.session, (req, call) => {
      if (req.name === "library" && call === 1) return new RetryableError("network blip");
      if (req.name === "upload") return new PermanentError("upload is broken for good");
    });
    const summary = await runBackup({ ...await w.options({ session }), onEvent: (e) => events.push(e) });
    assert.equal(summary.status, "failed");
    const by = Object.fromEntries(summary.jobs.map((j) => [j.source, j]));
    assert.deepEqual([by.library.status, by.library.attempts], ["succeeded", 2]);
    assert.deepEqual([by.upload.status, by.upload.attempts, by.upload.error], [
      "failed",
      1,
      "upload is broken for good",
    ]);
    assert.equal(by.profile.status, "succeeded");
    assert.equal(by.data.status, "succeeded");
    assert.ok(events.some((e) => e.type === "retry" && e.source === "library"));
    const jobs = w.store.jobs(summary.runId!);
    assert.deepEqual(jobs.map((j) => [j.source, j.status, j.retryCount]), [
      ["library", "succeeded", 1],
      ["upload", "failed", 1],
      ["profile", "succeeded", 0],
      ["data", "succeeded", 0],
    ]);
  });
});

Deno.test("a job that keeps failing stops after BACKUP_MAX_RETRIES attempts", async () => {
  await withWorld(async (w) => {
    const session = failing(
      w.session,
      (req) => req.name === "profile" ? new RetryableError("timeout") : undefined,
    );
    const summary = await runBackup(await w.options({ session, maxRetries: 2 }));
    const profile = summary.jobs.find((j) => j.source === "profile")!;
    assert.deepEqual([profile.status, profile.attempts], ["failed", 2]);
    assert.equal(summary.status, "failed");
  });
});

Deno.test("a fatal error stops the run: later jobs are not attempted and the run can be resumed", async () => {
  await withWorld(async (w) => {
    const session = failing(
      w.session,
      (req) => req.name === "upload" ? new FatalError("credentials revoked") : undefined,
    );
    await assert.rejects(async () => runBackup(await w.options({ session })), /credentials revoked/);
    const run = w.store.runs(1)[0];
    assert.equal(run.status, "failed");
    assert.deepEqual(w.store.jobs(run.id).map((j) => [j.source, j.status]), [
      ["library", "succeeded"],
      ["upload", "failed"],
      ["profile", "pending"],
      ["data", "pending"],
    ]);
  });
});

Deno.test("a dry run changes nothing: no run record, no marker at the destination, only counts", async () => {
  await withWorld(async (w) => {
    const summary = await runBackup(await w.options({ dryRun: true }));
    assert.equal(summary.runId, null);
    assert.deepEqual(summary.jobs.map((j) => [j.source, j.status, j.wouldCopy]), [
      ["library", "dry-run", 2],
      ["upload", "dry-run", 1],
      ["profile", "dry-run", 1],
      ["data", "dry-run", 0],
    ]);
    assert.equal(w.store.runs(1).length, 0);
    assert.equal(w.store.destination("b2")!.lastBackupAt, null);
    await assert.rejects(() => Deno.stat(join(w.dir, "remote")), Deno.errors.NotFound);
    await assert.rejects(() => Deno.stat(join(w.home, TRACKER_SNAPSHOT)), Deno.errors.NotFound);
  });
});

Deno.test("archive areas older than the retention are removed after a completed run, newer ones kept", async () => {
  await withWorld(async (w) => {
    const daysAgo = (n: number) => () => new Date(Date.now() - n * 86_400_000);
    // Earlier runs keep everything (retention 0), so that there is something to expire today.
    await runBackup(await w.options({ now: daysAgo(120), retentionDays: 0 }));
    await Deno.remove(join(w.immich, "profile/admin/face.jpg"));
    const old = await runBackup(await w.options({ now: daysAgo(100), retentionDays: 0 }));
    await Deno.remove(join(w.immich, "upload/admin/ab/cd/new.jpg"));
    const recent = await runBackup(await w.options({ now: daysAgo(10), retentionDays: 0 }));
    assert.deepEqual(await w.session.archives(), [old.archive, recent.archive]);
    const today = await runBackup(await w.options({ retentionDays: 90 }));
    assert.deepEqual(today.pruned, [old.archive]);
    // Today's run has an area too: it moved the previous tracker snapshot there.
    assert.deepEqual(await w.session.archives(), [recent.archive, today.archive]);
  });
});

Deno.test("a source that became empty is not mirrored (an unmounted disk) unless forced", async () => {
  await withWorld(async (w) => {
    await runBackup(await w.options());
    await Deno.remove(join(w.immich, "profile"), { recursive: true });
    await Deno.mkdir(join(w.immich, "profile"));
    const refused = await runBackup(await w.options());
    const profile = refused.jobs.find((j) => j.source === "profile")!;
    assert.equal(profile.status, "failed");
    assert.match(profile.error!, /is empty but earlier backups copied files from it.*--force/);
    const forced = await runBackup(await w.options({ force: true }));
    const again = forced.jobs.find((j) => j.source === "profile")!;
    assert.deepEqual([again.status, again.archived], ["succeeded", 1]);
  });
});
