/**
 * `asset.modified`, what a sync compares to skip unchanged assets: the later of Photos' modification
 * date and its adjustment timestamp, else the date it was added.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { openPhotosDatabase } from "./_database.ts";
import { readAssets } from "./_reader.ts";
import { withSampleLibrary } from "./_test_context.ts";

/** Core Data seconds (since 2001-01-01 UTC) of an ISO date. */
const coreData = (iso: string) => Date.parse(iso) / 1000 - 978_307_200;

Deno.test("modified is the later of the modification date and the adjustment timestamp", async () => {
  await withSampleLibrary((info) => {
    const { live, video, hidden } = info.uuids;
    const edit = new DatabaseSync(info.database);
    try {
      const set = edit.prepare(
        "UPDATE ZASSET SET ZMODIFICATIONDATE = ?, ZADJUSTMENTTIMESTAMP = ? WHERE ZUUID = ?",
      );
      set.run(coreData("2024-05-01T10:00:00Z"), coreData("2024-06-01T10:00:00Z"), live);
      set.run(coreData("2024-07-01T10:00:00Z"), coreData("2024-06-01T10:00:00Z"), video);
      set.run(null, coreData("2024-06-01T10:00:00Z"), hidden);
      set.run(null, null, info.uuids.located);
    } finally {
      edit.close();
    }
    const database = openPhotosDatabase(info.path);
    try {
      const assets = [...readAssets(database)];
      const modified = new Map(assets.map((a) => [a.id, a.modified]));
      assert.equal(modified.get(live), "2024-06-01T10:00:00.000Z");
      assert.equal(modified.get(video), "2024-07-01T10:00:00.000Z");
      assert.equal(modified.get(hidden), "2024-06-01T10:00:00.000Z");
      // Never modified: unchanged since it was added.
      const located = assets.find((a) => a.id === info.uuids.located)!;
      assert.equal(located.modified, located.added);
      assert.ok(assets.every((a) => a.modified), "every sample asset has a modification date");
    } finally {
      database.db.close();
    }
  });
});
