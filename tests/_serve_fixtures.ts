/**
 * Fixtures for the serve and schedule end-to-end tests: a sample library and an import of it into
 * a folder destination run by the real CLI in another process, failures made by removing
 * originals, and backup runs as the backup records them.
 * @module
 */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";

export const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

/** Environment for a child photos-sync: no inherited PHOTOS_SYNC_* settings, UTC, no colours. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Deno.env.toObject())) {
    if (!k.startsWith("PHOTOS_SYNC_") && k !== "RUST_BACKTRACE") env[k] = v;
  }
  return { ...env, TZ: "UTC", NO_COLOR: "1", ...extra };
}

/** `photos-sync <args>` as a child process, not yet started (inherits the environment but PHOTOS_SYNC_*). */
export function cliCommand(
  args: string[],
  options: { env?: Record<string, string>; stdout?: "piped" | "null" } = {},
) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "-A", MAIN, ...args], // --quiet: no "Download" lines of a fresh cache
    env: childEnv(options.env),
    clearEnv: true,
    stdin: "null",
    stdout: options.stdout ?? "piped",
    stderr: "piped",
  });
}

/** Runs the CLI to the end; fails the test with its stderr when the exit code is not `expect`. */
export async function runCli(
  args: string[],
  options: { env?: Record<string, string>; expect?: number } = {},
) {
  const out = await cliCommand(args, options).output();
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== (options.expect ?? 0)) {
    throw new Error(`photos-sync ${args.join(" ")} exited ${out.code}:\n${stderr}\n${stdout}`);
  }
  return { code: out.code, stdout, stderr };
}

export interface ImportFixture {
  dir: string;
  library: string;
  home: string;
  folder: string;
  /** Arguments of `import` from this library into the folder destination, under this home. */
  importArgs: string[];
}

/** A sample library of `assets` assets in a new temp dir, and where an import of it goes. */
export async function importFixture(options: { assets?: number } = {}): Promise<ImportFixture> {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-serve-" });
  const library = `${dir}/Sample.photoslibrary`;
  await writeSampleLibrary(library, { assets: options.assets ?? 24 });
  const home = `${dir}/home`;
  const folder = `${dir}/out`;
  return {
    dir,
    library,
    home,
    folder,
    importArgs: [
      "import",
      "--source",
      "photoslibrary",
      "--library",
      library,
      "--to",
      "folder",
      "--folder-path",
      folder,
      "--home",
      home,
    ],
  };
}

/** Removes `n` still originals (not motion videos, not trashed assets), so those assets fail as missing. */
export async function removeOriginals(library: string, n: number): Promise<string[]> {
  const db = new DatabaseSync(join(library, "database", "Photos.sqlite"), { readOnly: true });
  const trashed = new Set(
    db.prepare("SELECT ZUUID FROM ZASSET WHERE ZTRASHEDSTATE = 1").all().map((r) => String(r.ZUUID)),
  );
  db.close();
  const files: string[] = [];
  for await (const shard of Deno.readDir(join(library, "originals"))) {
    for await (const f of Deno.readDir(join(library, "originals", shard.name))) {
      if (!f.name.includes("_3.") && f.name.endsWith(".png") && !trashed.has(f.name.split(".")[0])) {
        files.push(join(library, "originals", shard.name, f.name));
      }
    }
  }
  files.sort();
  const removed = files.slice(0, n);
  for (const f of removed) await Deno.remove(f);
  return removed;
}

/**
 * Backup runs as the backup records them in the tracker: one finished yesterday, one in progress
 * with a job done and a job 40% through.
 */
export function seedBackupRuns(home: string): void {
  const db = new DatabaseSync(join(home, "tracker.db"));
  try {
    const now = Date.now();
    const iso = (msAgo: number) => new Date(now - msAgo).toISOString();
    db.prepare(
      `INSERT INTO backup_destinations (name, type, bucket_name, created_at) VALUES ('offsite', 'b2', 'photos-backup', ?)`,
    ).run(iso(86_400_000 * 3));
    const run = db.prepare(
      `INSERT INTO backup_runs (destination_id, started_at, ended_at, status, pid, host, heartbeat_at)
       VALUES (1, ?, ?, ?, ?, 'test', ?)`,
    );
    const job = db.prepare(
      `INSERT INTO backup_jobs (run_id, destination_id, source_path, remote_path, status, bytes_total, bytes_transferred,
         files_total, files_transferred, transfer_speed, eta_seconds, started_at, completed_at, last_update)
       VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    run.run(iso(86_400_000), iso(86_400_000 - 3_600_000), "succeeded", Deno.pid, iso(86_400_000 - 3_600_000));
    job.run(
      1,
      "/srv/immich/library",
      "library",
      "succeeded",
      52e9,
      52e9,
      18000,
      18000,
      0,
      null,
      iso(86_400_000),
      iso(86_400_000 - 3_000_000),
      iso(86_400_000 - 3_000_000),
    );
    job.run(
      1,
      "/srv/immich/db-dumps",
      "db",
      "succeeded",
      2e8,
      2e8,
      3,
      3,
      0,
      null,
      iso(86_400_000),
      iso(86_400_000 - 3_600_000),
      iso(86_400_000 - 3_600_000),
    );
    run.run(iso(600_000), null, "running", Deno.pid, iso(1000)); // beating: a live run
    job.run(
      2,
      "/srv/immich/db-dumps",
      "db",
      "succeeded",
      2.1e8,
      2.1e8,
      3,
      3,
      0,
      null,
      iso(600_000),
      iso(500_000),
      iso(500_000),
    );
    job.run(
      2,
      "/srv/immich/library",
      "library",
      "running",
      54e9,
      21.6e9,
      18500,
      7400,
      36e6,
      900,
      iso(500_000),
      null,
      iso(1000),
    );
  } finally {
    db.close();
  }
}
