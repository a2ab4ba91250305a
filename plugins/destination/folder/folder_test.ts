import assert from "node:assert/strict";
import { join } from "node:path";
import { hashFile } from "../../../core/engine/hash.ts";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { ConfigError } from "../../../core/plugin/errors.ts";
import { resolveOptions } from "../../../core/plugin/options.ts";
import { destinationSuite, sampleGroup, testContext } from "../../../core/plugin/testing/mod.ts";
import { datedFolder } from "./_session.ts";
import folder from "./mod.ts";

Deno.test("destination.folder passes the destination conformance suite", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    await destinationSuite(t, folder, { options: { path: dir } });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files land in the local capture date's folder, byte-identical", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root }, ctx);
  const group = await sampleGroup(ctx.tempDir, "a");
  group.asset.captured = { utc: "2024-12-31T23:30:00.000Z", offsetSeconds: 3600 }; // 00:30 on Jan 1 locally
  const { resources } = await session.put(group);
  assert.equal(resources[0].remoteId, "2025/01/01/a.txt");
  assert.equal((await hashFile(join(root, "2025/01/01/a.txt"))).sha1, group.files[0].sha1);
});

Deno.test("a name taken by other content gets the asset id as suffix for the whole group, never an overwrite", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root }, ctx);
  const first = await sampleGroup(ctx.tempDir, "IMG_0001");
  await session.put(first);
  // Another asset with the same file names (a still and its motion video) but other bytes.
  const other = await sampleGroup(join(ctx.tempDir), "other");
  const motionPath = join(ctx.tempDir, "motion.mov");
  await Deno.writeTextFile(motionPath, "motion");
  other.asset.id = "ABCDEF12-3456";
  other.files = [
    { ...other.files[0], name: "IMG_0001.txt" },
    { key: "motion", name: "IMG_0001.MOV", path: motionPath, ...await hashFile(motionPath) },
  ];
  other.plan = new PlanBuilder(other.asset).build();
  const { resources } = await session.put(other);
  assert.deepEqual(resources.map((r) => r.remoteId), [
    "2024/05/01/IMG_0001_ABCDEF12.txt",
    "2024/05/01/IMG_0001_ABCDEF12.MOV",
  ]);
  assert.equal(
    await Deno.readTextFile(join(root, "2024/05/01/IMG_0001.txt")),
    "photos-sync conformance IMG_0001",
  );
  const again = await session.put(other);
  assert.ok(again.resources.every((r) => r.duplicate));
});

Deno.test("leftovers of a killed copy are removed and the file is copied whole", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root }, ctx);
  const group = await sampleGroup(ctx.tempDir, "b");
  await Deno.mkdir(join(root, "2024/05/01"), { recursive: true });
  await Deno.writeTextFile(join(root, "2024/05/01/b.txt.partial-1234abcd"), "half");
  await session.put(group);
  const names = [...Deno.readDirSync(join(root, "2024/05/01"))].map((e) => e.name);
  assert.deepEqual(names, ["b.txt"]);
});

Deno.test("check() leaves nothing behind (so a dry run may call it); an undated asset goes to 'undated'", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "not", "there");
  const session = await folder.assets.open({ path: root }, ctx);
  assert.match((await session.check!()).description, new RegExp(`created in ${ctx.tempDir} on first copy`));
  assert.equal(await Deno.stat(join(ctx.tempDir, "not")).then(() => true, () => false), false);
  assert.deepEqual([...Deno.readDirSync(ctx.tempDir)].map((e) => e.name), []);
  assert.equal(
    datedFolder({ ...(await sampleGroup(ctx.tempDir, "u")).asset, captured: undefined }),
    "undated",
  );
});

Deno.test("destination.folder declares its path required, so the host refuses it without one, naming the flag", () => {
  const none = { flags: {}, env: {}, envFile: {} };
  assert.throws(
    () => resolveOptions(folder.id, folder.options, none),
    (e: Error) =>
      e instanceof ConfigError &&
      /destination\.folder needs path \(--folder-path or PHOTOS_SYNC_FOLDER_PATH\)/.test(e.message),
  );
  assert.equal(
    resolveOptions(folder.id, folder.options, { ...none, env: { PHOTOS_SYNC_FOLDER_PATH: "/p" } }).values
      .path,
    "/p",
  );
});

Deno.test("presence() tells present from deleted files, and refuses when the folder itself is gone", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root }, ctx);
  const a = await session.put(await sampleGroup(ctx.tempDir, "a"));
  const b = await session.put(await sampleGroup(ctx.tempDir, "b"));
  await Deno.remove(join(root, b.resources[0].remoteId));
  assert.deepEqual(await session.presence!([a.resources[0].remoteId, b.resources[0].remoteId]), {
    [a.resources[0].remoteId]: "present",
    [b.resources[0].remoteId]: "gone",
  });
  await Deno.remove(root, { recursive: true });
  await assert.rejects(
    session.presence!([a.resources[0].remoteId]),
    /is missing \(not mounted\?\); nothing was checked/,
  );
});
