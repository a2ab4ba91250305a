/**
 * A no-op `sync` over 100,000 already-imported assets, against listing the library alone, both as
 * whole processes. Goals: under 3 s, and at most 1.2x the listing. Measured twice: on the library as
 * Photos keeps it, with Core Data's change history, where a sync with nothing changed on either side
 * does not list the library (`core/engine/sync_unlisted.ts`); then with the history tables dropped,
 * as a library without them is synced: listed, and each asset's stamp compared.
 * The tracker is filled directly (the import itself is measured elsewhere), as a real import records it.
 */
import { DatabaseSync } from "node:sqlite";
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
  console.log(
    `first sync after the import of ${ASSETS} assets (compares and stamps each): ${
      first.seconds.toFixed(2)
    } s`,
  );
  for (const history of [true, false]) {
    if (!history) {
      const db = new DatabaseSync(join(sample.path, "database", "Photos.sqlite"));
      db.exec("DROP TABLE ACHANGE; DROP TABLE ATRANSACTION");
      db.close();
      await measure(Deno.execPath(), syncArgs); // the first without a token lists and notes it
    }
    // Alternated, so that a busy neighbour slows both alike; the best of three each.
    const syncs: Measurement[] = [];
    const lists: Measurement[] = [];
    for (let i = 0; i < 3; i++) {
      syncs.push(await measure(Deno.execPath(), syncArgs));
      lists.push(await measure(Deno.execPath(), listArgs));
    }
    const sync = fastest(syncs);
    const list = fastest(lists);
    const unlisted = await notListed(syncArgs);
    const what = history
      ? `with Photos' change history (the library ${unlisted ? "not listed" : "LISTED: check why"})`
      : `without a change history (the library ${unlisted ? "NOT LISTED: check why" : "listed"})`;
    console.log(
      ratioLine(`no-op sync of ${ASSETS} imported assets, ${what}`, sync, list, "listing the library alone"),
    );
    console.log(
      `no-op sync, ${history ? "with" : "without"} history: ${sync.seconds.toFixed(2)} s (goal: under 3 s); ${
        (sync.seconds / list.seconds).toFixed(2)
      }x the listing (goal: at most 1.2)`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

/** Whether one more sync, as measured, left the library unlisted (its JSON summary says). */
async function notListed(args: string[]): Promise<boolean> {
  const out = await new Deno.Command(Deno.execPath(), { args: [...args, "--json"], stderr: "null" }).output();
  const last = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "{}";
  return (JSON.parse(last) as { unlisted?: boolean }).unlisted === true;
}

function fastest(runs: Measurement[]): Measurement {
  return runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}
