/**
 * Bad input gives a clear message, the right exit code, and nothing recorded as done that was not:
 * a full destination disk, a full temp disk, a library that is not there, an unreadable original.
 * The full disks are real: a 192 KB tmpfs mounted in a private mount namespace (`unshare -m`).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { hashFile } from "../core/engine/hash.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { networkEnv } from "./_child_env.ts";
import { cli, folderRun, listFiles, RUN_MAIN, withTempDir } from "./_cli.ts";

const canMount = (() => {
  try {
    const r = new Deno.Command("unshare", {
      args: ["-m", "sh", "-c", "mount -t tmpfs -o size=8k tmpfs /mnt"],
      stderr: "null",
    })
      .outputSync();
    return r.code === 0;
  } catch {
    return false;
  }
})();
if (!canMount) console.log("full-disk tests skipped: cannot mount a tmpfs in a private namespace here");

/** Runs photos-sync with a small tmpfs mounted on `mountpoint` for the duration of the command. */
async function cliOnTinyDisk(mountpoint: string, args: string[], env: Record<string, string> = {}) {
  const deno = [Deno.execPath(), ...RUN_MAIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`)
    .join(" ");
  const out = await new Deno.Command("unshare", {
    args: [
      "-m",
      "sh",
      "-c",
      `mount -t tmpfs -o size=192k tmpfs '${mountpoint}' && ${deno}; rc=$?; ls -la '${mountpoint}' >/dev/null; exit $rc`,
    ],
    env: { ...networkEnv(), PATH: Deno.env.get("PATH")!, HOME: Deno.env.get("HOME")!, NO_COLOR: "1", ...env },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test({
  name:
    "a destination disk that fills up stops the run once, with a clear message, recording only what landed",
  ignore: !canMount,
  async fn() {
    await withTempDir(async (dir) => {
      const sample = await writeSampleLibrary(join(dir, "S.photoslibrary"), { assets: 300 });
      const home = join(dir, "home");
      const dest = join(dir, "dest");
      await Deno.mkdir(dest);
      const r = await cliOnTinyDisk(dest, [
        "import",
        ...folderRun(home, sample.path, dest),
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /cannot write to .*free space or fix permissions/);
      assert.equal(r.stderr.match(/free space/g)?.length, 1, "one message, not one per asset");
      // The tmpfs is gone with its namespace; what the tracker recorded must not claim more than that.
      const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
      try {
        const imported = db.prepare("SELECT COUNT(*) AS n FROM transfers WHERE status = 'imported'")
          .get() as { n: number };
        const failed = db.prepare("SELECT COUNT(*) AS n FROM transfers WHERE status = 'failed'").get() as {
          n: number;
        };
        assert.ok(imported.n < 300, "the disk filled before the end");
        assert.equal(failed.n, 0, "a full disk is not the assets' fault: none is recorded as failed");
      } finally {
        db.close();
      }
    });
  },
});

Deno.test({
  name: "a full temp disk stops the run with a clear message and records nothing as failed",
  ignore: !canMount,
  async fn() {
    await withTempDir(async (dir) => {
      // Enough that the listing runs megabytes ahead of a dry run's work, so the spool spills to disk.
      const sample = await writeSampleLibrary(join(dir, "S.photoslibrary"), { assets: 20000, files: false });
      const tmp = join(dir, "tmp");
      await Deno.mkdir(tmp);
      const home = join(dir, "home");
      const r = await cliOnTinyDisk(tmp, [
        "import",
        "--dry-run",
        ...folderRun(home, sample.path, join(dir, "d")),
      ], {
        TMPDIR: tmp,
      });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no space left on the temporary disk .*TMPDIR/i);
    });
  },
});

Deno.test("a library path that does not exist, or is not a library, is a configuration error (exit 2)", async () => {
  await withTempDir(async (dir) => {
    const missing = await cli([
      "import",
      "--home",
      dir,
      "--library",
      join(dir, "nope.photoslibrary"),
      "--to",
      "folder",
      "--folder-path",
      join(dir, "d"),
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.photoslibrary/);
    await Deno.writeTextFile(join(dir, "notes.txt"), "hello");
    const notLibrary = await cli(["scan", "--home", dir, "--library", join(dir, "notes.txt")]);
    assert.equal(notLibrary.code, 2);
  });
});

Deno.test("an original that cannot be read fails that asset only, with its path in the reason", async () => {
  await withTempDir(async (dir) => {
    const sample = await writeSampleLibrary(join(dir, "S.photoslibrary"));
    const home = join(dir, "home");
    const dest = join(dir, "d");
    const scan = await cli(["scan", "--json", "--home", home, "--library", sample.path]);
    const video = scan.stdout.trim().split("\n").map((l) => JSON.parse(l)).find((a) =>
      a.id === sample.uuids.video
    );
    const path = video.resources[0].path;
    // A directory where the file should be: unreadable as a file even for root.
    await Deno.remove(path);
    await Deno.mkdir(path);
    const r = await cli([
      "import",
      "--json",
      ...folderRun(home, sample.path, dest),
    ]);
    assert.equal(r.code, 1);
    const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
    assert.equal(summary.failed, 1);
    assert.equal(summary.imported, sample.assets - 2);
    const review = JSON.parse(
      (await cli([
        "review",
        "--json",
        ...folderRun(home, sample.path, dest),
      ])).stdout,
    );
    assert.match(review.groups[0].examples[0].message, new RegExp(video.resources[0].path.split("/").at(-1)));
    for (const f of await listFiles(dest)) assert.ok((await hashFile(join(dest, f))).size > 0);
  });
});
