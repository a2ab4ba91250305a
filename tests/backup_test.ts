/**
 * `photos-sync backup` end to end with the real rclone, the b2 destination pointed at a local
 * folder (B2 itself cannot be reached from CI), a fake `op` for 1Password, and the Glacier stub.
 * Most runs are in-process through `runCli`; the kill test runs the real binary in a subprocess.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { runCli } from "../core/cli/mod.ts";
import { memoryOutput } from "../core/cli/output.ts";
import { backupStatus as serveBackups } from "../core/server/backup_status.ts";
import { backupStatus, BackupStore } from "../core/tracker/backup.ts";
import { Tracker } from "../core/tracker/mod.ts";
import { BUILTIN_PLUGINS, writeSampleLibrary } from "../plugins/mod.ts";
import { listFiles, spawnCli, withTempDir } from "./_cli.ts";
import { opCalls, setOpSignedIn, writeFakeOp } from "./fake_tools.ts";
import { startGlacierStub } from "./s3_glacier_stub.ts";
import { execute } from "../core/tracker/_testing.ts";

const PASSWORD = "e2e encryption password, long";
const SALT = "e2e encryption salt, also long";

interface World {
  dir: string;
  immich: string;
  home: string;
  remote: string;
  env: Record<string, string>;
}

async function world(dir: string): Promise<World> {
  const immich = join(dir, "immich");
  const home = join(dir, "home");
  const remote = join(dir, "remote");
  for (
    const [rel, content] of Object.entries({
      "library/admin/2024/IMG_0001.HEIC": "heic one",
      "library/admin/2024/IMG_0002.MOV": "mov two",
      "upload/admin/x.jpg": "upload x",
      "backups/immich-db-backup-1.sql.gz": "dump",
    })
  ) {
    await Deno.mkdir(join(immich, rel, ".."), { recursive: true });
    await Deno.writeTextFile(join(immich, rel), content);
  }
  await Deno.mkdir(home, { recursive: true });
  return {
    dir,
    immich,
    home,
    remote,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: dir,
      PHOTOS_SYNC_HOME: home,
      BACKUP_IMMICH_PATH: immich,
      BACKUP_STATS_INTERVAL: "1",
      BACKUP_CREDENTIALS: "env",
      PHOTOS_SYNC_B2_REMOTE: remote,
      PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD: PASSWORD,
      PHOTOS_SYNC_B2_ENCRYPTION_SALT: SALT,
    },
  };
}

async function backup(args: string[], env: Record<string, string>) {
  const output = memoryOutput();
  const code = await runCli(["backup", ...args], {
    plugins: BUILTIN_PLUGINS,
    writeSampleLibrary,
    output,
    env,
  });
  return { code, stdout: output.stdout.join("\n"), stderr: output.stderr.join("\n") };
}

async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of await listFiles(root)) out[rel] = await Deno.readTextFile(join(root, rel));
  return out;
}

Deno.test("backup then restore gives back every Immich folder byte for byte, verified", async () => {
  await withTempDir(async (dir) => {
    const w = await world(dir);
    const run = await backup([], w.env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /backup run #1 to b2: succeeded/);
    assert.match(run.stdout, /library\s+completed: 2 copied/);
    const restored = await backup(["--restore", "--into", join(dir, "restored")], w.env);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /verified: \d+ files match the backup/);
    const got = await readTree(join(dir, "restored"));
    for (const [rel, content] of Object.entries(await readTree(w.immich))) {
      assert.equal(got[rel], content, rel);
    }
    assert.ok(got["data/backup-snapshot/tracker.db"] !== undefined, "the tracker is in the backup");
  });
});

Deno.test("a backup killed mid-transfer resumes its run and completes", async () => {
  await withTempDir(async (dir) => {
    const w = await world(dir);
    const big = new Uint8Array(300_000);
    for (let i = 0; i < 8; i++) {
      crypto.getRandomValues(big.subarray(0, 65536));
      await Deno.writeFile(join(w.immich, `library/admin/2024/VID_${i}.MOV`), big);
    }
    // Slow enough to be caught mid-transfer: about 8 s for 2.4 MB.
    const child = spawnCli(["backup", "--b2-bwlimit", "300k"], w.env);
    const stderr = new Response(child.stderr).text();
    const db = join(w.home, "tracker.db");
    const deadline = Date.now() + 60_000;
    let transferring = false;
    while (!transferring && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      try {
        const conn = new DatabaseSync(db, { readOnly: true });
        try {
          transferring = (conn.prepare(
            `SELECT COUNT(*) AS n FROM backup_jobs WHERE status = 'running' AND bytes_transferred > 0`,
          ).get() as { n: number }).n > 0;
        } finally {
          conn.close();
        }
      } catch { /* not created yet */ }
    }
    assert.ok(transferring, "the backup started transferring");
    child.kill("SIGKILL");
    await child.status;
    await stderr;

    const again = await backup([], w.env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /resuming backup run #1/);
    assert.match(again.stdout, /backup run #1 to b2: succeeded/);
    const tracker = Tracker.open(db);
    try {
      const runs = new BackupStore(tracker).runs(1);
      assert.deepEqual(runs.map((r) => [r.id, r.status]), [[1, "succeeded"]]);
    } finally {
      tracker.close();
    }
    const restored = await backup(["--restore", "library", "--into", join(dir, "out")], w.env);
    assert.equal(restored.code, 0, restored.stdout + restored.stderr);
    assert.deepEqual(
      await readTree(join(dir, "out/library")),
      await readTree(join(w.immich, "library")),
    );
  });
});

Deno.test("a job left running by a dead process is taken over, not left stuck", async () => {
  await withTempDir(async (dir) => {
    const w = await world(dir);
    assert.equal((await backup(["--setup", "--yes"], w.env)).code, 0);
    const tracker = Tracker.open(join(w.home, "tracker.db"));
    let runId: number;
    try {
      const store = new BackupStore(tracker);
      const sources = ["library", "upload", "backups", "data"].map((name) => ({
        name,
        path: name === "data" ? w.home : join(w.immich, name),
        remotePath: `current/${name}`,
      }));
      runId = store.beginRun(store.destination("b2")!.id, sources, { staleAfterMs: 60_000 }).run.id;
      store.jobStarted(store.jobs(runId)[0].id);
      const gone = new Deno.Command("true").spawn();
      await gone.status;
      execute(
        tracker,
        `UPDATE backup_runs SET pid = ?, heartbeat_at = ? WHERE id = ?`,
        gone.pid,
        new Date(Date.now() - 3600_000).toISOString(),
        runId,
      );
    } finally {
      tracker.close();
    }
    const status = await backup(["--status"], w.env);
    assert.match(status.stdout, new RegExp(`run #${runId}: interrupted \\(its process \\d+ is gone`));
    // serve shows the same: the job the dead process held is interrupted, not running forever.
    const reader = Tracker.open(join(w.home, "tracker.db"));
    try {
      const served = serveBackups(reader).runs.find((r) => r.id === runId)!;
      assert.equal(served.status, "interrupted");
      assert.deepEqual(served.jobs.map((j) => j.status), ["interrupted", "pending", "pending", "pending"]);
    } finally {
      reader.close();
    }
    const run = await backup([], w.env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`resuming backup run #${runId}`));
    assert.match(run.stdout, new RegExp(`backup run #${runId} to b2: succeeded`));
  });
});

Deno.test("a file deleted at the source is restored from the run's archive area", async () => {
  await withTempDir(async (dir) => {
    const w = await world(dir);
    assert.equal((await backup([], w.env)).code, 0);
    await Deno.remove(join(w.immich, "library/admin/2024/IMG_0002.MOV"));
    const second = await backup(["--json"], w.env);
    assert.equal(second.code, 0, second.stderr);
    const summary = JSON.parse(second.stdout.split("\n").at(-1)!);
    assert.equal(summary.jobs.find((j: { source: string }) => j.source === "library").archived, 1);

    const latest = await backup(["--restore", "library", "--into", join(dir, "now")], w.env);
    assert.equal(latest.code, 0);
    assert.deepEqual(await listFiles(join(dir, "now/library")), ["admin/2024/IMG_0001.HEIC"]);

    const old = await backup(
      ["--restore", "library", "--archive", summary.archive, "--into", join(dir, "old")],
      w.env,
    );
    assert.equal(old.code, 0, old.stderr);
    assert.equal(await Deno.readTextFile(join(dir, "old/library/admin/2024/IMG_0002.MOV")), "mov two");

    const verified = await backup(["--verify"], w.env);
    assert.equal(verified.code, 0, verified.stdout);
    assert.match(verified.stdout, /^library: 1 match$/m);
    await Deno.writeTextFile(join(w.immich, "library/admin/2024/IMG_0004.HEIC"), "not backed up yet");
    const behind = await backup(["--verify", "library"], w.env);
    assert.equal(behind.code, 1);
    assert.match(behind.stdout, /library: 1 match, 1 not backed up yet, 0 only in the backup, 0 differ/);
    assert.doesNotMatch(behind.stdout, /^upload:/m, "only the named source");

    const unknown = await backup(
      ["--restore", "library", "--archive", "20000101T000000Z", "--into", dir],
      w.env,
    );
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, new RegExp(`not in the backup.*archive areas: ${summary.archive}`));
  });
});

Deno.test("a wrong encryption password is refused with a clear error and nothing is uploaded", async () => {
  await withTempDir(async (dir) => {
    const w = await world(dir);
    assert.equal((await backup([], w.env)).code, 0);
    const before = await listFiles(w.remote);
    const wrong = "a different long password";
    const r = await backup([], { ...w.env, PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD: wrong });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /cannot decrypt: either the password or salt is wrong/);
    assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong));
    assert.deepEqual(await listFiles(w.remote), before);
  });
});

Deno.test("credentials come from 1Password through op; missing ones and a signed-out op are clear errors", async () => {
  await withTempDir(async (dir) => {
    const w = await world(dir);
    const bin = join(dir, "bin");
    await Deno.mkdir(bin);
    await writeFakeOp(bin, { Private: { "Immich Backup B2": { encryption_password: PASSWORD } } });
    const env = {
      ...w.env,
      PATH: `${bin}:${w.env.PATH}`,
      BACKUP_CREDENTIALS: "1password",
      PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD: "",
      PHOTOS_SYNC_B2_ENCRYPTION_SALT: "",
    };
    const missing = await backup([], env);
    assert.equal(missing.code, 2);
    assert.match(
      missing.stderr,
      /needs encryption-salt.*encryption-salt: add a field "encryption_salt" to the 1Password item "Immich Backup B2" in vault "Private"/,
    );

    await Deno.writeTextFile(join(bin, "op-items/Private/Immich Backup B2/encryption_salt"), SALT);
    const ok = await backup([], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(
      (await opCalls(bin)).includes("read --no-newline op://Private/Immich Backup B2/encryption_salt"),
    );

    await setOpSignedIn(bin, false);
    const signedOut = await backup([], env);
    assert.equal(signedOut.code, 2);
    assert.match(signedOut.stderr, /1Password CLI is not signed in.*op signin/);
  });
});

Deno.test("setup creates the 1Password item with a generated password, and no secret is ever shown", async () => {
  await withTempDir(async (dir) => {
    const w = await world(dir);
    const bin = join(dir, "bin");
    await Deno.mkdir(bin);
    await writeFakeOp(bin, { Private: {} });
    const env = {
      ...w.env,
      PATH: `${bin}:${w.env.PATH}`,
      BACKUP_CREDENTIALS: "1password",
      PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD: "",
      PHOTOS_SYNC_B2_ENCRYPTION_SALT: "",
    };
    const refused = await backup(["--setup"], env);
    assert.equal(refused.code, 2, "no terminal to confirm on");
    const setup = await backup(["--setup", "--yes"], env);
    assert.equal(setup.code, 0, setup.stderr);
    assert.match(setup.stdout, /created it, with a generated encryption password and salt/);
    assert.match(setup.stdout, /without them the backup cannot be read/);
    const item = join(bin, "op-items/Private/Immich Backup B2");
    const password = await Deno.readTextFile(join(item, "encryption_password"));
    assert.ok(password.length >= 40);
    const run = await backup([], env);
    assert.equal(run.code, 0, run.stderr);
    const everything = [setup.stdout, setup.stderr, run.stdout, run.stderr, ...(await opCalls(bin))].join(
      "\n",
    );
    assert.ok(!everything.includes(password), "the password appears nowhere");
    const check = await backup(["--check"], env);
    assert.equal(check.code, 0, check.stdout);
    assert.match(check.stdout, /\[OK\] destination: .*backup found, password correct \(rclone \d+\.\d+/);
  });
});

Deno.test("backup --status shows what backupStatus() gives serve, and modes do not combine", async () => {
  await withTempDir(async (dir) => {
    const w = await world(dir);
    assert.equal((await backup([], w.env)).code, 0);
    const shown = JSON.parse((await backup(["--status", "--json"], w.env)).stdout);
    const tracker = Tracker.open(join(w.home, "tracker.db"));
    try {
      const doc = backupStatus(tracker, { staleAfterMs: 30_000 });
      assert.deepEqual({ ...shown, generatedAt: "" }, { ...doc, generatedAt: "" });
      assert.equal(doc.destinations[0].run!.status, "succeeded");
    } finally {
      tracker.close();
    }
    // `status` carries the same backup facts in its summary.
    const output = memoryOutput();
    await runCli(["status", "--json", "--tracker-only"], {
      plugins: BUILTIN_PLUGINS,
      writeSampleLibrary,
      output,
      env: w.env,
    });
    const [summary] = JSON.parse(output.stdout.join("\n")).backups;
    const [dest] = shown.destinations;
    assert.deepEqual(summary, {
      name: dest.name,
      lastBackupAt: dest.lastBackupAt,
      newestRun: {
        status: "succeeded",
        startedAt: dest.run.startedAt,
        endedAt: dest.run.endedAt,
        jobsCompleted: dest.run.jobs.length,
        jobs: dest.run.jobs.length,
      },
    });
    const both = await backup(["--status", "--reset"], w.env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--status and --reset cannot be combined/);

    const unconfirmed = await backup(["--reset"], w.env);
    assert.equal(unconfirmed.code, 2, "no terminal to confirm on");
    const reset = await backup(["--reset", "--yes"], w.env);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /forgot 1 runs and 4 jobs of b2; the backup itself is untouched/);
    const after = JSON.parse((await backup(["--status", "--json"], w.env)).stdout);
    assert.equal(after.destinations[0].run, null);
  });
});

Deno.test("a Glacier restore exits 1 while objects are cold and completes once they are warm", async () => {
  await withTempDir(async (dir) => {
    await using s3 = startGlacierStub();
    const w = await world(dir);
    const env = {
      ...w.env,
      BACKUP_TO: "glacier",
      PHOTOS_SYNC_GLACIER_BUCKET_NAME: s3.bucket,
      PHOTOS_SYNC_GLACIER_ENDPOINT: s3.endpoint,
      PHOTOS_SYNC_GLACIER_ACCESS_KEY_ID: "AKIATESTKEY01", // secrets shorter than 8 characters are refused
      PHOTOS_SYNC_GLACIER_SECRET_ACCESS_KEY: "secret-key-test",
      PHOTOS_SYNC_GLACIER_ENCRYPTION_PASSWORD: PASSWORD,
      PHOTOS_SYNC_GLACIER_ENCRYPTION_SALT: SALT,
    };
    const setup = await backup(["--setup", "--yes"], env);
    assert.equal(setup.code, 0, setup.stderr);
    assert.match(setup.stdout, /bucket versioning is on/);
    const run = await backup([], env);
    assert.equal(run.code, 0, run.stderr);
    const into = join(dir, "restored");
    const cold = await backup(["--restore", "upload", "--into", into], env);
    assert.equal(cold.code, 1);
    assert.match(
      cold.stdout,
      /1 file still in cold storage \(asked for 1 now\).*run the same command again later/,
    );
    assert.match((await backup(["--status"], env)).stdout, /cold storage: 1 requested/);
    s3.thaw();
    const warm = await backup(["--restore", "upload", "--into", into], env);
    assert.equal(warm.code, 0, warm.stdout + warm.stderr);
    assert.equal(await Deno.readTextFile(join(into, "upload/admin/x.jpg")), "upload x");
  });
});

Deno.test("a backup stopped by SIGTERM mid-transfer exits 143, records its run interrupted, and resumes", async () => {
  await withTempDir(async (dir) => {
    const w = await world(dir);
    const big = new Uint8Array(300_000);
    for (let i = 0; i < 8; i++) {
      crypto.getRandomValues(big.subarray(0, 65536));
      await Deno.writeFile(join(w.immich, `library/admin/2024/VID_${i}.MOV`), big);
    }
    const child = spawnCli(["backup", "--b2-bwlimit", "300k"], w.env);
    const stderr = new Response(child.stderr).text();
    const jobs = (status: string) => {
      try {
        const conn = new DatabaseSync(join(w.home, "tracker.db"), { readOnly: true });
        try {
          return (conn.prepare(
            `SELECT COUNT(*) AS n FROM backup_jobs WHERE status = ? AND bytes_transferred > 0`,
          )
            .get(status) as { n: number }).n;
        } finally {
          conn.close();
        }
      } catch {
        return 0; // not created yet
      }
    };
    const deadline = Date.now() + 60_000;
    while (jobs("running") === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGTERM");
    const { code } = await child.status;
    const printed = await stderr;
    assert.equal(code, 143, printed);
    assert.match(
      printed.trim().split("\n").at(-1)!,
      /^photos-sync: backup interrupted by SIGTERM; run the same/,
    );
    assert.equal(jobs("running"), 0, "no job is left running");
    const conn = new DatabaseSync(join(w.home, "tracker.db"), { readOnly: true });
    try {
      assert.deepEqual(conn.prepare("SELECT status FROM backup_runs").all().map((r) => r.status), [
        "interrupted",
      ]);
    } finally {
      conn.close();
    }

    const again = await backup([], w.env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /resuming backup run #1/);
    assert.match(again.stdout, /backup run #1 to b2: succeeded/);
  });
});
