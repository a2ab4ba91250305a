/**
 * A no-op `sync` over 100,000 already-imported assets, against listing the library alone (the least
 * any sync must do), both as whole processes. Goals: under 3 s, and at most 1.2x the listing.
 * The tracker is filled directly (the import itself is measured elsewhere), as a real import records it.
 */
import { join } from "node:path";
import { planAsset } from "../core/engine/import_run.ts";
import { testContext } from "../core/plugin/testing/context.ts";
import { fieldsRead } from "../core/model/synced.ts";
import { Tracker } from "../core/tracker/mod.ts";
import { SyncStore } from "../core/tracker/sync_state.ts";
import photoslibrary from "../plugins/source/photoslibrary/mod.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { measure, type Measurement, ratioLine } from "./_measure.ts";

const ASSETS = Number(Deno.env.get("BENCH_ASSETS") ?? 100_000);
const root = new URL("..", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
try {
  const sample = await writeSampleLibrary(join(dir, "Bench.photoslibrary"), { assets: ASSETS, files: false });
  const home = join(dir, "home");
  const dest = join(dir, "dest");
  await Deno.mkdir(home);
  await Deno.mkdir(dest);
  const tracker = Tracker.open(join(home, "tracker.db"));
  const store = new SyncStore(tracker);
  {
    await using ctx = await testContext();
    const source = await photoslibrary.open({ library: sample.path }, ctx);
    const ids = { source: source.key, destination: `folder:${dest}` };
    for await (const asset of source.list()) {
      if (asset.trashed) continue;
      const plan = planAsset(asset, []);
      const files = plan.resources.map((r, i) => ({
        key: r.key,
        name: r.name,
        path: "",
        size: r.resource.size ?? 1,
        sha1: `${asset.id}${i}`,
      }));
      // The files exist at the destination, so its start-up presence check finds what was imported.
      for (const f of files) Deno.writeFileSync(join(dest, f.sha1), new Uint8Array());
      tracker.recordImported(
        ids,
        { asset, plan, files },
        files.map((f) => ({ key: f.key, remoteId: f.sha1, duplicate: false })),
      );
      // What the import sent is what both sides agree on, as a real import records it.
      store.recordSent(ids, asset.id, fieldsRead(asset, photoslibrary.fields.read));
    }
    await source.close();
  }
  tracker.close();

  const syncArgs = [
    "run",
    "-A",
    join(root, "main.ts"),
    "sync",
    "--home",
    home,
    "--library",
    sample.path,
    "--to",
    "folder",
    "--folder-path",
    dest,
    // The layout whose sidecars carry every synced field, so the destination keeps all of them and
    // the agreed values recorded above are what a real import records (the dated layout keeps none).
    "--folder-layout",
    "photos-import",
  ];
  const listArgs = ["run", "-A", join(root, "bench/_list_child.ts"), sample.path, "single"];
  // The first sync after an import compares every asset once and stamps it: not a no-op.
  const first = await measure(Deno.execPath(), syncArgs);
  // Alternated, so that a busy neighbour slows both alike; the best of three each.
  const syncs: Measurement[] = [];
  const lists: Measurement[] = [];
  for (let i = 0; i < 3; i++) {
    syncs.push(await measure(Deno.execPath(), syncArgs));
    lists.push(await measure(Deno.execPath(), listArgs));
  }
  const sync = fastest(syncs);
  const list = fastest(lists);
  console.log(
    `first sync after the import of ${ASSETS} assets (compares and stamps each): ${
      first.seconds.toFixed(2)
    } s`,
  );
  console.log(ratioLine(`no-op sync of ${ASSETS} imported assets`, sync, list, "listing the library alone"));
  console.log(
    `no-op sync: ${sync.seconds.toFixed(2)} s (goal: under 3 s); ${
      (sync.seconds / list.seconds).toFixed(2)
    }x the listing (goal: at most 1.2)`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}

function fastest(runs: Measurement[]): Measurement {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}
