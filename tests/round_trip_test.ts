/**
 * End to end: `unarchive` and `pull` through the real CLI, reading the Immich emulator as a source
 * and writing into a folder (the path on machines without Photos): an archived Live Photo comes
 * back as the very bytes it left with; what another library put in Immich is pulled once, and what
 * came from this library never.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { env, importArgs, trackerRows } from "./_immich.ts";
import { startEmulator } from "./immich_emulator/mod.ts";

async function filesUnder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      // The sidecars the Photos-import layout writes beside each file are checked on their own.
      else if (!e.name.startsWith(".") && !e.name.endsWith(".xmp")) {
        out.set(p, createHash("sha1").update(await Deno.readFile(p)).digest("hex"));
      }
    }
  };
  await walk(dir).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  return out;
}

async function* walkXmp(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* walkXmp(p);
    else if (e.name.endsWith(".xmp")) yield p;
  }
}

Deno.test("unarchive --into-folder brings an archived Live Photo back byte for byte, once", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "immich-store"));
    await using server = await startEmulator({ storeDir: join(dir, "immich-store") });
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    assert.equal((await cli(importArgs(home, sample.path), env(server))).code, 0);
    const archived = await cli(["archive", "--uuid", sample.uuids.live, "--home", home], env(server));
    assert.equal(archived.code, 0, archived.stderr + archived.stdout);
    const out = join(dir, "back");
    const run = await cli([
      "unarchive",
      "--uuid",
      sample.uuids.live,
      "--into-folder",
      out,
      "--home",
      home,
      "--json",
    ], env(server));
    assert.equal(run.code, 0, run.stderr);
    const sent = new Set(
      trackerRows(home).filter((r) => r.asset_id === sample.uuids.live).map((r) => r.sha1),
    );
    const back = new Set((await filesUnder(out)).values());
    assert.deepEqual(back, sent, "the still and its video, as they were sent");
    // Laid out for Photos' import: the still and its video share one name, with the metadata in an XMP.
    const names = [...(await filesUnder(out)).keys()].map((p) => p.slice(p.lastIndexOf("/") + 1));
    const stems = new Set(names.map((n) => n.slice(0, n.lastIndexOf("."))));
    assert.equal(stems.size, 1, names.join(", "));
    const xmp = [...(await Array.fromAsync(walkXmp(out)))];
    assert.equal(xmp.length, 1, "one sidecar for the Live Photo");
    const status = JSON.parse((await cli(["status", "--json", "--tracker-only", "--home", home])).stdout);
    assert.deepEqual(status.archive, [], "brought back: no longer archived");
    const again = await cli(
      ["unarchive", "--all", "--into-folder", out, "--home", home, "--json"],
      env(server),
    );
    assert.equal(JSON.parse(again.stdout).picked, 0);
  });
});

Deno.test("pull brings what another library put in Immich, once, and nothing that came from this one", async () => {
  await withTempDir(async (dir) => {
    await Deno.mkdir(join(dir, "immich-store"));
    await using server = await startEmulator({ storeDir: join(dir, "immich-store") });
    const mine = await writeSampleLibrary(join(dir, "Mine.photoslibrary"), { assets: 12 });
    const theirs = await writeSampleLibrary(join(dir, "Theirs.photoslibrary"), { assets: 10, seed: 7 });
    const home = join(dir, "home");
    assert.equal((await cli(importArgs(home, mine.path), env(server))).code, 0);
    const other = await cli(importArgs(join(dir, "other-home"), theirs.path), env(server));
    assert.equal(other.code, 0, other.stderr);
    const theirsSent = new Set(trackerRows(join(dir, "other-home")).map((r) => r.sha1));
    const mineSent = new Set(trackerRows(home).map((r) => r.sha1));
    const fromElsewhere = [...theirsSent].filter((s) => !mineSent.has(s));
    assert.ok(fromElsewhere.length > 0, "the two libraries hold different files");

    const out = join(dir, "pulled");
    const run = await cli(["pull", "--into-folder", out, "--home", home, "--json"], env(server));
    assert.equal(run.code, 0, run.stderr);
    const pulled = new Set((await filesUnder(out)).values());
    assert.deepEqual(pulled, new Set(fromElsewhere));
    const again = await cli(["pull", "--into-folder", out, "--home", home, "--json"], env(server));
    assert.equal(JSON.parse(again.stdout).import.imported, 0, "a second pull brings nothing");
  });
});
