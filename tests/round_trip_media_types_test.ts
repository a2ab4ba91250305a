/**
 * The round trip end to end on the Media-Types library, as PhotoKit shows it through the C twin of
 * the helper, and the Immich emulator: import; archive a Live Photo, an edited photo, a RAW+JPEG
 * pair and a burst and remove them from Photos; `sync` and `cleanup` keep them in Immich;
 * `unarchive` recreates each in Photos from the very bytes the library had, with its facts, and
 * `--into-folder` writes those bytes with the metadata in XMP sidecars.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { createdAssets } from "../plugins/source/photokit/_fixture_library.ts";
import { withTempDir } from "./_cli.ts";
import { env, trackerRows } from "./_immich.ts";
import { GIVEN, mediaTypesTwin, PICKS, twinCli } from "./_media_types_twin.ts";
import { HAS_SHARED } from "./shared_data.ts";
import { startEmulator } from "./immich_emulator/mod.ts";

const PICKED = [PICKS.live, PICKS.edited, PICKS.rawJpeg, ...PICKS.burst];

const sha1Of = async (path: string) => createHash("sha1").update(await Deno.readFile(path)).digest("hex");

function events(stdout: string): { type: string; [k: string]: unknown }[] {
  return stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** The twin's assets as its persisted fixture holds them now, by bare id. */
async function twinState(dir: string): Promise<Map<string, { _deleted?: boolean }>> {
  const fixture = JSON.parse(await Deno.readTextFile(join(dir, "fixture.json")));
  return new Map(
    fixture.assets.map((a: { localIdentifier: string }) => [a.localIdentifier.split("/")[0], a]),
  );
}

Deno.test({
  name:
    "Media-Types round trip: archived and removed from Photos, kept by sync and cleanup, brought back whole",
  ignore: !HAS_SHARED,
  fn: () =>
    withTempDir(async (dir) => {
      await Deno.mkdir(join(dir, "store"));
      await using server = await startEmulator({ storeDir: join(dir, "store") });
      const twin = await mediaTypesTwin(dir);
      await using _lib = twin.lib;
      const home = join(dir, "home");
      const run = (args: string[]) =>
        twinCli([...args, "--home", home], { ...env(server), PHOTOS_SYNC_PHOTOKIT_LIB: twin.lib.path });
      const photos = ["--source", "photokit", "--to", "immich"];

      const imported = await run(["import", ...photos, "--bursts", "all", "--json"]);
      assert.equal(imported.code, 0, imported.stderr);

      // Immich cannot hold the camera's AAE: the sidecar store must, or the Live Photo is not archived.
      const aae = trackerRows(home).find((r) => r.asset_id === PICKS.live && r.key === "adjustment")!;
      const kept = join(home, "sidecars", aae.sha1.slice(0, 2), aae.sha1);
      await Deno.rename(kept, `${kept}.away`);
      const refused = await run(["archive", "--uuid", PICKS.live, "--dry-run", "--json", ...photos]);
      assert.equal(refused.code, 1);
      assert.match(
        String(events(refused.stdout)[0].reason),
        /its adjustment is missing from the sidecar store/,
      );
      await Deno.rename(`${kept}.away`, kept);

      // Archived and removed from Photos (the twin), each only after its verification.
      const archived = await run([
        "archive",
        "--uuid",
        ...PICKED,
        "--remove-from-photos",
        "--yes",
        "--max-share",
        "1",
        "--json",
        ...photos,
      ]);
      assert.equal(archived.code, 0, archived.stderr + archived.stdout);
      const out = events(archived.stdout);
      assert.deepEqual(
        out.filter((e) => e.type === "archived").map((e) => e.assetId).sort(),
        [...PICKED].sort(),
      );
      assert.deepEqual(
        (out.find((e) => e.type === "removed")!.assetIds as string[]).sort(),
        [...PICKED].sort(),
      );
      const state = await twinState(twin.lib.dir);
      for (const id of PICKED) assert.equal(state.get(id)!._deleted, true, `${id} is in Recently Deleted`);

      // sync (propagating deletions) and cleanup keep them in Immich: nothing trashed, nothing gone.
      const rows = trackerRows(home);
      const remoteOf = (id: string) =>
        rows.filter((r) => r.asset_id === id && !r.remote_id.startsWith("unsupported:")).map((r) =>
          r.remote_id
        );
      const sync = await run([
        "sync",
        ...photos,
        "--propagate-deletions",
        "--max-delete-share",
        "1",
        "--json",
      ]);
      const synced = events(sync.stdout).at(-1)!;
      assert.equal(sync.code, 0, sync.stderr);
      assert.deepEqual([synced.removed, synced.gone], [0, 0]);
      const cleaned = await run(["cleanup", ...photos, "--max-share", "1", "--json"]);
      assert.equal(cleaned.code, 0, cleaned.stderr + cleaned.stdout);
      assert.deepEqual(JSON.parse(cleaned.stdout).goneFromSource, []);
      for (const id of PICKED) {
        for (const remote of remoteOf(id)) {
          assert.equal(server.emulator.state.assets.get(remote)!.deletedAt, null);
        }
      }

      // A caption given in Immich meanwhile comes back with the asset.
      const liveOriginal = rows.find((r) => r.asset_id === PICKS.live && r.key === "original")!.remote_id;
      server.emulator.state.assets.get(liveOriginal)!.exif.description = "Sunset from the pier";

      // The same tracker, twice: once back into Photos, once into a folder.
      const folderHome = join(dir, "home-folder");
      assert.ok((await new Deno.Command("cp", { args: ["-a", home, folderHome] }).output()).success);

      const back = await run(["unarchive", "--uuid", ...PICKED, "--json"]);
      assert.equal(back.code, 0, back.stderr + back.stdout);
      await assertRecreated(twin, await createdAssets(twin.lib));
      // Linked to the Immich assets they came from: a later import or sync sends nothing again.
      const inImmich = server.emulator.state.assets.size;
      const again = await run(["sync", ...photos, "--bursts", "all", "--json"]);
      assert.equal(again.code, 0, again.stderr);
      const { imported: sent, duplicates } = events(again.stdout).at(-1)!.import as Record<string, number>;
      assert.deepEqual([sent, duplicates], [0, 0], "not even offered to Immich: it is known to be there");
      assert.equal(server.emulator.state.assets.size, inImmich, "nothing uploaded again");
      const twice = await run(["unarchive", "--uuid", ...PICKED, "--json"]);
      assert.equal(JSON.parse(twice.stdout).picked, 0, "brought back once");
      assert.equal(Object.keys(await createdAssets(twin.lib)).length, PICKED.length);

      const folder = join(dir, "back");
      const written = await twinCli(
        ["unarchive", "--uuid", ...PICKED, "--into-folder", folder, "--json", "--home", folderHome],
        env(server),
      );
      assert.equal(written.code, 0, written.stderr + written.stdout);
      await assertWritten(twin, folder);
    }),
});

type Twin = Awaited<ReturnType<typeof mediaTypesTwin>>;

/** Every picked asset was created once in Photos from the library's own bytes, with its facts. */
async function assertRecreated(twin: Twin, made: Awaited<ReturnType<typeof createdAssets>>): Promise<void> {
  const created = Object.values(made);
  assert.equal(created.length, PICKED.length, "one new asset per archived asset");
  for (const id of PICKED) {
    const asset = twin.assets.get(id)!;
    const wanted = new Map(twin.files.get(id)!);
    // Photos takes adjustment data only with the render it describes (a camera's own AAE cannot go back).
    if (!wanted.has("fullSizePhoto") && !wanted.has("fullSizeVideo")) wanted.delete("adjustmentData");
    const sums = new Map(
      await Promise.all([...wanted].map(async ([type, p]) => [type, await sha1Of(p)] as const)),
    );
    const matches = await Promise.all(created.map(async (c) => {
      const got = await Promise.all(c.resources.map(async (r) => [r.type, await sha1Of(r.copy)] as const));
      return got.some(([type, sum]) => (type === "photo" || type === "video") && sums.get(type) === sum)
        ? c
        : undefined;
    }));
    const c = matches.find(Boolean);
    assert.ok(c, `${asset.filename} was created`);
    const got = new Map(
      await Promise.all(c.resources.map(async (r) => [r.type, await sha1Of(r.copy)] as const)),
    );
    assert.deepEqual(
      got,
      sums,
      `${asset.filename}: every file crossed byte for byte, as the same resource type`,
    );
    if (wanted.has("pairedVideo")) assert.ok(c.asset.mediaSubtypes.includes("photoLive"), "one Live Photo");
    assert.equal(c.fields.creationDate, asset.captured!.utc, `${asset.filename}: creation date`);
    assert.equal(c.fields.favorite, id === GIVEN.favorite, `${asset.filename}: favourite`);
    assert.equal(c.fields.hidden, id === GIVEN.hidden, `${asset.filename}: hidden`);
    if (id === GIVEN.location.id) {
      assert.deepEqual(c.fields.location, {
        latitude: GIVEN.location.latitude,
        longitude: GIVEN.location.longitude,
      });
    }
    if (id === PICKS.live) assert.equal(c.fields.caption, "Sunset from the pier");
    assert.deepEqual(
      (c.asset.albums ?? []).map((a) => a.title).sort(),
      asset.albums.map((a) => a.title).sort(),
      `${asset.filename}: album membership`,
    );
  }
}

/** The folder holds every picked asset's files as the library had them, with an XMP sidecar each. */
async function assertWritten(twin: Twin, folder: string): Promise<void> {
  const files = new Map<string, string>();
  const xmp: string[] = [];
  for await (const path of walk(folder)) {
    if (path.endsWith(".xmp")) xmp.push(await Deno.readTextFile(path));
    else files.set(await sha1Of(path), path);
  }
  for (const id of PICKED) {
    const asset = twin.assets.get(id)!;
    for (const [type, path] of twin.files.get(id)!) {
      assert.ok(files.has(await sha1Of(path)), `${asset.filename}: its ${type} was written byte for byte`);
    }
  }
  assert.ok(xmp.length >= PICKED.length, "a sidecar beside each asset");
  assert.ok(xmp.some((x) => x.includes("Sunset from the pier")), "the caption is in a sidecar");
  assert.ok(xmp.some((x) => x.includes("48.8584") || x.includes("48,51")), "the location is in a sidecar");
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walk(p);
    else yield p;
  }
}
