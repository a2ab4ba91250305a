/**
 * The destination suite's steps for the backup role (and its capability "warmup"): a tree goes up, verifies,
 * comes back byte-identical, and what the target declares of itself (`prepareBackup`) holds.
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";
import type { BackupTargetSession } from "../types.ts";

export interface BackupSuiteOptions {
  /**
   * Makes cold objects readable after `warmup()` asked for them (a cold-storage stub collapses its
   * hours into this call). Called only when a restore reported cold objects.
   */
  thaw?: () => Promise<unknown> | unknown;
}

interface BackupRun extends BackupSuiteOptions {
  dir: string;
  warmup: boolean;
}

const FIRST = "20250101T000000Z";
const SECOND = "20250102T000000Z";
const TREE: Record<string, string> = {
  "2024/05/IMG_0001.HEIC": "heic one",
  "2024/05/IMG_0001.MOV": "mov of one",
  "notes.txt": "notes",
};

async function writeTree(root: string, files: Record<string, string>) {
  for (const [path, content] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), content);
  }
}

async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else out[relative(root, path)] = await Deno.readTextFile(path);
    }
  };
  await walk(root);
  return out;
}

/** Restores, asking the archive tier for cold objects once (warmup, thaw) when the target has one. */
async function restoreWarm(session: BackupTargetSession, run: BackupRun, target: string) {
  let result = await session.restoreTree({ name: "library", target });
  if (result.cold.length > 0 && run.warmup) {
    await session.warmup!(result.cold);
    await run.thaw?.();
    result = await session.restoreTree({ name: "library", target });
  }
  assert.deepEqual(result.cold, [], "objects still cold after warmup()");
  return result;
}

export async function backupSteps(t: Deno.TestContext, session: BackupTargetSession, run: BackupRun) {
  const source = join(run.dir, "backup-source");
  let keeps: "areas" | "versions" | undefined;
  await t.step({
    name: "prepareBackup() says new, then existing once created",
    fn: async () => {
      const before = await session.prepareBackup({ create: false });
      assert.equal(before.state, "new");
      assert.ok(before.description, "a description the CLI can show");
      await session.prepareBackup({ create: true });
      const after = await session.prepareBackup({ create: false });
      assert.equal(after.state, "existing");
      assert.ok(after.keeps === "areas" || after.keeps === "versions", `keeps ${after.keeps}`);
      keeps = after.keeps;
    },
  });
  await t.step({
    name: "backupTree() copies a tree (nothing in a dry run) that verifyTree() then finds identical",
    fn: async () => {
      await writeTree(source, TREE);
      const dry = await session.backupTree({ source, name: "library", archive: FIRST, dryRun: true });
      assert.deepEqual(
        [dry.copied, dry.wouldCopy],
        [0, Object.keys(TREE).length],
        "a dry run copies nothing",
      );
      const untouched = await session.verifyTree({ local: source, name: "library" });
      assert.equal(untouched.matching, 0, "nothing reached the target in the dry run");
      const first = await session.backupTree({ source, name: "library", archive: FIRST });
      assert.equal(first.copied, Object.keys(TREE).length);
      const verify = await session.verifyTree({ local: source, name: "library" });
      assert.deepEqual([verify.matching, verify.differences], [Object.keys(TREE).length, []]);
    },
  });
  await t.step({
    name: "restoreTree() brings back the current tree byte-identical" + (run.warmup ? " (after warmup)" : ""),
    fn: async () => {
      await Deno.remove(join(source, "notes.txt"));
      await Deno.writeTextFile(join(source, "2024/05/IMG_0001.HEIC"), "heic one, edited");
      const second = await session.backupTree({ source, name: "library", archive: SECOND });
      assert.equal(second.copied, 1);
      const target = join(run.dir, "backup-restored");
      const restored = await restoreWarm(session, run, target);
      assert.deepEqual(await readTree(target), await readTree(source));
      assert.equal(restored.files, 2);
    },
  });
  await t.step({
    name: "archives() lists the areas of replaced files, pruneArchive() removes one (keeps: areas)",
    ignore: keeps === "versions",
    fn: async () => {
      assert.ok((await session.archives()).includes(SECOND), "the second run's archive area");
      await session.pruneArchive(SECOND);
      assert.ok(!(await session.archives()).includes(SECOND), "pruned");
    },
  });
}
