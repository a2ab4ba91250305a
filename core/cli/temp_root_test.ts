import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../../plugins/source/photoslibrary/sample_library.ts";
import { cli, folderRun, withTempDir } from "../../tests/_cli.ts";
import { removeOrphanTempRoots } from "./temp_root.ts";

Deno.test("removeOrphanTempRoots() removes only the temp folders of runs whose process is gone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const names = [
      "photos-sync-run-999999999-dead", // no such process
      `photos-sync-run-${Deno.pid}-mine`, // this process
      `photos-sync-run-${Deno.ppid}-parent`, // alive, and older than the folder
      "photos-sync-e2e-someone-else", // not a run's folder
    ];
    for (const name of names) await Deno.mkdir(join(dir, name, "asset-1"), { recursive: true });
    await Deno.writeTextFile(join(dir, names[0], "spool-1.jsonl"), "{}\n");
    assert.deepEqual(removeOrphanTempRoots(dir), [join(dir, names[0])]);
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left.sort(), names.slice(1).sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a status removes a killed run's temp folder and makes none; an import leaves none behind", async () => {
  await withTempDir(async (dir) => {
    const tmp = join(dir, "tmp");
    const orphan = join(tmp, "photos-sync-run-999999999-dead");
    await Deno.mkdir(orphan, { recursive: true });
    const library = (await writeSampleLibrary(join(dir, "Sample.photoslibrary"))).path;
    const home = join(dir, "home");
    const leftAfter = async (args: string[]) => {
      const r = await cli(args, { TMPDIR: tmp });
      assert.equal(r.code, 0, r.stderr);
      return [...Deno.readDirSync(tmp)].map((e) => e.name); // folders too: the orphan is one
    };
    assert.deepEqual(await leftAfter(["status", "--home", home, "--tracker-only"]), []);
    await Deno.mkdir(orphan);
    assert.deepEqual(await leftAfter(["import", ...folderRun(home, library, join(dir, "out"))]), []);
  });
});
