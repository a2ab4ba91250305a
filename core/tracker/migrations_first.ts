/**
 * Migrations 1 to 7, the one-way tool's schema (kept apart so neither file grows past what one reads
 * at once); `migrations.ts` continues the list. Never edit one that has shipped.
 * @module
 */

/** Migrations 1 to 7, in order. */
export const FIRST_MIGRATIONS: readonly string[] = [
  // 1: the whole first schema.
  `
  -- What the tool knows of each source asset (one row per asset, whatever the destinations).
  CREATE TABLE assets (
    source TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    media_kind TEXT NOT NULL,
    subtypes TEXT NOT NULL DEFAULT '[]',
    captured_at TEXT,
    modified_at TEXT,
    favorite INTEGER,
    hidden INTEGER,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    gone_at TEXT,
    PRIMARY KEY (source, asset_id)
  ) STRICT;

  -- What became of each asset at each destination.
  CREATE TABLE transfers (
    source TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('imported', 'failed', 'skipped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    error_class TEXT,
    error_message TEXT,
    last_attempt_at TEXT,
    next_attempt_at TEXT,
    imported_at TEXT,
    source_modified_at TEXT,
    size INTEGER,
    handlers TEXT,
    tags TEXT,
    incomplete TEXT,
    synced_favorite INTEGER,
    synced_hidden INTEGER,
    PRIMARY KEY (source, asset_id, destination)
  ) STRICT;
  CREATE INDEX transfers_status ON transfers (destination, status);

  -- One row per file that reached a destination (still, motion video, sidecars, renders).
  CREATE TABLE resources (
    source TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    key TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    size INTEGER NOT NULL,
    remote_id TEXT NOT NULL,
    duplicate INTEGER NOT NULL DEFAULT 0,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (source, asset_id, destination, key)
  ) STRICT;
  CREATE INDEX resources_sha1 ON resources (destination, sha1);
  CREATE INDEX resources_remote ON resources (destination, remote_id);

  CREATE TABLE album_members (
    destination TEXT NOT NULL,
    album_id TEXT NOT NULL,
    album_title TEXT NOT NULL,
    album_folders TEXT NOT NULL DEFAULT '[]',
    source TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    PRIMARY KEY (destination, album_id, source, asset_id)
  ) STRICT;

  CREATE TABLE plugin_state (
    plugin TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (plugin, key)
  ) STRICT;

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted')),
    dry_run INTEGER NOT NULL DEFAULT 0,
    progress TEXT,
    summary TEXT
  ) STRICT;

  CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    command TEXT NOT NULL,
    acquired_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE backup_destinations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    bucket_name TEXT NOT NULL,
    remote_path TEXT NOT NULL DEFAULT '/',
    created_at TEXT NOT NULL,
    last_backup_at TEXT
  ) STRICT;

  -- A backup run owns one job per source; every run is a new record.
  CREATE TABLE backup_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    destination_id INTEGER NOT NULL REFERENCES backup_destinations (id),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,
    dry_run INTEGER NOT NULL DEFAULT 0,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL
  ) STRICT;

  CREATE TABLE backup_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES backup_runs (id),
    destination_id INTEGER NOT NULL REFERENCES backup_destinations (id),
    source_path TEXT NOT NULL,
    remote_path TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'PENDING'
      CHECK (status IN ('PENDING', 'RUNNING', 'COMPLETED', 'INTERRUPTED', 'FAILED')),
    bytes_total INTEGER NOT NULL DEFAULT 0,
    bytes_transferred INTEGER NOT NULL DEFAULT 0,
    files_total INTEGER NOT NULL DEFAULT 0,
    files_transferred INTEGER NOT NULL DEFAULT 0,
    transfer_speed INTEGER NOT NULL DEFAULT 0,
    eta_seconds INTEGER,
    started_at TEXT,
    completed_at TEXT,
    last_update TEXT NOT NULL,
    error_message TEXT,
    retry_count INTEGER NOT NULL DEFAULT 0,
    priority INTEGER NOT NULL DEFAULT 0,
    pid INTEGER
  ) STRICT;
  CREATE INDEX backup_jobs_status ON backup_jobs (status);
  CREATE INDEX backup_jobs_run ON backup_jobs (run_id);
  `,
  // 2: what sync and cleanup need to reconcile.
  `
  -- The metadata last sent to the destination, so sync pushes only what changed in the source.
  ALTER TABLE transfers ADD COLUMN synced_captured_at TEXT;
  -- The destination no longer has the asset (deleted there); it is not uploaded again.
  ALTER TABLE transfers ADD COLUMN remote_gone_at TEXT;
  -- The resource key that represents the asset at the destination (its id is the asset's id there).
  ALTER TABLE transfers ADD COLUMN primary_key TEXT;
  CREATE INDEX assets_gone ON assets (source, gone_at);
  `,
  // 3: media types. The sidecar store's index (which asset and key each stored SHA-1 belongs to,
  // whatever the destination), and the stack group of a transfer whose asset is stacked with
  // other assets (the frames of a burst).
  `
  CREATE TABLE sidecars (
    source TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    key TEXT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    sha1 TEXT NOT NULL,
    size INTEGER NOT NULL,
    stored_at TEXT NOT NULL,
    PRIMARY KEY (source, asset_id, key)
  ) STRICT;
  CREATE INDEX sidecars_sha1 ON sidecars (sha1);

  ALTER TABLE transfers ADD COLUMN stack_group TEXT;
  ALTER TABLE transfers ADD COLUMN stack_primary INTEGER;
  CREATE INDEX transfers_stack_group ON transfers (destination, stack_group) WHERE stack_group IS NOT NULL;
  `,
  // 4: backup runs get a heartbeat and the name of the dated archive area their sync moves replaced
  // and deleted files into (a resumed run keeps writing to the same one); jobs get the source's
  // name and how many files they archived; cold-storage objects get their restore state.
  `
  ALTER TABLE backup_runs ADD COLUMN heartbeat_at TEXT;
  ALTER TABLE backup_runs ADD COLUMN archive_stamp TEXT;
  ALTER TABLE backup_jobs ADD COLUMN source_name TEXT;
  ALTER TABLE backup_jobs ADD COLUMN files_archived INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX backup_runs_destination ON backup_runs (destination_id, id);

  -- One row per object a restore found in an archive tier (Glacier), so a restore that is run again
  -- asks the tier only for objects it has not asked for yet and knows which ones are readable.
  CREATE TABLE backup_cold_objects (
    destination_id INTEGER NOT NULL REFERENCES backup_destinations (id),
    path TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('cold', 'requested', 'restored')),
    requested_at TEXT,
    restored_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (destination_id, path)
  ) STRICT;
  `,
  // 5: a member of a stack across assets (a burst frame) is recorded first and stacked after; it
  // stays pending until the destination confirmed a stack that holds it, so a run killed in between,
  // or a stack call that failed, is made good by the next run.
  `
  ALTER TABLE transfers ADD COLUMN stack_pending INTEGER;
  CREATE INDEX transfers_stack_pending ON transfers (source, destination, stack_group) WHERE stack_pending = 1;
  `,
  // 6: identity. Which library each asset came from (the library's own id, not its path), so a
  // second library in the same data folder is refused instead of marking the first one's assets
  // gone; rows from before adopt the first library seen. And what the last import ran against
  // (source, library, destination and their non-secret options), so later commands default to it.
  `
  ALTER TABLE assets ADD COLUMN library_id TEXT;
  CREATE TABLE libraries (
    source TEXT NOT NULL,
    library_id TEXT NOT NULL,
    location TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    PRIMARY KEY (source, library_id)
  ) STRICT;
  CREATE TABLE remembered (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    recorded_at TEXT NOT NULL
  ) STRICT;
  `,
  // 7: one status vocabulary for every run and job (backup runs and jobs used uppercase words of
  // their own: COMPLETED is now succeeded), and backup runs record when their owner took them, so a
  // process id reused by a newer process is not taken for the owner (as for the run lock). The jobs
  // table is rebuilt for its CHECK; its AUTOINCREMENT sequence is carried over, so ids never repeat.
  `
  UPDATE backup_runs SET status = CASE status WHEN 'COMPLETED' THEN 'succeeded' ELSE lower(status) END;
  ALTER TABLE backup_runs ADD COLUMN owner_since TEXT;

  CREATE TABLE backup_jobs_v7 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES backup_runs (id),
    destination_id INTEGER NOT NULL REFERENCES backup_destinations (id),
    source_path TEXT NOT NULL,
    remote_path TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
      CHECK (status IN ('pending', 'running', 'succeeded', 'failed', 'interrupted')),
    bytes_total INTEGER NOT NULL DEFAULT 0,
    bytes_transferred INTEGER NOT NULL DEFAULT 0,
    files_total INTEGER NOT NULL DEFAULT 0,
    files_transferred INTEGER NOT NULL DEFAULT 0,
    transfer_speed INTEGER NOT NULL DEFAULT 0,
    eta_seconds INTEGER,
    started_at TEXT,
    completed_at TEXT,
    last_update TEXT NOT NULL,
    error_message TEXT,
    retry_count INTEGER NOT NULL DEFAULT 0,
    priority INTEGER NOT NULL DEFAULT 0,
    pid INTEGER,
    source_name TEXT,
    files_archived INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  INSERT INTO backup_jobs_v7 (id, run_id, destination_id, source_path, remote_path, status, bytes_total,
    bytes_transferred, files_total, files_transferred, transfer_speed, eta_seconds, started_at, completed_at,
    last_update, error_message, retry_count, priority, pid, source_name, files_archived)
  SELECT id, run_id, destination_id, source_path, remote_path,
    CASE status WHEN 'COMPLETED' THEN 'succeeded' ELSE lower(status) END, bytes_total,
    bytes_transferred, files_total, files_transferred, transfer_speed, eta_seconds, started_at, completed_at,
    last_update, error_message, retry_count, priority, pid, source_name, files_archived
  FROM backup_jobs;
  DELETE FROM sqlite_sequence WHERE name = 'backup_jobs_v7';
  INSERT INTO sqlite_sequence (name, seq) SELECT 'backup_jobs_v7', seq FROM sqlite_sequence WHERE name = 'backup_jobs';
  DROP TABLE backup_jobs;
  ALTER TABLE backup_jobs_v7 RENAME TO backup_jobs;
  CREATE INDEX backup_jobs_status ON backup_jobs (status);
  CREATE INDEX backup_jobs_run ON backup_jobs (run_id);
  `,
];
