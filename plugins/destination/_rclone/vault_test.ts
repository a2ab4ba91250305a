/**
 * The vault against the real rclone (Debian's 1.60.1 in CI) over a local folder: what a B2 or S3
 * bucket holds is exactly what this folder holds, encrypted. Whole trees are in trees_test.ts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import { Rclone, recentEnough } from "./mod.ts";
import { mirror } from "./trees.ts";
import { MARKER, Vault } from "./vault.ts";

const PASSWORD = "correct horse battery staple";
const SALT = "pepper and more pepper";

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await Deno.mkdir(join(root, rel, ".."), { recursive: true });
    await Deno.writeTextFile(join(root, rel), content);
  }
}

Deno.test("the installed rclone is recent enough and obscures a secret given on stdin", async () => {
  await using ctx = await testContext();
  const rclone = new Rclone(ctx);
  const version = await rclone.version();
  assert.ok(version && recentEnough(version), `rclone ${version}`);
  const obscured = await rclone.obscure(PASSWORD);
  assert.ok(obscured.length > 20);
  assert.ok(!obscured.includes(PASSWORD));
  assert.equal(recentEnough("1.55.9"), false);
  assert.equal(recentEnough("2.0.0"), true);
});

Deno.test("a missing rclone is a fatal error that says how to install it", async () => {
  await using ctx = await testContext();
  const rclone = new Rclone(ctx, { binary: "rclone-that-does-not-exist" });
  await assert.rejects(() => rclone.call("x", { args: ["version"] }), /not installed.*install it/);
  assert.equal(await rclone.version(), undefined);
});

Deno.test("a vault opened with the wrong password or salt refuses the existing backup", async () => {
  await using ctx = await testContext();
  const base = join(ctx.tempDir, "base");
  const source = join(ctx.tempDir, "source");
  await writeTree(source, { "a.txt": "a" });
  const right = await Vault.open(ctx, { base, password: PASSWORD, salt: SALT });
  await right.claim();
  await mirror(right, source, "current/x");
  for (
    const wrong of [{ password: "wrong password", salt: SALT }, { password: PASSWORD, salt: "wrong salt" }]
  ) {
    const vault = await Vault.open(ctx, { base, ...wrong });
    await assert.rejects(() => vault.claim(), (e: Error) => {
      assert.equal((e as { kind?: string }).kind, "config");
      assert.match(e.message, /cannot decrypt.*password or salt is wrong/);
      assert.ok(!e.message.includes(wrong.password) && !e.message.includes(wrong.salt));
      return true;
    });
  }
  const names = await right.list();
  assert.deepEqual(names.sort(), ["current/", MARKER].sort(), "nothing was written beside the backup");
});

Deno.test("putFile stores a file once and reports the second put as already there", async () => {
  await using ctx = await testContext();
  const vault = await Vault.open(ctx, { base: join(ctx.tempDir, "base"), password: PASSWORD, salt: SALT });
  const file = join(ctx.tempDir, "IMG_1.HEIC");
  await Deno.writeTextFile(file, "heic bytes");
  assert.equal(await vault.putFile(file, "assets/2024/05/01/IMG_1_abcdef12.HEIC"), true);
  assert.equal(await vault.putFile(file, "assets/2024/05/01/IMG_1_abcdef12.HEIC"), false);
  const [enc] = await vault.encryptedPaths(["assets/2024/05/01/IMG_1_abcdef12.HEIC"]);
  assert.equal(enc.split("/").length, 5);
  assert.ok(!enc.includes("IMG"));
});

Deno.test("only archive areas can be purged", async () => {
  await using ctx = await testContext();
  const vault = await Vault.open(ctx, { base: join(ctx.tempDir, "base"), password: PASSWORD, salt: SALT });
  for (const rel of ["current/library", "", "archive", "archive/../current"]) {
    await assert.rejects(() => vault.purge(rel), /only archive areas/);
  }
});
