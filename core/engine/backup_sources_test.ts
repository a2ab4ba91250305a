import assert from "node:assert/strict";
import { join } from "node:path";
import { testContext } from "../plugin/testing/mod.ts";
import { backupSources } from "./backup_sources.ts";

async function write(root: string, files: Record<string, string>) {
  for (const [rel, content] of Object.entries(files)) {
    await Deno.mkdir(join(root, rel, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, rel), content);
  }
}

Deno.test("backupSources lists Immich's folders in priority order, then the data directory", async () => {
  await using ctx = await testContext();
  await write(ctx.tempDir, { "i/backups/dump.sql.gz": "x", "i/library/a": "a", "i/thumbs/t": "t" });
  const sources = await backupSources({ immichPath: join(ctx.tempDir, "i"), dataDir: "/data" });
  assert.deepEqual(sources.map((s) => s.name), ["library", "backups", "data"]);
  assert.ok(sources[2].exclude!.includes("/.env") && sources[2].exclude!.includes("/tracker.db"));
  await Deno.mkdir(join(ctx.tempDir, "empty-mount"));
  await assert.rejects(
    () => backupSources({ immichPath: join(ctx.tempDir, "empty-mount"), dataDir: "/data" }),
    /has none of library, upload, profile, backups.*mounted/,
  );
  await assert.rejects(
    () => backupSources({ immichPath: join(ctx.tempDir, "nope"), dataDir: "/d" }),
    /not a directory/,
  );
});
