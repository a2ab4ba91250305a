/** Helpers shared by the end-to-end tests of the Immich destination. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { cli } from "./_cli.ts";
import type { RunningEmulator } from "./immich_emulator/mod.ts";
import type { Asset as RemoteAsset } from "./immich_emulator/_state.ts";

export const env = (server: RunningEmulator) => ({ IMMICH_URL: server.url, IMMICH_API_KEY: server.apiKey });

export function importArgs(home: string, library: string, ...more: string[]): string[] {
  return [
    "import",
    "--home",
    home,
    "--to",
    "immich",
    "--source",
    "photoslibrary",
    "--library",
    library,
    "--json",
    ...more,
  ];
}

/** The summary line of an `import --json` run. */
export function summaryOf(stdout: string) {
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

export interface Row {
  asset_id: string;
  key: string;
  role: string;
  sha1: string;
  remote_id: string;
  duplicate: number;
}

export function trackerRows(home: string): Row[] {
  const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
  try {
    return db.prepare("SELECT asset_id, key, role, sha1, remote_id, duplicate FROM resources")
      .all() as unknown as Row[];
  } finally {
    db.close();
  }
}

export function sha1(bytes: Uint8Array): string {
  return createHash("sha1").update(bytes).digest("hex");
}

/** Immich assets by the SHA-1 of their bytes; fails if any content is there twice. */
export function byChecksum(server: RunningEmulator): Map<string, RemoteAsset> {
  const map = new Map<string, RemoteAsset>();
  for (const a of server.emulator.state.assets.values()) {
    assert.ok(!map.has(a.checksum), `${a.originalFileName} is in Immich twice`);
    map.set(a.checksum, a);
  }
  return map;
}

export function importedCount(home: string): number {
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
    return 0;
  }
}

/** Every Photos asset present exactly once: one Immich asset per file, stills linked, albums full. */
export async function assertExactlyOnce(server: RunningEmulator, library: string, home: string) {
  const rows = trackerRows(home).filter((r) => !r.remote_id.startsWith("unsupported:"));
  const state = server.emulator.state;
  const remotes = byChecksum(server);
  assert.equal(state.assets.size, rows.length, "one Immich asset per file recorded");
  for (const r of rows) assert.equal(remotes.get(r.sha1)?.id, r.remote_id);
  const stills = new Map(rows.filter((r) => r.key === "original").map((r) => [r.asset_id, r.remote_id]));
  for (const m of rows.filter((r) => r.key === "motion")) {
    assert.equal(state.assets.get(stills.get(m.asset_id)!)!.livePhotoVideoId, m.remote_id, m.asset_id);
  }
  const scan = await cli([
    "scan",
    "--home",
    home,
    "--source",
    "photoslibrary",
    "--library",
    library,
    "--json",
  ]);
  const listed = scan.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((a) => a.id && !a.trashed);
  assert.equal(stills.size, listed.length, "every asset that is not in Recently Deleted was imported");
  const inAlbums = new Set([...state.albums.values()].flatMap((a) => a.assetIds));
  assert.equal(
    state.albums.size,
    new Set(listed.flatMap((a) => a.albums.map((x: { id: string }) => x.id))).size,
  );
  for (const a of listed.filter((a) => a.albums.length > 0)) {
    assert.ok(inAlbums.has(stills.get(a.id)!), `${a.filename} is in its album`);
  }
}
