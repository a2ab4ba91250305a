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

/** Every figure of the snapshot as gauges; families without samples still carry HELP and TYPE. */
export function renderMetrics(snapshot: Snapshot): string {
  const f = {
    up: new Family("photos_sync_up", "gauge", "1 while the serve endpoint can read the tracker"),
    assets: new Family("photos_sync_assets", "gauge", "Assets per destination by transfer status"),
    bytes: new Family("photos_sync_imported_bytes", "gauge", "Bytes of the assets imported per destination"),
    incomplete: new Family(
      "photos_sync_incomplete_assets",
      "gauge",
      "Imported assets missing a part (e.g. a Live Photo without its motion video)",
    ),
    running: new Family("photos_sync_run_active", "gauge", "1 for each run in progress"),
    done: new Family("photos_sync_run_done_assets", "gauge", "Assets finished by the run in progress"),
    failed: new Family("photos_sync_run_failed_assets", "gauge", "Assets that failed in the run in progress"),
    runBytes: new Family("photos_sync_run_bytes", "gauge", "Bytes transferred by the run in progress"),
    total: new Family(
      "photos_sync_run_total_assets",
      "gauge",
      "Assets the run in progress expects to go through",
    ),
    assetRate: new Family(
      "photos_sync_run_assets_per_second",
      "gauge",
      "Recent pace of the run in progress, assets per second",
    ),
    byteRate: new Family(
      "photos_sync_run_bytes_per_second",
      "gauge",
      "Recent pace of the run in progress, bytes per second",
    ),
    eta: new Family(
      "photos_sync_run_eta_seconds",
      "gauge",
      "Seconds left for the run in progress at its pace",
    ),
    heartbeat: new Family(
      "photos_sync_run_heartbeat_timestamp_seconds",
      "gauge",
      "When the run in progress last wrote its progress",
    ),
    lastEnd: new Family(
      "photos_sync_last_run_end_timestamp_seconds",
      "gauge",
      "When the last finished run of each command ended, by how it ended",
    ),
    lastOk: new Family(
      "photos_sync_last_run_success",
      "gauge",
      "1 if the last finished run of each command succeeded, else 0",
    ),
    problems: new Family(
      "photos_sync_problems",
      "gauge",
      "Failed or skipped assets by destination and error class",
    ),
    backupBytesTotal: new Family(
      "photos_sync_backup_job_bytes_total",
      "gauge",
      "Bytes a backup job has to copy",
    ),
    backupBytesDone: new Family(
      "photos_sync_backup_job_bytes_transferred",
      "gauge",
      "Bytes a backup job copied",
    ),
    backupFilesTotal: new Family(
      "photos_sync_backup_job_files_total",
      "gauge",
      "Files a backup job has to copy",
    ),
    backupFilesDone: new Family(
      "photos_sync_backup_job_files_transferred",
      "gauge",
      "Files a backup job copied",
    ),
    backupSpeed: new Family("photos_sync_backup_job_bytes_per_second", "gauge", "Pace of a backup job"),
    backupEta: new Family("photos_sync_backup_job_eta_seconds", "gauge", "Seconds left for a backup job"),
    backupRunning: new Family("photos_sync_backup_job_running", "gauge", "1 for each backup job in progress"),
  };
  f.up.add({}, 1);
  const status = snapshot.status as { destinations?: DestinationLike[] } | null;
  for (const d of Array.isArray(status?.destinations) ? status.destinations : []) {
    const destination = String(d.destination);
    for (const s of ["imported", "failed", "skipped"] as const) {
      f.assets.add({ destination, status: s }, d[s] as number);
    }
    f.bytes.add({ destination }, d.bytes as number);
    f.incomplete.add({ destination }, d.incomplete as number);
  }
  for (const r of snapshot.live) {
    const labels = { run: r.id, command: r.command };
    f.running.add(labels, 1);
    f.done.add(labels, r.done);
    f.failed.add(labels, r.failed);
    f.runBytes.add(labels, r.bytes);
    f.total.add(labels, r.total);
    f.assetRate.add(labels, r.assetsPerSecond);
    f.byteRate.add(labels, r.bytesPerSecond);
    f.eta.add(labels, r.etaSeconds);
    f.heartbeat.add(labels, seconds(r.heartbeatAt));
  }
  const seen = new Set<string>();
  for (const r of snapshot.runs) {
    if (r.status === "running" || seen.has(r.command)) continue;
    seen.add(r.command);
    f.lastEnd.add({ command: r.command, status: r.status }, seconds(r.endedAt ?? r.startedAt));
    f.lastOk.add({ command: r.command }, r.status === "succeeded" ? 1 : 0);
  }
  const byClass = new Map<string, { labels: Labels; n: number }>();
  for (const p of snapshot.problems) {
    const labels = { destination: p.destination, status: p.status, error_class: p.errorClass ?? "" };
    const key = JSON.stringify(labels);
    const entry = byClass.get(key) ?? { labels, n: 0 };
    entry.n += p.count;
    byClass.set(key, entry);
  }
  for (const { labels, n } of byClass.values()) f.problems.add(labels, n);
  for (const run of snapshot.backups.runs) {
    for (const j of run.jobs) {
      const labels = { run: run.id, destination: run.destination, source: j.sourcePath };
      f.backupBytesTotal.add(labels, j.bytesTotal);
      f.backupBytesDone.add(labels, j.bytesTransferred);
      f.backupFilesTotal.add(labels, j.filesTotal);
      f.backupFilesDone.add(labels, j.filesTransferred);
      f.backupSpeed.add(labels, j.transferSpeed);
      f.backupEta.add(labels, j.etaSeconds);
      f.backupRunning.add(labels, j.status === "running" ? 1 : 0);
    }
  }
  const out: string[] = [];
  for (const family of Object.values(f)) {
    out.push(`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`);
    for (const [labels, value] of family.samples) out.push(line(family.name, labels, value));
  }
  return out.join("\n") + "\n";
}
