/**
 * `archive --query` end to end: on the sample library imported into the Immich emulator, the
 * selection a query makes over the tracker's facts is what the library reader says (`scan --json`)
 * of each asset, combined with the other criteria; `--dry-run` lists it with sizes; a bad query is
 * refused with its position.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { Asset } from "../core/model/asset.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { env, importArgs } from "./_immich.ts";
import { startEmulator } from "./immich_emulator/mod.ts";

function lines(stdout: string): { type: string; [k: string]: unknown }[] {
  return stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

Deno.test("archive --query selects by the tracker's facts, with the other criteria, and names a bad query's fault", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    const imported = await cli(importArgs(home, sample.path), env(server));
    assert.equal(imported.code, 0, imported.stderr);
    const sent = new Set(
      lines(imported.stdout).filter((e) => e.outcome === "imported").map((e) => e.assetId as string),
    );
    const scanned = await cli([
      "scan",
      "--json",
      "--home",
      home,
      "--source",
      "photoslibrary",
      "--library",
      sample.path,
    ]);
    const assets = lines(scanned.stdout).slice(0, -1) as unknown as Asset[];
    const expect = (keep: (a: Asset) => boolean) =>
      assets.filter((a) => sent.has(a.id) && keep(a)).map((a) => a.id).sort();

    const select = async (...args: string[]) => {
      const r = await cli(["archive", ...args, "--dry-run", "--json", "--home", home], env(server));
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const out = lines(r.stdout);
      const archived = out.filter((e) => e.type === "archived");
      for (const e of archived) assert.ok((e.bytes as number) > 0, "listed with its size");
      return {
        ids: archived.map((e) => e.assetId as string).sort(),
        bytes: archived.map((e) => e.bytes as number),
      };
    };
    const videos = await select("--query", "kind = video");
    assert.ok(videos.ids.includes(sample.uuids.video));
    assert.deepEqual(videos.ids, expect((a) => a.kind === "video"));
    assert.deepEqual(
      (await select("--query", 'favorite and album = "family"')).ids,
      expect((a) => a.favorite && a.albums.some((al) => al.title === "Family")),
    );
    const parisPhotos = expect((a) => a.kind === "photo" && a.albums.some((al) => al.title === "Paris"));
    assert.ok(parisPhotos.length > 0);
    assert.deepEqual((await select("--query", "not kind = video", "--album", "Paris")).ids, parisPhotos);
    const cutoff = "2024-06-01";
    assert.deepEqual(
      (await select("--query", `captured < ${cutoff} or hidden`)).ids,
      expect((a) => (a.captured !== undefined && a.captured.utc < cutoff) || a.hidden),
    );
    // Size: the files together, as they were sent; a bound between two assets' sizes splits them.
    const all = await select("--query", "size > 0");
    assert.deepEqual(all.ids, [...sent].sort());
    const sizes = [...new Set(all.bytes)].sort((a, b) => a - b);
    const middle = sizes[Math.floor(sizes.length / 2)];
    assert.equal(
      (await select("--query", `size > ${middle}B`)).ids.length,
      all.bytes.filter((b) => b > middle).length,
    );

    // Once archived, an asset answers to `archived`.
    const live = await cli(["archive", "--uuid", sample.uuids.live, "--home", home], env(server));
    assert.equal(live.code, 0, live.stderr + live.stdout);
    assert.deepEqual((await select("--query", "archived")).ids, [sample.uuids.live]);
    assert.ok(!(await select("--query", "archived = false")).ids.includes(sample.uuids.live));

    const bad = await cli(["archive", "--query", "kind = video and size >> 3", "--home", home], env(server));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--query: expected a value after "size >" at position 24/);
  });
});
