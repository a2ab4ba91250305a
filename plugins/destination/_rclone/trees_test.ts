/**
 * Whole trees in and out of a vault, against the real rclone over a local folder: what a B2 or
 * S3 bucket holds is exactly what this folder holds, encrypted.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import { compare, copyOut, mirror } from "./trees.ts";
import { Vault } from "./vault.ts";

const PASSWORD = "correct horse battery staple";
const SALT = "pepper and more pepper";

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await Deno.mkdir(join(root, rel, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, rel), content);
  }
}

async function readTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(dir: string, prefix: string) {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(join(dir, e.name), `${prefix}${e.name}/`);
      else out[`${prefix}${e.name}`] = await Deno.readTextFile(join(dir, e.name));
    }
  }
  await walk(root, "");
  return out;
}

async function rawNames(root: string): Promise<string[]> {
  const names: string[] = [];
  async function walk(dir: string) {
    for await (const e of Deno.readDir(dir)) {
      names.push(e.name);
      if (e.isDirectory) await walk(join(dir, e.name));
    }
  }
  await walk(root);
  return names;
}

Deno.test("a vault mirrors a tree encrypted, archives what changed or went, and reads back byte-identical", async () => {
  await using ctx = await testContext();
  const source = join(ctx.tempDir, "source");
  const base = join(ctx.tempDir, "base");
  await writeTree(source, { "2024/a.jpg": "photo a", "2024/b.jpg": "photo b", "top.txt": "top" });
  const vault = await Vault.open(ctx, { base, password: PASSWORD, salt: SALT, statsSeconds: 1 });
  assert.equal(await vault.claim(), "created");
  assert.equal(await vault.claim(), "existing");

  const first = await mirror(vault, source, "current/library", { archive: "archive/S1/library" });
  assert.equal(first.copied, 3);
  assert.equal(first.totalFiles, 3);
  // Names and contents are encrypted at the base.
  for (const name of await rawNames(base)) {
    assert.ok(!/photo|top|2024|current|library|jpg/.test(name), `plaintext name ${name} at the base`);
  }

  await Deno.remove(join(source, "2024/b.jpg"));
  await Deno.writeTextFile(join(source, "top.txt"), "top, edited");
  const second = await mirror(vault, source, "current/library", { archive: "archive/S2/library" });
  assert.equal(second.copied, 1);
  assert.equal(second.archived, 2);

  const restored = join(ctx.tempDir, "restored");
  const out = await copyOut(vault, "current/library", restored);
  assert.deepEqual(out.failed, []);
  assert.deepEqual(await readTree(restored), await readTree(source));
  const archive = join(ctx.tempDir, "archive");
  await copyOut(vault, "archive/S2/library", archive);
  assert.deepEqual(await readTree(archive), { "2024/b.jpg": "photo b", "top.txt": "top" });
  assert.deepEqual(await vault.list("archive", { dirsOnly: true }), ["S2/"]);

  const same = await compare(vault, source, "current/library");
  assert.deepEqual([same.matching, same.differences], [2, []]);
  await Deno.writeTextFile(join(source, "new.txt"), "not backed up yet");
  const differs = await compare(vault, source, "current/library");
  assert.deepEqual(differs.differences, [{ path: "new.txt", kind: "missing-remote" }]);
});

Deno.test("a dry-run mirror counts what it would do and changes nothing", async () => {
  await using ctx = await testContext();
  const source = join(ctx.tempDir, "source");
  const base = join(ctx.tempDir, "base");
  await writeTree(source, { "a.txt": "a", "b.txt": "b" });
  const vault = await Vault.open(ctx, { base, password: PASSWORD, salt: SALT });
  await vault.claim();
  await mirror(vault, source, "current/x", { archive: "archive/S1/x" });
  const before = await rawNames(base);
  await Deno.remove(join(source, "a.txt"));
  await Deno.writeTextFile(join(source, "c.txt"), "c");
  const dry = await mirror(vault, source, "current/x", { archive: "archive/S2/x", dryRun: true });
  assert.deepEqual([dry.wouldCopy, dry.wouldArchive, dry.copied, dry.archived], [1, 1, 0, 0]);
  assert.deepEqual(await rawNames(base), before);
});

Deno.test("restoring a tree that is not in the backup is a permanent error naming it", async () => {
  await using ctx = await testContext();
  const vault = await Vault.open(ctx, { base: join(ctx.tempDir, "base"), password: PASSWORD, salt: SALT });
  await vault.claim();
  await assert.rejects(
    () => copyOut(vault, "current/nope", join(ctx.tempDir, "out")),
    /current\/nope is not in the backup/,
  );
});
