/**
 * A two-way `sync` of a library already in Immich (the emulator) after CHANGES edits on each side:
 * favorites and captions in Photos (made as Photos makes them), favorites in Immich. Against listing
 * the library alone, both as whole processes (three rounds, alternated); and the requests the sync made, which must follow the
 * changes, not the library's size. Goal: under 5 s at 100,000 assets, requests in proportion.
 *
 *   deno task bench sync_changes                 # 100,000 assets, 100 changes per side
 *   BENCH_ASSETS=20000 deno task bench sync_changes
 *
 * The emulator and the tracker are filled directly, as an import leaves them (the import is measured
 * elsewhere); one sync then starts Immich's change feed, as it would after the import.
 */
import { join } from "node:path";
import { fieldsRead } from "../core/model/synced.ts";
import { planAsset } from "../core/engine/import_plan.ts";
import { testContext } from "../core/plugin/testing/context.ts";
import { Tracker } from "../core/tracker/mod.ts";
import { SyncStore } from "../core/tracker/sync_state.ts";
import photoslibrary from "../plugins/source/photoslibrary/mod.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { openLibraryEdit } from "../tests/_library_edit.ts";
import type { Asset as RemoteAsset } from "../tests/immich_emulator/_state.ts";
import { startEmulator } from "../tests/immich_emulator/mod.ts";
import { measure, type Measurement, ratioLine } from "./_measure.ts";

const ASSETS = Number(Deno.env.get("BENCH_ASSETS") ?? 100_000);
const CHANGES = Number(Deno.env.get("BENCH_CHANGES") ?? 100);
const ROUNDS = 3;
const root = new URL("..", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
await using server = await startEmulator();
try {
  const sample = await writeSampleLibrary(join(dir, "Bench.photoslibrary"), { assets: ASSETS, files: false });
  const home = join(dir, "home");
  await Deno.mkdir(home);
  const uuids = await seed(sample.path, home);
  const env = { IMMICH_URL: server.url, IMMICH_API_KEY: server.apiKey, NO_COLOR: "1" };
  const args = [
    "run",
    "-A",
    join(root, "main.ts"),
    "sync",
    "--home",
    home,
    "--library",
    sample.path,
    "--to",
    "immich",
  ];
  await measure(Deno.execPath(), args, env); // starts the change feed

  // Three rounds, each on assets of its own, each sync followed by a listing: a busy neighbour slows
  // both alike; the best of three each. The requests are the best round's.
  const picked = uuids.filter((_, i) =>
    i % Math.max(1, Math.floor(uuids.length / (2 * CHANGES * ROUNDS))) === 0
  );
  const listArgs = ["run", "-A", join(root, "bench/_list_child.ts"), sample.path, "single"];
  const rounds: { sync: Measurement; requests: Map<string, number> }[] = [];
  const lists: Measurement[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const mine = picked.slice(2 * CHANGES * round, 2 * CHANGES * (round + 1));
    await change(sample.path, home, mine.slice(0, CHANGES), mine.slice(CHANGES));
    server.emulator.stats.clear();
    const sync = await measure(Deno.execPath(), args, env);
    rounds.push({ sync, requests: new Map(server.emulator.stats) });
    lists.push(await measure(Deno.execPath(), listArgs));
  }
  const { sync, requests } = rounds.reduce((a, b) => (b.sync.seconds < a.sync.seconds ? b : a));
  const list = lists.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const total = [...requests.values()].reduce((n, v) => n + v, 0);
  console.log(
    ratioLine(
      `sync after ${CHANGES} changes per side of ${ASSETS} assets`,
      sync,
      list,
      "listing the library alone",
    ),
  );
  console.log(
    `sync: ${sync.seconds.toFixed(2)} s (goal: under 5 s at 100,000; rounds ${
      rounds.map((r) => r.sync.seconds.toFixed(2)).join(", ")
    } s); ${total} requests for ${2 * CHANGES} changes ` +
      `(${(total / (2 * CHANGES)).toFixed(2)} per change): ${
        [...requests].map(([r, n]) => `${r} ${n}`).join(", ")
      }`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}

/** Changes made on each side: favorites and captions in Photos (as Photos makes them), favorites in Immich. */
async function change(library: string, home: string, inPhotos: string[], inImmich: string[]): Promise<void> {
  await new Promise((r) => setTimeout(r, 1100)); // the change feed keeps whole seconds
  const edit = openLibraryEdit(library);
  try {
    inPhotos.forEach((uuid, i) =>
      i % 2 ? edit.setCaption(uuid, `caption ${i}`) : edit.setFavorite(uuid, true)
    );
  } finally {
    edit.close();
  }
  const remote = remoteIds(home);
  for (const uuid of inImmich) {
    const asset = server.emulator.state.assets.get(remote.get(uuid)!)!;
    asset.isFavorite = true;
    server.emulator.state.touch(asset);
  }
}

/** Fills the emulator and the tracker as an import of the library leaves them; returns the asset ids. */
async function seed(library: string, home: string): Promise<string[]> {
  const tracker = Tracker.open(join(home, "tracker.db"));
  const store = new SyncStore(tracker);
  const state = server.emulator.state;
  const owner = state.admin.id;
  const uuids: string[] = [];
  await using ctx = await testContext();
  const source = await photoslibrary.open({ library }, ctx);
  const ids = { source: source.key, destination: destinationKey() };
  try {
    for await (const asset of source.list()) {
      if (asset.trashed) continue;
      const plan = planAsset(asset, []);
      const files = plan.resources.map((r, i) => ({
        key: r.key,
        name: r.name,
        path: "",
        size: r.resource.size ?? 1,
        sha1: sha1Of(asset.id, i),
      }));
      const refs = files.map((f) => ({ key: f.key, remoteId: crypto.randomUUID(), duplicate: false }));
      refs.forEach((ref, i) =>
        state.addAsset(remoteAsset(ref.remoteId, owner, files[i].sha1, asset.filename))
      );
      tracker.recordImported(ids, { asset, plan, files }, refs);
      store.recordSent(ids, asset.id, fieldsRead(asset, photoslibrary.fields.read));
      uuids.push(asset.id);
    }
  } finally {
    await source.close();
    tracker.close();
  }
  return uuids;
}

/** The tracker key destination.immich gives the emulator's admin. */
function destinationKey(): string {
  return `immich:${server.url}#${server.emulator.state.admin.id}`;
}

function sha1Of(id: string, i: number): string {
  return [...new TextEncoder().encode(`${id}:${i}`)].map((b) => b.toString(16).padStart(2, "0")).join("")
    .padEnd(40, "0").slice(0, 40);
}

function remoteIds(home: string): Map<string, string> {
  const tracker = Tracker.open(join(home, "tracker.db"), { readOnly: true });
  try {
    return new Map(
      tracker.importedRemoteIds({ source: "photos", destination: destinationKey() }).map((
        r,
      ) => [r.assetId, r.remoteId]),
    );
  } finally {
    tracker.close();
  }
}

/** An Immich asset as the emulator keeps one after an upload and its metadata extraction. */
function remoteAsset(id: string, ownerId: string, checksum: string, name: string): RemoteAsset {
  const at = new Date(Date.now() - 60_000).toISOString();
  return {
    id,
    ownerId,
    type: "IMAGE",
    originalFileName: name,
    originalMimeType: "image/jpeg",
    checksum,
    size: 1,
    fileCreatedAt: at,
    fileModifiedAt: at,
    localDateTime: at,
    createdAt: at,
    updatedAt: at,
    isFavorite: false,
    visibility: "timeline",
    deletedAt: null,
    livePhotoVideoId: null,
    stackId: null,
    duration: null,
    exif: {
      fileSizeInByte: 1,
      dateTimeOriginal: at,
      timeZone: null,
      description: "",
      rating: null,
      latitude: null,
      longitude: null,
    },
    tagIds: new Set(),
    metadata: new Map(),
    hasSidecar: false,
  };
}
