/**
 * `archive --remove-from-photos` and `unarchive` killed with SIGKILL at several points and run
 * again, over the Media-Types library in the PhotoKit twin and the Immich emulator. The kills land
 * while the CLI waits on its n-th verification or download from Immich, and right after Photos (the
 * twin) made a deletion or a creation but before the CLI heard back (the twin's `dieAfter`). After the last run: every asset
 * left Photos once and came back once, and the tracker says so.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { createdAssets } from "../plugins/source/photokit/_fixture_library.ts";
import { withTempDir } from "./_cli.ts";
import { env } from "./_immich.ts";
import { mediaTypesTwin, PICKS, spawnTwinCli, twinCli } from "./_media_types_twin.ts";
import { HAS_SHARED } from "./shared_data.ts";
import { type RunningEmulator, startEmulator } from "./immich_emulator/mod.ts";

const PICKED = [PICKS.live, PICKS.edited, PICKS.rawJpeg, ...PICKS.burst];

/**
 * Runs the CLI and kills it with SIGKILL when Immich sees the `nth` request of `route` (which is
 * never answered): the CLI is then sure to be waiting on it. Resolves with the exit code.
 */
async function killAtRequest(
  server: RunningEmulator,
  route: string,
  nth: number,
  args: string[],
  vars: Record<string, string>,
): Promise<number> {
  const child = spawnTwinCli(args, vars);
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  let seen = 0;
  server.emulator.onRequest = async (request) => {
    if (request.stage !== "arrived" || request.route !== route || ++seen !== nth) return;
    child.kill("SIGKILL");
    await child.status;
    return "drop";
  };
  const { code } = await child.status;
  server.emulator.onRequest = undefined;
  const [stdout, stderr] = await output;
  assert.equal(code, 137, `the run ended before the ${nth}th ${route}: ${stderr}${stdout}`);
  return code;
}

/** Sets (or, with undefined, clears) the twin's `dieAfter` in its persisted fixture. */
async function dieAfter(dir: string, calls: Record<string, number> | undefined): Promise<void> {
  const path = join(dir, "fixture.json");
  const fixture = JSON.parse(await Deno.readTextFile(path));
  if (calls) fixture.dieAfter = calls;
  else delete fixture.dieAfter;
  await Deno.writeTextFile(path, JSON.stringify(fixture));
}

/** How often Photos' history logged a change of each asset (a deletion is logged as an update). */
async function changesOf(dir: string): Promise<Map<string, number>> {
  const fixture = JSON.parse(await Deno.readTextFile(join(dir, "fixture.json")));
  const counts = new Map<string, number>();
  for (const c of fixture.history?.changes ?? []) {
    if (c.object === "asset") counts.set(c.id.split("/")[0], (counts.get(c.id.split("/")[0]) ?? 0) + 1);
  }
  return counts;
}

function archivedRows(home: string): { asset_id: string; removed: number; restored: number }[] {
  const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
  try {
    return db.prepare(
      `SELECT asset_id, removed_from_source_at IS NOT NULL AS removed, restored_at IS NOT NULL AS restored
       FROM archived ORDER BY asset_id`,
    ).all() as unknown as { asset_id: string; removed: number; restored: number }[];
  } finally {
    db.close();
  }
}

Deno.test({
  name: "archive --remove-from-photos and unarchive, killed and run again, delete and create nothing twice",
  ignore: !HAS_SHARED,
  fn: () =>
    withTempDir(async (dir) => {
      await Deno.mkdir(join(dir, "store"));
      await using server = await startEmulator({ storeDir: join(dir, "store") });
      const twin = await mediaTypesTwin(dir);
      await using _lib = twin.lib;
      const home = join(dir, "home");
      const vars = { ...env(server), PHOTOS_SYNC_PHOTOKIT_LIB: twin.lib.path };
      const photos = ["--source", "photokit", "--to", "immich", "--home", home];
      const imported = await twinCli(["import", ...photos, "--bursts", "all", "--json"], vars);
      assert.equal(imported.code, 0, imported.stderr);
      const before = await changesOf(twin.lib.dir);

      const archive = [
        "archive",
        "--uuid",
        ...PICKED,
        "--remove-from-photos",
        "--yes",
        "--max-share",
        "1",
        "--json",
        ...photos,
      ];
      // Killed while verifying the first file, then the twelfth, then right after Photos took them.
      await killAtRequest(server, "GET /api/assets/:id", 1, archive, vars);
      await killAtRequest(server, "GET /api/assets/:id", 12, archive, vars);
      assert.ok(archivedRows(home).length > 0, "some were archived before the kill");
      await dieAfter(twin.lib.dir, { delete: 1 });
      const died = await twinCli(archive, vars);
      assert.equal(died.code, 137, "killed by the twin once Photos made the deletion");
      assert.ok(archivedRows(home).every((r) => !r.removed), "the deletion was never noted");
      await dieAfter(twin.lib.dir, undefined);
      const last = await twinCli(archive, vars);
      assert.equal(last.code, 0, last.stderr + last.stdout);

      const after = await changesOf(twin.lib.dir);
      for (const id of PICKED) {
        assert.equal((after.get(id) ?? 0) - (before.get(id) ?? 0), 1, `${id} was deleted once`);
      }
      assert.deepEqual(
        archivedRows(home).map((r) => [r.asset_id, r.removed]),
        [...PICKED].sort().map((id) => [id, 1]),
      );

      // unarchive: killed while downloading its third file, after its second creation (right after
      // Photos made it) and after its third, then run again.
      const unarchive = ["unarchive", "--uuid", ...PICKED, "--json", "--home", home];
      await killAtRequest(server, "GET /api/assets/:id/original", 3, unarchive, vars);
      const made0 = Object.keys(await createdAssets(twin.lib)).length;
      await dieAfter(twin.lib.dir, { create: 2 });
      assert.equal((await twinCli(unarchive, vars)).code, 137);
      assert.equal(Object.keys(await createdAssets(twin.lib)).length, made0 + 2);
      await dieAfter(twin.lib.dir, { create: 3 });
      assert.equal((await twinCli(unarchive, vars)).code, 137);
      await dieAfter(twin.lib.dir, undefined);
      const back = await twinCli(unarchive, vars);
      assert.equal(back.code, 0, back.stderr + back.stdout);
      const made = Object.values(await createdAssets(twin.lib));
      assert.equal(made.length, PICKED.length, "each asset created once");
      const originals = made.map((m) => m.resources.find((r) => r.type === "photo")!.filename);
      assert.equal(new Set(originals).size, PICKED.length, originals.join(", "));
      assert.ok(archivedRows(home).every((r) => r.restored), "every asset noted as brought back");
      const again = await twinCli(unarchive, vars);
      assert.equal(JSON.parse(again.stdout).picked, 0);
    }),
});
