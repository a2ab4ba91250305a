/**
 * `serve` over HTTP against a tracker filled by a real import into the Immich emulator (the CLI in
 * another process), with failures of two kinds: Immich refusing two files with a 400, and an
 * original missing from the library.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { startServer } from "../core/server/mod.ts";
import { type FaultRule, startEmulator } from "./immich_emulator/mod.ts";
import { env, importArgs, scanLibrary, sha1, summaryOf, trackerRows } from "./_immich.ts";
import { importFixture, removeOriginals, runCli } from "./_serve_fixtures.ts";

function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return undefined;
}

Deno.test("serve reports what a real import into Immich recorded: the CLI's status, problems by reason, runs and metrics", async () => {
  const fx = await importFixture({ assets: 40 });
  try {
    await using immich = await startEmulator();
    const [missing] = await removeOriginals(fx.library, 1);
    const assets = await scanLibrary(join(fx.dir, "scan-home"), fx.library);
    // Two plain photos (one file each) that Immich will refuse.
    const refused = assets.filter((a) =>
      !a.trashed && a.resources.length === 1 && a.resources[0].path.endsWith(".png") &&
      a.resources[0].path !== missing
    ).slice(0, 2);
    const rules: FaultRule[] = await Promise.all(refused.map(async (a) => ({
      method: "POST",
      path: "^/api/assets$",
      checksum: sha1(await Deno.readFile(a.resources[0].path)),
      status: 400,
    })));
    immich.emulator.faults = rules;
    const run = await runCli(importArgs(fx.home, fx.library), { env: env(immich), expect: 1 });
    const summary = summaryOf(run.stdout);
    assert.equal(summary.failed, 3);
    for (const rule of rules) assert.equal(immich.emulator.applied(rule), 1, "a refusal is not retried");

    const cliStatus = JSON.parse(
      (await runCli(["status", "--json", "--tracker-only", "--home", fx.home])).stdout,
    );
    const db = new DatabaseSync(join(fx.home, "tracker.db"), { readOnly: true });
    const tracked = (sql: string) => db.prepare(sql).all() as Record<string, string | number>[];
    const server = await startServer({ home: fx.home, port: 0 });
    try {
      const get = async (path: string) => {
        const res = await fetch(new URL(path, server.url));
        assert.equal(res.status, 200, path);
        return res;
      };

      const status = await (await get("api/status")).json();
      assert.deepEqual(status, cliStatus, "the same document as status --json --tracker-only");
      assert.equal(status.destinations.length, 1);
      const dest = status.destinations[0];
      assert.match(dest.destination, /^immich:http:\/\/127\.0\.0\.1:\d+#/);
      const counts = Object.fromEntries(
        tracked("SELECT status, COUNT(*) AS n FROM transfers GROUP BY status").map((r) => [r.status, r.n]),
      );
      assert.equal(dest.imported, counts.imported);
      assert.equal(dest.imported, summary.imported);
      assert.equal(dest.failed, 3);
      // What the tracker calls imported is what Immich holds: one Immich asset per recorded file.
      assert.equal(immich.emulator.state.assets.size, trackerRows(fx.home).length);

      const problems = (await (await get("api/problems")).json()).problems;
      const byReason = new Map<string, { count: number; examples: string[]; errorClass: string }>(
        problems.map((p: { reason: string }) => [p.reason, p]),
      );
      assert.equal(problems.length, 2, JSON.stringify(problems));
      const upload = [...byReason].find(([r]) => r.includes("Immich refused uploading"));
      assert.ok(upload, JSON.stringify(problems));
      assert.match(upload[0], /uploading <file> \(original of <id>\) \(400: Injected failure\)$/);
      assert.equal(upload[1].count, 2);
      assert.equal(upload[1].errorClass, "permanent");
      assert.deepEqual([...upload[1].examples].sort(), refused.map((a) => a.filename).sort());
      const export_ = [...byReason].find(([r]) => r.includes("source.photoslibrary export"));
      assert.ok(export_, JSON.stringify(problems));
      assert.match(
        export_[0],
        /^source.photoslibrary export: the original of <file> \(<id>\): <path> is not on this disk/,
      );
      assert.equal(export_[1].count, 1);

      const runs = await (await get("api/runs")).json();
      assert.deepEqual(runs.live, []);
      assert.equal(runs.runs.length, 1);
      assert.equal(runs.runs[0].command, "import");
      assert.equal(runs.runs[0].status, "failed");
      assert.equal(runs.runs[0].summary.imported, summary.imported);
      assert.equal(runs.runs[0].summary.failed, 3);

      const metrics = await (await get("metrics")).text();
      const d = { destination: dest.destination };
      assert.equal(metricValue(metrics, "photos_sync_assets", { ...d, status: "imported" }), counts.imported);
      assert.equal(metricValue(metrics, "photos_sync_assets", { ...d, status: "failed" }), counts.failed);
      const [{ bytes }] = tracked("SELECT SUM(size) AS bytes FROM transfers WHERE status = 'imported'");
      assert.equal(metricValue(metrics, "photos_sync_imported_bytes", d), bytes);
      assert.equal(metricValue(metrics, "photos_sync_problems", { ...d, error_class: "permanent" }), 3);
      assert.equal(metricValue(metrics, "photos_sync_last_run_success", { command: "import" }), 0);
      assert.equal(metricValue(metrics, "photos_sync_run_active"), undefined, "no run in progress");
    } finally {
      db.close();
      await server.stop();
    }
  } finally {
    await Deno.remove(fx.dir, { recursive: true });
  }
});
