/**
 * The snapshot in Prometheus' text exposition format (version 0.0.4), so monitoring can scrape
 * the same figures the dashboard shows.
 *
 * @example
 * ```ts
 * const text = renderMetrics(snapshots.read());
 * // photos_sync_assets{destination="immich:https://photos.example",status="imported"} 1234
 * ```
 * @module
 */
import type { HookTiming } from "../engine/wrap.ts";
import type { Snapshot } from "./snapshot.ts";

type Labels = Record<string, string | number>;

class Family {
  readonly samples: [Labels, number][] = [];
  constructor(readonly name: string, readonly type: "gauge" | "counter", readonly help: string) {}
  add(labels: Labels, value: number | null | undefined): void {
    if (typeof value === "number" && Number.isFinite(value)) this.samples.push([labels, value]);
  }
}

function escapeLabel(value: string | number): string {
  return String(value).replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

function line(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return `${name}${pairs.length ? `{${pairs.join(",")}}` : ""} ${value}`;
}

const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : null);

interface DestinationLike {
  destination?: unknown;
  imported?: unknown;
  failed?: unknown;
  skipped?: unknown;
  bytes?: unknown;
  incomplete?: unknown;
}

const gauge = (name: string, help: string) => new Family(name, "gauge", help);

/** Every figure of the snapshot as gauges; families without samples still carry HELP and TYPE. */
export function renderMetrics(snapshot: Snapshot): string {
  const up = gauge("photos_sync_up", "1 while the serve endpoint can read the tracker");
  up.add({}, 1);
  const families = [
    up,
    ...destinationFamilies(snapshot),
    ...liveRunFamilies(snapshot),
    ...lastRunFamilies(snapshot),
    ...hookFamilies(snapshot),
    problemFamily(snapshot),
    ...backupJobFamilies(snapshot),
  ];
  const out: string[] = [];
  for (const family of families) {
    out.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const [labels, value] of family.samples) out.push(line(family.name, labels, value));
  }
  return out.join("\n") + "\n";
}

/** What the status report says per destination. */
function destinationFamilies(snapshot: Snapshot): Family[] {
  const assets = gauge("photos_sync_assets", "Assets per destination by transfer status");
  const bytes = gauge("photos_sync_imported_bytes", "Bytes of the assets imported per destination");
  const incomplete = gauge(
    "photos_sync_incomplete_assets",
    "Imported assets missing a part (e.g. a Live Photo without its motion video)",
  );
  const status = snapshot.status as { destinations?: DestinationLike[] } | null;
  for (const d of Array.isArray(status?.destinations) ? status.destinations : []) {
    const destination = String(d.destination);
    for (const s of ["imported", "failed", "skipped"] as const) {
      assets.add({ destination, status: s }, d[s] as number);
    }
    bytes.add({ destination }, d.bytes as number);
    incomplete.add({ destination }, d.incomplete as number);
  }
  return [assets, bytes, incomplete];
}

/** Progress and pace of the runs in progress. */
function liveRunFamilies(snapshot: Snapshot): Family[] {
  const running = gauge("photos_sync_run_active", "1 for each run in progress");
  const done = gauge("photos_sync_run_done_assets", "Assets finished by the run in progress");
  const failed = gauge("photos_sync_run_failed_assets", "Assets that failed in the run in progress");
  const runBytes = gauge("photos_sync_run_bytes", "Bytes transferred by the run in progress");
  const total = gauge("photos_sync_run_total_assets", "Assets the run in progress expects to go through");
  const assetRate = gauge(
    "photos_sync_run_assets_per_second",
    "Recent pace of the run in progress, assets per second",
  );
  const byteRate = gauge(
    "photos_sync_run_bytes_per_second",
    "Recent pace of the run in progress, bytes per second",
  );
  const eta = gauge("photos_sync_run_eta_seconds", "Seconds left for the run in progress at its pace");
  const heartbeat = gauge(
    "photos_sync_run_heartbeat_timestamp_seconds",
    "When the run in progress last wrote its progress",
  );
  for (const r of snapshot.live) {
    const labels = { run: r.id, command: r.command };
    running.add(labels, 1);
    done.add(labels, r.done);
    failed.add(labels, r.failed);
    runBytes.add(labels, r.bytes);
    total.add(labels, r.total);
    assetRate.add(labels, r.assetsPerSecond);
    byteRate.add(labels, r.bytesPerSecond);
    eta.add(labels, r.etaSeconds);
    heartbeat.add(labels, seconds(r.heartbeatAt));
  }
  return [running, done, failed, runBytes, total, assetRate, byteRate, eta, heartbeat];
}

/** How the last finished run of each command ended (runs come newest first). */
function lastRunFamilies(snapshot: Snapshot): Family[] {
  const lastEnd = gauge(
    "photos_sync_last_run_end_timestamp_seconds",
    "When the last finished run of each command ended, by how it ended",
  );
  const lastOk = gauge(
    "photos_sync_last_run_success",
    "1 if the last finished run of each command succeeded, else 0",
  );
  const seen = new Set<string>();
  for (const r of snapshot.runs) {
    if (r.status === "running" || seen.has(r.command)) continue;
    seen.add(r.command);
    lastEnd.add({ command: r.command, status: r.status }, seconds(r.endedAt ?? r.startedAt));
    lastOk.add({ command: r.command }, r.status === "succeeded" ? 1 : 0);
  }
  return [lastEnd, lastOk];
}

/** Calls, failures and time per plugin hook in the last finished run of each command (from the wrapping). */
function hookFamilies(snapshot: Snapshot): Family[] {
  const calls = gauge(
    "photos_sync_last_run_plugin_calls",
    "Plugin calls in the last finished run of each command",
  );
  const failures = gauge(
    "photos_sync_last_run_plugin_failures",
    "Plugin calls that failed in the last finished run of each command, retried ones included",
  );
  const time = gauge(
    "photos_sync_last_run_plugin_seconds",
    "Time spent in plugin calls in the last finished run of each command",
  );
  const seen = new Set<string>();
  for (const r of snapshot.runs) {
    if (r.status === "running" || seen.has(r.command)) continue;
    seen.add(r.command);
    for (const h of hooksOf(r.summary)) {
      const labels = { command: r.command, plugin: h.pluginId, hook: h.hook };
      calls.add(labels, h.calls);
      failures.add(labels, h.failures);
      time.add(labels, h.totalMs / 1000);
    }
  }
  return [calls, failures, time];
}

/** The hook timings a run's summary carries; runs recorded before they did carry none. */
function hooksOf(summary: unknown): HookTiming[] {
  const hooks = (summary as { hooks?: unknown } | null)?.hooks;
  return Array.isArray(hooks) ? hooks.filter((h) => typeof h?.pluginId === "string") : [];
}

/** The problem groups summed per destination, status and class (reasons would be too many labels). */
function problemFamily(snapshot: Snapshot): Family {
  const problems = gauge("photos_sync_problems", "Failed or skipped assets by destination and error class");
  const byClass = new Map<string, { labels: Labels; n: number }>();
  for (const p of snapshot.problems) {
    const labels = { destination: p.destination, status: p.status, error_class: p.errorClass ?? "" };
    const key = JSON.stringify(labels);
    const entry = byClass.get(key) ?? { labels, n: 0 };
    entry.n += p.count;
    byClass.set(key, entry);
  }
  for (const { labels, n } of byClass.values()) problems.add(labels, n);
  return problems;
}

/** Each job of the recent backup runs. */
function backupJobFamilies(snapshot: Snapshot): Family[] {
  const bytesTotal = gauge("photos_sync_backup_job_bytes_total", "Bytes a backup job has to copy");
  const bytesDone = gauge("photos_sync_backup_job_bytes_transferred", "Bytes a backup job copied");
  const filesTotal = gauge("photos_sync_backup_job_files_total", "Files a backup job has to copy");
  const filesDone = gauge("photos_sync_backup_job_files_transferred", "Files a backup job copied");
  const speed = gauge("photos_sync_backup_job_bytes_per_second", "Pace of a backup job");
  const eta = gauge("photos_sync_backup_job_eta_seconds", "Seconds left for a backup job");
  const running = gauge("photos_sync_backup_job_running", "1 for each backup job in progress");
  for (const run of snapshot.backups.runs) {
    for (const j of run.jobs) {
      const labels = { run: run.id, destination: run.destination, source: j.sourcePath };
      bytesTotal.add(labels, j.bytesTotal);
      bytesDone.add(labels, j.bytesTransferred);
      filesTotal.add(labels, j.filesTotal);
      filesDone.add(labels, j.filesTransferred);
      speed.add(labels, j.transferSpeed);
      eta.add(labels, j.etaSeconds);
      running.add(labels, j.status === "running" ? 1 : 0);
    }
  }
  return [bytesTotal, bytesDone, filesTotal, filesDone, speed, eta, running];
}
