/**
 * Hostile cases: recovery. Repairs that must not lose what a destination lacks, failures that wait
 * out a back-off, and the test-only clock. Each setup edits the imported world's tracker the way
 * an interrupted repair or an outage leaves it.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { HostileCase, World } from "../_hostile.ts";

function withTracker<T>(world: World, fn: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(join(world.home, "tracker.db"));
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/**
 * The folder destination's key holds its absolute path, so the tracker of a copied world speaks of
 * the template's folder: point it at this world's, as if the import had been made here.
 */
function adopt(world: World): void {
  withTracker(world, (db) => {
    for (const table of ["transfers", "resources", "album_members"]) {
      db.prepare(`UPDATE ${table} SET destination = ? WHERE destination LIKE 'folder:%'`)
        .run(`folder:${world.dest}`);
    }
  });
}

/** The Live Photo's motion video as if its put was never confirmed: no record, no file. */
function motionNeverSent(world: World): void {
  adopt(world);
  withTracker(world, (db) => {
    const row = db.prepare("SELECT asset_id, remote_id FROM resources WHERE key = 'motion'").get() as {
      asset_id: string;
      remote_id: string;
    };
    db.prepare("DELETE FROM resources WHERE asset_id = ? AND key = 'motion'").run(row.asset_id);
    Deno.removeSync(join(world.dest, row.remote_id));
  });
}

/** What the tracker says the Live Photo lacks, and whether its motion video is at the destination. */
function livePhoto(world: World): { incomplete: string[]; motionThere: boolean } {
  return withTracker(world, (db) => {
    const t = db.prepare("SELECT asset_id, incomplete FROM transfers WHERE tags LIKE '%\"live\"%'").get() as {
      asset_id: string;
      incomplete: string;
    };
    const motion = db.prepare("SELECT remote_id FROM resources WHERE asset_id = ? AND key = 'motion'")
      .get(t.asset_id) as { remote_id: string } | undefined;
    return {
      incomplete: JSON.parse(t.incomplete),
      motionThere: motion !== undefined && existsSync(join(world.dest, motion.remote_id)),
    };
  });
}

/** One imported asset as if its last put failed transiently, with its back-off ending at `until`. */
function failedTransiently(world: World, until: string): void {
  adopt(world);
  withTracker(world, (db) => {
    const row = db.prepare(
      `SELECT asset_id, remote_id FROM resources WHERE key = 'original'
       AND asset_id NOT IN (SELECT asset_id FROM resources WHERE key != 'original') LIMIT 1`,
    ).get() as { asset_id: string; remote_id: string };
    db.prepare("DELETE FROM resources WHERE asset_id = ?").run(row.asset_id);
    db.prepare(
      `UPDATE transfers SET status = 'failed', error_class = 'retryable', attempts = 1,
         error_message = 'destination.folder put: 500 Internal Server Error', next_attempt_at = ?
       WHERE asset_id = ?`,
    ).run(until, row.asset_id);
    Deno.removeSync(join(world.dest, row.remote_id));
  });
}

/** How many assets the tracker holds as imported, and as failed. */
function transferCounts(world: World): { imported: number; failed: number } {
  const row = withTracker(world, (db) =>
    db.prepare(
      `SELECT SUM(status = 'imported') AS imported, SUM(status = 'failed') AS failed FROM transfers`,
    ).get() as { imported: number; failed: number });
  return { imported: Number(row.imported), failed: Number(row.failed) };
}

const FAR = "2999-01-01T00:00:00.000Z";

export const CASES: HostileCase[] = [
  {
    name: "a test clock that is not a time",
    setup: (w) => ({ args: ["import", ...w.run], env: { PHOTOS_SYNC_TEST_NOW: "tomorrow" } }),
    code: 2,
    firstLine: /PHOTOS_SYNC_TEST_NOW must be an ISO 8601 time .* it is for tests only: unset it/,
  },
  {
    name: "reclassify finds a motion video the destination never confirmed and keeps the mark",
    setup: (w) => (motionNeverSent(w), { args: ["reclassify", ...w.run] }),
    code: 0,
    firstLine: /^reclassify into folder /,
    unchanged: ["library", "destination"],
    check(r, w) {
      assert.match(r.stdout, /1 incomplete assets can be completed \(run with --repair\)/);
      assert.deepEqual(livePhoto(w), { incomplete: ["not sent yet: motion"], motionThere: false });
    },
  },
  {
    name: "import --repair-cinematic leaves an unsent motion video to the Live Photo repair",
    setup: (w) => (motionNeverSent(w), { args: ["import", "--repair-cinematic", ...w.run] }),
    code: 0,
    firstLine: /^reclassify --repair into folder /,
    unchanged: ["library", "destination"],
    check(r, w) {
      assert.match(r.stdout, /0 incomplete assets can be completed/);
      assert.deepEqual(livePhoto(w), { incomplete: ["not sent yet: motion"], motionThere: false });
    },
  },
  {
    name: "import --repair-paired-videos sends a motion video that was never confirmed",
    setup: (w) => (motionNeverSent(w), { args: ["import", "--repair-paired-videos", ...w.run] }),
    code: 0,
    firstLine: /^reclassify --repair into folder /,
    unchanged: ["library"],
    check(r, w) {
      assert.match(r.stdout, /already there 1, failed 0/);
      assert.deepEqual(livePhoto(w), { incomplete: [], motionThere: true });
    },
  },
  {
    name: "import while a failure waits out its back-off says until when and how to retry now",
    setup: (w) => (failedTransiently(w, FAR), { args: ["import", ...w.run] }),
    code: 0,
    firstLine: /^import into folder /,
    unchanged: ["library", "destination"],
    check(r) {
      assert.match(r.stdout, /skipped: .*1 waiting/);
      assert.match(
        r.stdout,
        /^1 assets wait after a transient failure until 2999-01-01 00:00 UTC; a later import or sync retries them then; to retry them now: photos-sync review --retry$/m,
      );
    },
  },
  {
    name: "review --retry retries a failure before its back-off has passed",
    setup: (w) => (failedTransiently(w, FAR), { args: ["review", "--retry", ...w.run] }),
    code: 0,
    firstLine: /^review --retry into folder /,
    unchanged: ["library"],
    check(r, w) {
      assert.match(r.stdout, /^imported 1, already there 0, failed 0/m);
      assert.deepEqual(transferCounts(w), { imported: w.assets - 1, failed: 0 });
    },
  },
  {
    name: "a plain import retries a failure whose back-off has passed",
    setup: (w) => (failedTransiently(w, "2026-01-05T10:05:00.000Z"), {
      args: ["import", ...w.run],
      env: { PHOTOS_SYNC_TEST_NOW: "2026-01-05T10:06:00Z" },
    }),
    code: 0,
    firstLine: /^import into folder /,
    unchanged: ["library"],
    check(r, w) {
      assert.match(r.stdout, /^imported 1, /m);
      assert.doesNotMatch(r.stdout, /waiting/);
      assert.deepEqual(transferCounts(w), { imported: w.assets - 1, failed: 0 });
    },
  },
  {
    name: "a plain sync retries a failure whose back-off has passed",
    setup: (w) => (failedTransiently(w, "2026-01-05T10:05:00.000Z"), {
      args: ["sync", ...w.run],
      env: { PHOTOS_SYNC_TEST_NOW: "2026-01-05T10:06:00Z" },
    }),
    code: 0,
    firstLine: /^sync into folder /,
    unchanged: ["library"],
    check(r, w) {
      assert.match(r.stdout, /^imported 1, /m);
      assert.deepEqual(transferCounts(w), { imported: w.assets - 1, failed: 0 });
    },
  },
  {
    name: "a plain sync leaves a failure that waits out its back-off and says until when",
    setup: (w) => (failedTransiently(w, "2026-01-05T10:05:00.000Z"), {
      args: ["sync", ...w.run],
      env: { PHOTOS_SYNC_TEST_NOW: "2026-01-05T10:01:00Z" },
    }),
    code: 0,
    firstLine: /^sync into folder /,
    unchanged: ["library", "destination"],
    check(r, w) {
      assert.match(r.stdout, /^1 assets wait after a transient failure until 2026-01-05 10:05 UTC;/m);
      assert.deepEqual(transferCounts(w), { imported: w.assets - 2, failed: 1 });
    },
  },
];
