import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, withTempDir } from "./_cli.ts";

Deno.test("usage errors exit 2, help exits 0 and lists every command", async () => {
  const bad = await cli(["import", "--no-such-flag"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option '--no-such-flag'/);
  const help = await cli(["--help"]);
  assert.equal(help.code, 0);
  for (
    const c of [
      "status",
      "scan",
      "import",
      "sync",
      "reclassify",
      "cleanup",
      "review",
      "backup",
      "serve",
      "demo",
    ]
  ) {
    assert.match(help.stdout, new RegExp(`\\n  ${c} `), c);
  }
});

Deno.test("configuration errors exit 2 and say what to set", async () => {
  await withTempDir(async (dir) => {
    const noFolder = await cli(["import", "--home", dir, "--library", dir, "--to", "folder"]);
    assert.equal(noFolder.code, 2);
    const unknown = await cli(["import", "--home", dir, "--to", "nas"]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown destination "nas"; known: .*folder/);
    await Deno.writeTextFile(join(dir, ".env"), "PHOTOS_SYNC_CONCURRENCY=lots\n");
    const badEnv = await cli(["status", "--home", dir]);
    assert.equal(badEnv.code, 2);
    assert.match(badEnv.stderr, /concurrency must be a number, got "lots"/);
  });
});

Deno.test("a secret given in the environment never appears in output, even in errors", async () => {
  await withTempDir(async (dir) => {
    const plugin = join(dir, "leaky.js");
    await Deno.writeTextFile(
      plugin,
      `export default { kind: "destination", id: "destination.leaky", apiVersion: 2, version: "1", description: "d",
        options: [{ name: "token", type: "string", help: "t", secret: true, required: true }],
        assets: { capabilities: [], async open(o) { throw new Error("cannot log in with token " + o.token); } } };`,
    );
    const r = await cli(["import", "--plugin", plugin, "--home", dir, "--library", dir, "--to", "leaky"], {
      PHOTOS_SYNC_LEAKY_TOKEN: "tok-very-secret-42",
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot log in with token \*\*\*/);
    assert.doesNotMatch(r.stdout + r.stderr, /tok-very-secret-42/);
  });
});

Deno.test("a third-party plugin's options become flags, shown by --help when it is the one chosen", async () => {
  await withTempDir(async (dir) => {
    const plugin = join(dir, "p.js");
    await Deno.writeTextFile(
      plugin,
      `export default { kind: "destination", id: "destination.nas", apiVersion: 2, version: "1", description: "d",
        options: [{ name: "share", type: "string", help: "SMB share to write to" }],
        assets: { capabilities: [], async open() { throw new Error("unused"); } } };`,
    );
    const r = await cli(["--plugin", plugin, "import", "--to", "nas", "--help"], { PHOTOS_SYNC_HOME: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--nas-share <value>\s+SMB share to write to/);
    const other = await cli(["--plugin", plugin, "import", "--help"], { PHOTOS_SYNC_HOME: dir });
    assert.doesNotMatch(other.stdout, /--nas-share/);
    assert.match(other.stdout, /other destinations \(.*nas.*\) are not listed/);
    const broken = join(dir, "broken.js");
    await Deno.writeTextFile(broken, "export default { kind: 'destination' };");
    const b = await cli(["--plugin", broken, "status"], { PHOTOS_SYNC_HOME: dir });
    assert.equal(b.code, 2);
    assert.match(b.stderr, /broken\.js.*id must look like/);
  });
});
