/**
 * Numbered schema migrations. `PRAGMA user_version` holds the number of the last one applied.
 * Append new migrations at the end; never edit one that has shipped. The first seven are in
 * `migrations_first.ts`.
 * @module
 */
import { FIRST_MIGRATIONS } from "./migrations_first.ts";

/** Each entry upgrades the schema from version `index` to `index + 1`. */
export const MIGRATIONS: readonly string[] = [
  ...FIRST_MIGRATIONS,
  // 8: the two-way sync's state. The values both sides last agreed on, per asset and destination
  // (JSON in the synced shape of core/model/synced.ts), seeded from the three fields the one-way
  // sync kept, so nothing is sent again; conflicts kept for review; metadata waiting to be written
  // into Photos by a source that can; and where each side's change feed was read up to.
  `
  CREATE TABLE sync_state (
    source TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    fields TEXT NOT NULL,
    agreed_at TEXT NOT NULL,
    PRIMARY KEY (source, asset_id, destination)
  ) STRICT, WITHOUT ROWID; -- read whole by every sync: rows kept in key order, read in one pass
  INSERT INTO sync_state (source, asset_id, destination, fields, agreed_at)
    SELECT source, asset_id, destination,
      json_remove(
        json_object(
          'favorite', CASE synced_favorite WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
          'hidden', CASE synced_hidden WHEN 1 THEN json('true') WHEN 0 THEN json('false') END,
          'captured', CASE WHEN synced_captured_at IS NOT NULL
            THEN json_object('utc', synced_captured_at, 'offsetSeconds', NULL) END),
        CASE WHEN synced_favorite IS NULL THEN '$.favorite' ELSE '$.none' END,
        CASE WHEN synced_hidden IS NULL THEN '$.hidden' ELSE '$.none' END,
        CASE WHEN synced_captured_at IS NULL THEN '$.captured' ELSE '$.none' END),
      COALESCE(imported_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
    FROM transfers
    WHERE status = 'imported' AND (synced_favorite IS NOT NULL OR synced_hidden IS NOT NULL OR synced_captured_at IS NOT NULL);

  CREATE TABLE sync_conflicts (
    source TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    field TEXT NOT NULL,
    base TEXT NOT NULL,
    photos TEXT NOT NULL,
    remote TEXT NOT NULL,
    found_at TEXT NOT NULL,
    -- Set by review --resolve (photos or immich); the next sync applies it and drops the row.
    resolution TEXT,
    PRIMARY KEY (source, asset_id, destination, field)
  ) STRICT;

  CREATE TABLE pending_writes (
    source TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    fields TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    PRIMARY KEY (source, asset_id)
  ) STRICT;

  -- The title and folders each album was last given at a destination, to tell a renamed album.
  CREATE TABLE sync_albums (
    destination TEXT NOT NULL,
    album_id TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (destination, album_id)
  ) STRICT;

  CREATE TABLE sync_checkpoints (
    destination TEXT NOT NULL,
    side TEXT NOT NULL,
    checkpoint TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (destination, side)
  ) STRICT;
  `,
  // 9: the round trip. An asset archived out of Photos once the destination was verified to hold it
  // whole (its files' checksums as verified), when it was removed from Photos, and what it became
  // when it was brought back.
  `
  CREATE TABLE archived (
    source TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    archived_at TEXT NOT NULL,
    verified TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    removed_from_source_at TEXT,
    restored_at TEXT,
    restored_as TEXT,
    PRIMARY KEY (source, asset_id, destination)
  ) STRICT;
  `,
  // 10: the library each album was seen in, so an album deleted in Photos is told apart from another
  // library's album at the same destination. Rows from before have none until their album is seen
  // again; until then they are never taken for deleted.
  `
  ALTER TABLE sync_albums ADD COLUMN source TEXT;
  `,
  // 11: the sync's stamp of each asset:
  // a hash of what the listing showed of it (modification date, file sizes, keywords, people,
  // albums) when Photos' side last matched the agreed values, so a no-op sync compares one number
  // per asset. On the transfer, read with the state the diff reads anyway. Empty for today's rows:
  // the next sync compares their fields once and stamps them.
  `
  ALTER TABLE transfers ADD COLUMN sync_stamp INTEGER;
  `,
  // 12: the cold tier per asset. Each file of an archived asset kept as a cold copy (a Glacier or B2
  // object): where, in which class, its checksum, when it was stored and last verified, and its
  // restore; and per asset, when its cold copy was complete and when it left Immich.
  `
  CREATE TABLE cold_objects (
    source TEXT NOT NULL, asset_id TEXT NOT NULL, target TEXT NOT NULL, key TEXT NOT NULL,
    remote_id TEXT NOT NULL, object_key TEXT NOT NULL, storage_class TEXT NOT NULL,
    size INTEGER NOT NULL, stored_bytes INTEGER NOT NULL, sha1 TEXT NOT NULL,
    uploaded_at TEXT NOT NULL, verified_at TEXT,
    restore_state TEXT NOT NULL DEFAULT 'none' CHECK (restore_state IN ('none', 'requested', 'readable')),
    restore_tier TEXT, restore_requested_at TEXT,
    -- requested: when the readable copy is expected (the tier's longest wait); readable: its expiry.
    restore_until TEXT,
    PRIMARY KEY (source, asset_id, target, key)
  ) STRICT;

  -- destination: the Immich destination the asset was archived at (what it may leave).
  CREATE TABLE cold_assets (
    source TEXT NOT NULL, asset_id TEXT NOT NULL, target TEXT NOT NULL, destination TEXT NOT NULL,
    stored_at TEXT NOT NULL, bytes INTEGER NOT NULL, removed_from_destination_at TEXT, restored_at TEXT,
    -- The asset as its bundle was made (JSON): what unarchive puts back once the files are restored.
    asset TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (source, asset_id, target)
  ) STRICT;
  `,
  // 13: imports before this one recorded an asset's named people as agreed with Immich without
  // naming them there. Those people are taken out of what is agreed (and the asset's stamp
  // cleared), so the next sync compares them with what Immich has and names the ones missing; an
  // asset whose people a sync did send is found agreed again, and nothing is sent for it.
  `
  UPDATE transfers SET sync_stamp = NULL
   WHERE destination LIKE 'immich:%' AND EXISTS (
     SELECT 1 FROM sync_state s
      WHERE s.source = transfers.source AND s.asset_id = transfers.asset_id
        AND s.destination = transfers.destination AND json_array_length(s.fields, '$.people') > 0);
  UPDATE sync_state SET fields = json_remove(fields, '$.people')
   WHERE destination LIKE 'immich:%' AND json_array_length(fields, '$.people') > 0;
  `,
];

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
