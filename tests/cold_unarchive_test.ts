/**
 * End to end: an asset archived cold and removed from the Immich emulator comes back from the cold
 * tier. From Glacier (the repository's stub, Deep Archive, its clock moved on by the test): the
 * first `unarchive` shows the estimate, asks for the restore and returns at once; a run before the
 * restore is done asks nothing again; one after it brings the asset back into a folder, bytes and
 * metadata equal. From B2 (readable at once) straight back into Immich with `--to immich`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { hashFile } from "../core/model/hash.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, listFiles, spawnCli, withTempDir } from "./_cli.ts";
import { env, importArgs, trackerRows } from "./_immich.ts";
import { glacierEnv, placeArgs } from "./_cold.ts";
import { startEmulator } from "./immich_emulator/mod.ts";
import { startGlacierStub } from "./s3_glacier_stub.ts";

const SECRETS = { password: "cold unarchive test password", salt: "cold unarchive test salt" };

function lines(stdout: string): { type: string; [k: string]: unknown }[] {
  return stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

function restoreStates(home: string): string[] {
  const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
  try {
    return db.prepare(
      "SELECT restore_state || ':' || COALESCE(restore_tier, '') AS s FROM cold_objects ORDER BY key",
    )
      .all().map((r) => String(r.s));
  } finally {
    db.close();
  }
}

/** Imported, archived cold at `target` with `more` env, removed from Immich, and purged from the emulator. */
async function coldOnly(dir: string, target: string, targetEnv: Record<string, string>) {
  const server = await startEmulator();
  const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
  const home = join(dir, "home");
  const all = { ...env(server), BACKUP_CREDENTIALS: "env", ...targetEnv };
  assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
  const uuid = sample.uuids.live;
  const archived = await cli([
    ...["archive", "--uuid", uuid, "--cold", target, "--remove-from-immich", "--yes", "--max-share", "1"],
    ...placeArgs(home, sample.path),
  ], all);
  assert.equal(archived.code, 0, archived.stderr);
  const sent = trackerRows(home).filter((r) => r.asset_id === uuid);
  for (const r of sent) server.emulator.state.deleteAsset(r.remote_id);
  return { server, sample, home, uuid, sent, all };
}

Deno.test("unarchive from Glacier: estimate, restore asked once, back into a folder after the restore delay", async () => {
  await withTempDir(async (dir) => {
    let skew = 0;
    await using s3 = startGlacierStub({ clock: () => Date.now() + skew });
    s3.versioning = "Enabled";
    const { server, sample, home, uuid, sent, all } = await coldOnly(dir, "glacier", glacierEnv(s3, SECRETS));
    await using _server = server;
    const out = join(dir, "back");
    const args = ["unarchive", "--uuid", uuid, "--into-folder", out, "--home", home, "--json"];

    const unconfirmed = await cli(args, all);
    assert.equal(unconfirmed.code, 1, "no terminal and no --yes: nothing is asked");
    assert.match(
      unconfirmed.stderr,
      /restoring 3 cold files .* in the Bulk tier costs about \$0\.00 and takes up to 48 hours/,
    );
    assert.equal(s3.restoreRequests.size, 0);

    const asked = await cli([...args, "--yes"], all);
    assert.equal(asked.code, 0, asked.stderr);
    const first = lines(asked.stdout).find((e) => e.type === "cold-unarchive")!;
    assert.deepEqual([first.requested, first.waiting, first.brought], [3, 1, 0]);
    assert.ok(Date.parse(String(first.readyBy)) > Date.now() + 47 * 3_600_000, "ready in about 48 hours");
    assert.deepEqual(restoreStates(home), ["requested:Bulk", "requested:Bulk", "requested:Bulk"]);

    const early = await cli([...args, "--yes"], all);
    assert.equal(early.code, 0, early.stderr);
    assert.deepEqual([...s3.restoreRequests.values()], [1, 1, 1], "a restore under way is not asked again");
    assert.equal(lines(early.stdout).find((e) => e.type === "cold-unarchive")!.waiting, 1);

    skew = 49 * 3_600_000; // Deep Archive's Bulk tier: within 48 hours
    const back = await cli([...args, "--yes"], all);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(lines(back.stdout).find((e) => e.type === "cold-unarchive")!.brought, 1);
    const files = await listFiles(out);
    const hashes = await Promise.all(
      files.filter((f) => !f.endsWith(".xmp")).map((f) => hashFile(join(out, f))),
    );
    assert.deepEqual(
      hashes.map((h) => h.sha1).sort(),
      sent.map((r) => r.sha1).sort(),
      "the very bytes archived",
    );
    const xmp = await Deno.readTextFile(join(out, files.find((f) => f.endsWith(".xmp"))!));
    assert.match(xmp, new RegExp(uuid), "the metadata sidecar names the asset");
    assert.deepEqual(restoreStates(home).map((s) => s.split(":")[0]), ["readable", "readable", "readable"]);

    const again = await cli([...args, "--yes"], all);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(
      lines(again.stdout).find((e) => e.type === "cold-unarchive"),
      undefined,
      "nothing left cold-only",
    );
    assert.ok(sample.path);
  });
});

Deno.test("unarchive --to immich from B2: readable at once, back in Immich with the same bytes", async () => {
  await withTempDir(async (dir) => {
    const { server, home, uuid, sent, all } = await coldOnly(dir, "b2", {
      PHOTOS_SYNC_B2_REMOTE: join(dir, "b2"),
      PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD: SECRETS.password,
      PHOTOS_SYNC_B2_ENCRYPTION_SALT: SECRETS.salt,
    });
    await using _server = server;
    const before = new Set([...server.emulator.state.assets.values()].map((a) => a.checksum));
    const run = await cli(
      ["unarchive", "--uuid", uuid, "--to", "immich", "--yes", "--home", home, "--json"],
      all,
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = lines(run.stdout).find((e) => e.type === "cold-unarchive")!;
    assert.deepEqual([summary.requested, summary.brought], [0, 1], "B2 needs no restore");
    const now = [...server.emulator.state.assets.values()].filter((a) => !before.has(a.checksum));
    for (const r of sent) assert.ok(now.some((a) => a.checksum === r.sha1), `${r.key} is back in Immich`);
  });
});

Deno.test("unarchive --wait polls until the restore is done, then brings the asset back", async () => {
  await withTempDir(async (dir) => {
    let skew = 0;
    await using s3 = startGlacierStub({ clock: () => Date.now() + skew });
    s3.versioning = "Enabled";
    const { server, home, uuid, sent, all } = await coldOnly(dir, "glacier", glacierEnv(s3, SECRETS));
    await using _server = server;
    const out = join(dir, "back");
    const child = spawnCli(
      [
        "unarchive",
        "--uuid",
        uuid,
        "--into-folder",
        out,
        "--home",
        home,
        "--yes",
        "--wait",
        "--poll-seconds",
        "1",
      ],
      all,
    );
    const started = Date.now();
    while (s3.restoreRequests.size < sent.length + 1 && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(s3.restoreRequests.size, 3, "the restore was asked for");
    await new Promise((r) => setTimeout(r, 1500)); // at least one poll finds it still restoring
    skew = 49 * 3_600_000;
    const status = await child.status;
    const stderr = await new Response(child.stderr).text();
    assert.equal(status.code, 0, stderr);
    const files = await listFiles(out);
    assert.equal(files.filter((f) => !f.endsWith(".xmp")).length, sent.length, files.join(", "));
  });
});

Deno.test("unarchive refuses a cold copy whose bytes changed (same size): names the asset, puts nothing back", async () => {
  await withTempDir(async (dir) => {
    const remote = join(dir, "b2");
    const { server, home, uuid, all } = await coldOnly(dir, "b2", {
      PHOTOS_SYNC_B2_REMOTE: remote,
      PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD: SECRETS.password,
      PHOTOS_SYNC_B2_ENCRYPTION_SALT: SECRETS.salt,
    });
    await using _server = server;
    // The largest object (the Live Photo's video), one bit flipped in its middle: same size.
    const objects = [];
    for await (const e of walk(remote)) objects.push({ path: e, size: (await Deno.stat(e)).size });
    const largest = objects.sort((a, b) => b.size - a.size)[0];
    const bytes = await Deno.readFile(largest.path);
    bytes[bytes.length >> 1] ^= 0x01;
    await Deno.writeFile(largest.path, bytes);
    const before = server.emulator.state.assets.size;

    const run = await cli(["unarchive", "--uuid", uuid, "--to", "immich", "--yes", "--home", home], all);
    assert.equal(run.code, 1, "a refused asset fails the run");
    const refused = run.stdout.split("\n").find((l) => l.startsWith("not brought back:"))!;
    assert.ok(refused, run.stdout);
    assert.match(refused, new RegExp(`\\(${uuid}\\): its \\w+ (cannot be read|reads back as SHA-1)`));
    assert.match(refused, /nothing was put back .* run the same unarchive again/);
    assert.match(run.stdout, /0 of 1 cold assets brought back/);
    assert.equal(server.emulator.state.assets.size, before, "nothing uploaded to Immich");
    const status = JSON.parse((await cli(["status", "--assets", "--json", "--home", home])).stdout);
    const asset = status.find((a: { assetId: string }) => a.assetId === uuid);
    assert.deepEqual([asset.atDestination, asset.cold.length], [false, 1], "still cold-only, its copy kept");
  });
});

/** Every file under `dir`. */
async function* walk(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* walk(path);
    else if (e.isFile) yield path;
  }
}
