import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../../plugins/source/photoslibrary/sample_library.ts";
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
  const dir = await Deno.makeTempDir();
  try {
    const tmp = join(dir, "tmp");
    const orphan = join(tmp, "photos-sync-run-999999999-dead");
    await Deno.mkdir(orphan, { recursive: true });
    const library = (await writeSampleLibrary(join(dir, "Sample.photoslibrary"))).path;
    const run = async (...args: string[]) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          new URL("../../main.ts", import.meta.url).pathname,
          "--home",
          join(dir, "home"),
          ...args,
        ],
        env: { ...Deno.env.toObject(), TMPDIR: tmp },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const left = [];
      for await (const e of Deno.readDir(tmp)) left.push(e.name);
      return left;
    };
    assert.deepEqual(await run("status", "--tracker-only"), []);
    await Deno.mkdir(orphan);
    const folder = join(dir, "out");
    const importArgs = [
      "--source",
      "photoslibrary",
      "--library",
      library,
      "--to",
      "folder",
      "--folder-path",
      folder,
    ];
    assert.deepEqual(await run("import", ...importArgs), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
