/** Choosing the source on the command line: defaults, required paths, and a folder imported end to end. */
import { HAS_SHARED, MEDIA as SHARED_MEDIA } from "./shared_data.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, listFiles, withTempDir } from "./_cli.ts";

const MEDIA = HAS_SHARED ? SHARED_MEDIA : undefined;

Deno.test({
  name: "off macOS there is no system library: without --library photos-sync says the path is required",
  ignore: Deno.build.os === "darwin",
  fn: async () => {
    await withTempDir(async (dir) => {
      const home = join(dir, "home");
      const byDefault = await cli(["scan", "--home", home]);
      assert.equal(byDefault.code, 2);
      assert.match(byDefault.stderr, /needs the library: set --library or PHOTOS_SYNC_LIBRARY/);

      const folder = await cli(["scan", "--home", home, "--source", "folder"]);
      assert.equal(folder.code, 2);
      assert.match(folder.stderr, /source\.folder needs the folder to read: set --library PATH/);

      const photokit = await cli(["scan", "--home", home, "--source", "photokit"]);
      assert.equal(photokit.code, 2);
      assert.match(photokit.stderr, /source\.photokit runs only on darwin/);
    });
  },
});

Deno.test({
  name: "a folder of iPhone files imports with its Live Photo paired, and a second run imports nothing",
  ignore: !MEDIA,
  fn: async () => {
    await withTempDir(async (dir) => {
      const photos = join(dir, "card", "DCIM", "100APPLE");
      await Deno.mkdir(photos, { recursive: true });
      for (const name of ["IMG_3582.HEIC", "IMG_3582.mov", "IMG_4580.HEIC", "IMG_4580.mov"]) {
        await Deno.copyFile(join(MEDIA!, name), join(photos, name));
      }
      const args = [
        "import",
        "--home",
        join(dir, "home"),
        "--source",
        "folder",
        "--library",
        join(dir, "card"),
        "--to",
        "folder",
        "--folder-path",
        join(dir, "out"),
        "--json",
      ];
      const first = await cli(args);
      assert.equal(first.code, 0, first.stderr);
      const summary = first.stdout.trim().split("\n").map((l) => JSON.parse(l)).find((e) =>
        e.type === "summary"
      );
      assert.equal(summary.imported, 2);
      // Dated by the capture in its own time zone, still and motion video side by side.
      assert.deepEqual(await listFiles(join(dir, "out")), [
        "2025/05/26/IMG_3582.HEIC",
        "2025/05/26/IMG_3582.MOV",
        "2025/08/17/IMG_4580.HEIC",
        "2025/08/17/IMG_4580.MOV",
      ]);
      const second = await cli(args);
      assert.equal(second.code, 0, second.stderr);
      const again = second.stdout.trim().split("\n").map((l) => JSON.parse(l)).find((e) =>
        e.type === "summary"
      );
      assert.equal(again.imported, 0);
      assert.equal(again.skipped.imported, 2);
    });
  },
});
