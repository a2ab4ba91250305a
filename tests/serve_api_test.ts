/**
 * The serve API against a tracker filled by a real import (CLI in another process, folder
 * destination, sample library with a few originals removed so that some assets fail). The same over
 * HTTP against an import into the Immich emulator is `serve_immich_test.ts`.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { createApp } from "../core/server/mod.ts";
import { Tracker } from "../core/tracker/mod.ts";
import { importFixture, removeOriginals, runCli } from "./_serve_fixtures.ts";

function metricValue(
  text: string,
  name: string,
  labels: Record<string, string | number> = {},
): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

Deno.test("serve's API reports what a real import recorded: status, runs, problems by reason, metrics, backups", async () => {
  const fx = await importFixture({ assets: 40 });
  try {
    // Not every removed file fails its asset (the reader may find another resource), so the
    // expectations below follow what the import itself reported.
    const removed = await removeOriginals(fx.library, 6);
    assert.equal(removed.length, 6);
    await runCli(fx.importArgs, { expect: 1 }); // some assets failed
    // The tracker part of the report: serve neither reads the library nor calls the destination per request.
    const cliStatus = JSON.parse(
      (await runCli(["status", "--json", "--tracker-only", "--home", fx.home])).stdout,
    );

    const tracker = Tracker.open(join(fx.home, "tracker.db"), { readOnly: true });
    try {
      const app = createApp({ tracker, home: fx.home, version: "test" });
      const get = async (path: string) => {
        const res = await app.request(path, { headers: { host: "127.0.0.1:8377" } });
        assert.equal(res.status, 200, `${path}: ${res.status}`);
        return res;
      };

      const health = await (await get("/api/health")).json();
      assert.equal(health.ok, true);
      assert.equal(health.schemaVersion, tracker.schemaVersion);

      // The same document as `status --json --tracker-only`.
      const status = await (await get("/api/status")).json();
      assert.deepEqual(status, cliStatus);
      const dest = status.destinations[0];
      const failed = dest.failed;
      assert.ok(failed >= 2, `expected at least 2 failures, got ${failed}`);
      assert.ok(dest.imported > 30);

      const problems = (await (await get("/api/problems")).json()).problems;
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0].count, failed);
      assert.equal(problems[0].status, "failed");
      assert.equal(problems[0].errorClass, "permanent");
      assert.match(
        problems[0].reason,
        /^source.photoslibrary export: the original of <file> \(<id>\): <path> is /,
      );
      assert.equal(problems[0].examples.length, Math.min(3, failed));
      for (const name of problems[0].examples) assert.ok(!problems[0].reason.includes(name));
      // `review` groups the same tracker the same way: groups, counts, reasons and examples.
      const review = JSON.parse((await runCli(["review", "--json", "--home", fx.home])).stdout);
      assert.deepEqual(
        review.groups.map((
          g: { errorClass: string; reason: string; count: number; examples: { filename: string }[] },
        ) => [g.errorClass, g.reason, g.count, g.examples.map((e) => e.filename)]),
        problems.map((
          p: { errorClass: string; reason: string; count: number; examples: string[] },
        ) => [p.errorClass, p.reason, p.count, p.examples]),
      );

      const runs = await (await get("/api/runs")).json();
      assert.deepEqual(runs.live, []);
      assert.equal(runs.runs[0].command, "import");
      assert.equal(runs.runs[0].status, "failed");
      assert.equal(runs.runs[0].summary.imported, dest.imported);
      assert.equal(runs.runs[0].summary.failed, failed);

      const metricsRes = await get("/metrics");
      assert.match(metricsRes.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
      const metrics = await metricsRes.text();
      const d = { destination: dest.destination };
      assert.equal(metricValue(metrics, "photos_sync_assets", { ...d, status: "imported" }), dest.imported);
      assert.equal(metricValue(metrics, "photos_sync_assets", { ...d, status: "failed" }), failed);
      assert.equal(metricValue(metrics, "photos_sync_imported_bytes", d), dest.bytes);
      assert.equal(metricValue(metrics, "photos_sync_problems", { ...d, error_class: "permanent" }), failed);
      assert.equal(metricValue(metrics, "photos_sync_last_run_success", { command: "import" }), 0);
      assert.equal(metricValue(metrics, "photos_sync_up"), 1);
      // Every plugin call of the import went through the one wrapping, which counted it.
      const exports = { command: "import", plugin: "source.photoslibrary", hook: "export" };
      const exportCalls = metricValue(metrics, "photos_sync_last_run_plugin_calls", exports) ?? 0;
      // One export per asset tried; a permanent failure is not tried again.
      assert.equal(exportCalls, dest.imported + failed);
      assert.equal(metricValue(metrics, "photos_sync_last_run_plugin_failures", exports), failed);
      assert.ok((metricValue(metrics, "photos_sync_last_run_plugin_seconds", exports) ?? 0) > 0);
      const puts = { command: "import", plugin: "destination.folder", hook: "put" };
      assert.equal(metricValue(metrics, "photos_sync_last_run_plugin_calls", puts), dest.imported);
      // Exposition format: each family announced once with HELP then TYPE, every sample well formed.
      const families = new Set<string>();
      const lines = metrics.trimEnd().split("\n");
      for (const [i, line] of lines.entries()) {
        if (line.startsWith("# HELP ")) {
          const name = line.split(" ")[2];
          assert.ok(!families.has(name), `${name} announced twice`);
          families.add(name);
          assert.match(lines[i + 1], new RegExp(`^# TYPE ${name} (gauge|counter)$`));
        } else if (!line.startsWith("# TYPE ")) {
          assert.match(line, /^[a-z_]+(\{([a-z_]+="([^"\\\n]|\\.)*",?)*\})? -?[0-9.e+]+$/, line);
          assert.ok(families.has(line.split(/[{ ]/)[0]), `sample before its HELP: ${line}`);
        }
      }

      // Backup jobs, as the backup writes them.
      const writer = new DatabaseSync(join(fx.home, "tracker.db"));
      try {
        const now = new Date().toISOString();
        writer.prepare(
          `INSERT INTO backup_destinations (name, type, bucket_name, created_at) VALUES ('offsite', 'b2', 'bucket', ?)`,
        ).run(now);
        writer.prepare(
          // Another host's run with a fresh heartbeat: live, so its job shows as running.
          `INSERT INTO backup_runs (destination_id, started_at, status, pid, host, heartbeat_at)
           VALUES (1, ?, 'running', 1, 'h', ?)`,
        ).run(now, now);
        writer.prepare(
          `INSERT INTO backup_jobs (run_id, destination_id, source_path, remote_path, status, bytes_total,
             bytes_transferred, files_total, files_transferred, transfer_speed, eta_seconds, last_update)
           VALUES (1, 1, '/srv/immich/library', 'library', 'running', 1000000, 250000, 40, 10, 5000, 150, ?)`,
        ).run(now);
      } finally {
        writer.close();
      }
      const backups = await (await get("/api/backups")).json();
      assert.equal(backups.runs.length, 1);
      assert.equal(backups.runs[0].destination, "offsite");
      assert.deepEqual(
        [
          backups.runs[0].jobs[0].status,
          backups.runs[0].jobs[0].bytesTransferred,
          backups.runs[0].jobs[0].etaSeconds,
        ],
        ["running", 250000, 150],
      );
      const after = await (await get("/metrics")).text();
      assert.equal(
        metricValue(after, "photos_sync_backup_job_bytes_transferred", { destination: "offsite" }),
        250000,
      );
      assert.equal(metricValue(after, "photos_sync_backup_job_running", { destination: "offsite" }), 1);
    } finally {
      tracker.close();
    }
  } finally {
    await Deno.remove(fx.dir, { recursive: true });
  }
});
