/**
 * A run killed with SIGKILL at any moment and started again ends with every asset at the
 * destination exactly once, and a second run refuses while the first holds the lock.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, folderRun, listFiles, spawnCli, withTempDir } from "./_cli.ts";

function importedCount(home: string): number {
  try {
    const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM transfers WHERE status = 'imported'").get() as {
        n: number;
      }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0; // not created yet
  }
}

async function waitFor(condition: () => boolean, child: Deno.ChildProcess): Promise<boolean> {
  let exited = false;
  child.status.then(() => (exited = true));
  while (!exited) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return false;
}

/** Deterministic kill points spread over the run (a tiny LCG, so a failure can be reproduced). */
function killPoints(count: number, max: number, seed = 7): number[] {
  let x = seed;
  const points = new Set<number>();
  while (points.size < count) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    points.add(1 + (x % max));
  }
  return [...points].sort((a, b) => a - b);
}

Deno.test("an import killed at 20 points and resumed copies every asset exactly once", async () => {
  await withTempDir(async (dir) => {
    const sample = await writeSampleLibrary(join(dir, "Big.photoslibrary"), { assets: 800 });
    const home = join(dir, "home");
    const dest = join(dir, "dest");
    const args = [
      "import",
      ...folderRun(home, sample.path, dest),
    ];
    let kills = 0;
    for (const after of killPoints(20, 700)) {
      const child = spawnCli([...args, "--concurrency", "2"]);
      const midway = await waitFor(() => importedCount(home) >= after, child);
      if (midway) {
        child.kill("SIGKILL");
        kills++;
      }
      await child.status;
      await child.stderr.cancel();
    }
    assert.ok(kills >= 15, `only ${kills} kills landed mid-run`);
    const final = await cli([...args, "--json"]);
    assert.equal(final.code, 0, final.stderr);
    const summary = JSON.parse(final.stdout.trim().split("\n").at(-1)!);
    assert.equal(summary.failed, 0);

    // Exactly once: one file per planned resource, no suffixed twins, no leftovers of killed copies.
    const files = await listFiles(dest);
    assert.deepEqual(files.filter((f) => f.includes(".partial-")), []);
    const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
    try {
      const recorded = db.prepare("SELECT name FROM resources").all() as { name: string }[];
      const imported = (db.prepare("SELECT COUNT(*) AS n FROM transfers WHERE status = 'imported'").get() as {
        n: number;
      }).n;
      const trashed = summary.skipped.trashed;
      assert.equal(
        imported + trashed,
        sample.assets,
        "every asset imported once (trashed ones are not imported)",
      );
      assert.equal(files.length, recorded.length, "one file per recorded resource");
      assert.equal(
        new Set(db.prepare("SELECT remote_id FROM resources").all().map((r) => r.remote_id)).size,
        recorded.length,
      );
    } finally {
      db.close();
    }
    const again = await cli([...args, "--json"]);
    assert.equal(JSON.parse(again.stdout.trim().split("\n").at(-1)!).imported, 0);
  });
});

Deno.test("a second import while one runs refuses with a clear message, exit 1", async () => {
  await withTempDir(async (dir) => {
    const sample = await writeSampleLibrary(join(dir, "Big.photoslibrary"), { assets: 400 });
    const home = join(dir, "home");
    const args = [
      "import",
      ...folderRun(home, sample.path, join(dir, "d")),
    ];
    const first = spawnCli([...args, "--concurrency", "1"]);
    try {
      assert.ok(await waitFor(() => importedCount(home) >= 5, first), "the first run got going");
      const second = await cli(args);
      assert.equal(second.code, 1);
      assert.match(second.stderr, /another photos-sync is running \(import, pid \d+/);
    } finally {
      first.kill("SIGKILL");
      await first.status;
      await first.stderr.cancel();
    }
    const after = await cli(args);
    assert.equal(after.code, 0, "the lock of the killed run is taken over");
  });
});
