/**
 * End to end through the real CLI: a Photos library imported into the Immich emulator comes back
 * out of it with `--source immich --to folder`, every original byte for byte, the Live Photo's
 * video beside its still; a second run copies nothing.
 */
import assert from "node:assert/strict";
import { basename, dirname, extname, join } from "node:path";
import { hashFile } from "../../../core/model/hash.ts";
import { cli, listFiles, withTempDir } from "../../../tests/_cli.ts";
import { env, importArgs, summaryOf, trackerRows } from "../../../tests/_immich.ts";
import { startEmulator } from "../../../tests/immich_emulator/mod.ts";
import { VERSIONS } from "../../destination/immich/_test_fixtures.ts";
import { writeSampleLibrary } from "../photoslibrary/sample_library.ts";

const stem = (path: string) => join(dirname(path), basename(path, extname(path))).toLowerCase();

for (const version of VERSIONS) {
  Deno.test(`a library imported into Immich ${version} comes back out of source.immich byte for byte, Live Photo video beside its still`, async () => {
    await withTempDir(async (dir) => {
      const store = join(dir, "store");
      await Deno.mkdir(store);
      await using server = await startEmulator({ version, storeDir: store });
      const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
      const into = await cli(importArgs(join(dir, "home-in"), sample.path), env(server));
      assert.equal(into.code, 0, into.stderr);
      const sent = trackerRows(join(dir, "home-in")).filter((r) => !r.remote_id.startsWith("unsupported:"));

      const out = join(dir, "out");
      const args = ["import", "--home", join(dir, "home-out"), "--source", "immich"];
      args.push("--to", "folder", "--folder-path", out, "--json");
      const back = await cli(args, env(server));
      assert.equal(back.code, 0, back.stderr);
      const stills = sent.filter((r) => r.key === "original");
      assert.equal(summaryOf(back.stdout).imported, stills.length, "one asset per Photos asset");

      const files = new Map<string, string>();
      for (const rel of await listFiles(out)) files.set((await hashFile(join(out, rel))).sha1, rel);
      assert.deepEqual(
        [...files.keys()].sort(),
        sent.map((r) => r.sha1).sort(),
        "every file sent to Immich came back, identical, and nothing else",
      );
      const motion = sent.find((r) => r.key === "motion")!;
      const still = stills.find((r) => r.asset_id === motion.asset_id)!;
      assert.equal(
        stem(files.get(motion.sha1)!),
        stem(files.get(still.sha1)!),
        "the motion video has the still's name, in its folder",
      );

      // Capture dates and names survive the trip: the same tree as a copy straight from the library.
      const direct = join(dir, "direct");
      const copy = await cli([
        "import",
        "--home",
        join(dir, "home-direct"),
        "--source",
        "photoslibrary",
        "--library",
        sample.path,
        "--to",
        "folder",
        "--folder-path",
        direct,
      ]);
      assert.equal(copy.code, 0, copy.stderr);
      assert.deepEqual((await listFiles(out)).sort(), (await listFiles(direct)).sort());

      const again = await cli(args, env(server));
      assert.equal(again.code, 0, again.stderr);
      assert.equal(summaryOf(again.stdout).imported, 0, "a second run brings nothing");
      assert.equal((await listFiles(out)).length, files.size);
    });
  });
}
