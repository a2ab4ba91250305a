import assert from "node:assert/strict";
import { join } from "node:path";
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
    assert.deepEqual(await removeOrphanTempRoots(dir), [join(dir, names[0])]);
    const left = [];
    for await (const e of Deno.readDir(dir)) left.push(e.name);
    assert.deepEqual(left.sort(), names.slice(1).sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
