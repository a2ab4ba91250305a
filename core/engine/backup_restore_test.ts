/**
 * A restore from cold storage with the real rclone: destination.glacier over the Glacier stub,
 * whose objects become readable only after they were asked for and thawed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { optionValues } from "../plugin/options.ts";
import { testContext } from "../plugin/testing/mod.ts";
import { BackupStore } from "../tracker/backup.ts";
import { Tracker } from "../tracker/mod.ts";
import glacier from "../../plugins/destination/glacier/mod.ts";
import { startGlacierStub } from "../../tests/s3_glacier_stub.ts";
import { runBackup } from "./backup.ts";
import { runRestore } from "./backup_restore.ts";
import { backupSources } from "./backup_sources.ts";

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

Deno.test("a restore from Glacier asks for cold objects once, waits, and completes when they are warm", async () => {
  await using s3 = startGlacierStub();
  await using ctx = await testContext();
  const tracker = Tracker.open(join(ctx.tempDir, "tracker.db"));
  try {
    const store = new BackupStore(tracker);
    const dest = store.saveDestination({
      name: "glacier",
      type: "glacier",
      bucket: s3.bucket,
      remotePath: "x",
    });
    const options = optionValues(glacier.id, glacier.options, {
      ...SECRETS,
      "access-key-id": "AKIATEST",
      "secret-access-key": "test-secret-key",
      "bucket-name": s3.bucket,
      endpoint: s3.endpoint,
    });
    const session = await glacier.backup.open(options, ctx);
    await write(join(ctx.tempDir, "immich"), { "library/a.jpg": "a", "library/b/c.jpg": "c" });
    await Deno.mkdir(join(ctx.tempDir, "data"));
    const backup = await runBackup({
      store,
      destination: dest,
      session,
      sources: await backupSources({
        immichPath: join(ctx.tempDir, "immich"),
        dataDir: join(ctx.tempDir, "data"),
      }),
      dryRun: false,
      maxRetries: 1,
      statsSeconds: 1,
      retentionDays: 90,
      signal: ctx.signal,
    });
    assert.equal(backup.status, "succeeded");

    const restore = (extra: { waitMs?: number; onEvent?: (e: { type: string }) => void } = {}) =>
      runRestore({
        session,
        canWarmUp: true,
        store,
        destinationId: dest.id,
        source: "library",
        into: join(ctx.tempDir, "restored"),
        pollMs: 50,
        signal: ctx.signal,
        ...extra,
      });
    const first = await restore();
    assert.deepEqual([first.complete, first.cold, first.requested], [false, 2, 2]);
    assert.deepEqual(store.coldCounts(dest.id), { cold: 0, requested: 2, restored: 0 });

    // Run again before Glacier is done: nothing is asked for twice.
    const second = await restore();
    assert.deepEqual([second.complete, second.requested], [false, 0]);
    assert.deepEqual([...s3.restoreRequests.values()], [1, 1]);

    // Waiting: Glacier finishes while the restore polls.
    const done = await restore({
      waitMs: 10_000,
      onEvent: (e) => {
        if (e.type === "waiting") s3.thaw();
      },
    });
    assert.equal(done.complete, true);
    assert.deepEqual(done.verified, { matching: 2, missing: 0, differs: 0, extra: 0 });
    assert.deepEqual(await read(join(ctx.tempDir, "restored/library")), { "a.jpg": "a", "b/c.jpg": "c" });
    assert.deepEqual(store.coldCounts(dest.id), { cold: 0, requested: 0, restored: 2 });
  } finally {
    tracker.close();
  }
});
