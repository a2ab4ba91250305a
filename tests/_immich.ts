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

/** An asset as `scan --json` prints it, with its plan. */
export interface Scanned {
  id: string;
  filename: string;
  trashed: boolean;
  albums: { id: string; title: string; folders: string[] }[];
  resources: { role: string; present: boolean; path: string }[];
  plan: {
    primary: string;
    skip?: string;
    stackGroup?: { id: string; primary: boolean };
    resources: { key: string; role: string; hidden: boolean }[];
    relations: { type: string; from: string; to: string }[];
  };
}

/** Every asset of a library with its plan, as `scan --json` sees it (`home` is only for the scan). */
export async function scanLibrary(home: string, library: string): Promise<Scanned[]> {
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
  assert.equal(scan.code, 0, scan.stderr);
  return scan.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((a) => a.id);
}

/** Whether an import must bring the asset over: not in Recently Deleted, original on disk, not skipped. */
export const importable = (a: Scanned) =>
  !a.trashed && !a.plan.skip && a.resources.some((r) => r.role === "original" && r.present);

/**
 * The tracker tells the truth about the server: every resource it records is in Immich with the
 * same bytes, and every asset it records is complete there (motion video linked, stacks made,
 * in its albums, named by folder path). With `complete`, also every importable asset is recorded,
 * Immich holds nothing else (no file twice, no album twice) and the stacks of bursts are whole.
 */
export function assertTrackerTruthful(
  server: RunningEmulator,
  home: string,
  assets: Scanned[],
  options: { complete?: boolean; context?: string } = {},
): void {
  const at = options.context ? ` (${options.context})` : "";
  const state = server.emulator.state;
  const rows = trackerRows(home);
  const remotes = byChecksum(server);
  const sent = rows.filter((r) => !r.remote_id.startsWith("unsupported:"));
  for (const r of sent) {
    assert.equal(
      remotes.get(r.sha1)?.id,
      r.remote_id,
      `${r.asset_id} ${r.key} is recorded but not in Immich${at}`,
    );
  }
  const recorded = new Map<string, Map<string, string>>();
  for (const r of rows) {
    recorded.set(r.asset_id, (recorded.get(r.asset_id) ?? new Map<string, string>()).set(r.key, r.remote_id));
  }
  const albums = new Map([...state.albums.values()].map((a) => [a.albumName, new Set(a.assetIds)]));
  assert.equal(albums.size, state.albums.size, `no album is in Immich twice${at}`);
  const expectedAlbums = new Map<string, Set<string>>();
  const stackOf = (id: string) => state.stacks.get(state.assets.get(id)?.stackId ?? "");
  for (const a of assets) {
    const ids = recorded.get(a.id);
    if (!ids) continue;
    for (const r of a.plan.resources) assert.ok(ids.has(r.key), `${a.filename} ${r.key} is recorded${at}`);
    for (const rel of a.plan.relations) {
      const from: string = ids.get(rel.from) ?? "";
      const to: string = ids.get(rel.to) ?? "";
      if (rel.type === "motion_of") {
        assert.equal(
          state.assets.get(to)?.livePhotoVideoId,
          from,
          `${a.filename}'s motion video is linked${at}`,
        );
      }
      if (rel.type === "stack" || rel.type === "render_of") {
        const stack = stackOf(from);
        assert.ok(stack?.assetIds.includes(to), `${a.filename}'s ${rel.from} and ${rel.to} are stacked${at}`);
        assert.equal(
          stack?.primaryAssetId,
          ids.get(a.plan.primary),
          `${a.filename} is on top of its stack${at}`,
        );
      }
    }
    const primary = ids.get(a.plan.primary)!;
    for (const album of a.albums) {
      const name = [...album.folders, album.title].join(" / ");
      assert.ok(albums.get(name)?.has(primary), `${a.filename} is in the album "${name}"${at}`);
      expectedAlbums.set(name, (expectedAlbums.get(name) ?? new Set()).add(primary));
    }
  }
  if (!options.complete) return;

  const missing = assets.filter((a) => importable(a) && !recorded.has(a.id)).map((a) => a.filename);
  assert.deepEqual(missing, [], `every importable asset is recorded${at}`);
  assert.equal(
    state.assets.size,
    new Set(sent.map((r) => r.remote_id)).size,
    `Immich holds nothing else${at}`,
  );
  const sorted = (m: Map<string, Set<string>>) => new Map([...m].map(([k, v]) => [k, [...v].sort()]));
  assert.deepEqual(
    sorted(albums),
    sorted(expectedAlbums),
    `albums hold exactly their assets, once each${at}`,
  );
  const bursts = Map.groupBy(
    assets.filter((a) => importable(a) && a.plan.stackGroup),
    (a) => a.plan.stackGroup!.id,
  );
  for (const [group, members] of bursts) {
    const primaries = members.map((m) => recorded.get(m.id)!.get(m.plan.primary)!);
    if (primaries.length < 2) continue;
    const stack = stackOf(primaries[0]);
    assert.deepEqual(
      [...stack?.assetIds ?? []].sort(),
      [...primaries].sort(),
      `${group} is stacked whole${at}`,
    );
    const top = members.find((m) => m.plan.stackGroup!.primary);
    if (top) {
      assert.equal(
        stack!.primaryAssetId,
        recorded.get(top.id)!.get(top.plan.primary),
        `${group}'s key frame on top`,
      );
    }
  }
}
