/** Every command reads the library once per run: a second pass over 100,000 assets is never free. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { cli, withTempDir } from "./_cli.ts";

const COUNTING = new URL("./fixtures/counting_source.js", import.meta.url).pathname;

Deno.test("import, sync, status, reclassify, review --retry and cleanup each list the source once", async () => {
  await withTempDir(async (dir) => {
    const library = join(dir, "lib");
    await Deno.mkdir(library);
    // A JPEG's magic number first: the content check refuses text named .JPG.
    const jpeg = (i: number) => new Uint8Array([0xff, 0xd8, 0xff, ...new TextEncoder().encode(`photo ${i}`)]);
    for (let i = 0; i < 5; i++) await Deno.writeFile(join(library, `IMG_${i}.JPG`), jpeg(i));
    const common = [
      "--plugin",
      COUNTING,
      "--source",
      "counting",
      "--library",
      library,
      "--home",
      join(dir, "home"),
    ];
    const dest = ["--to", "folder", "--folder-path", join(dir, "dest")];
    const listings = async () =>
      (await Deno.readTextFile(join(library, ".lists")).catch(() => "")).split("\n").length - 1;
    const commands = [
      ["import", ...dest],
      ["sync", ...dest],
      ["status", ...dest],
      ["scan"],
      ["reclassify", "--repair", ...dest],
      ["review", "--retry", ...dest],
      ["cleanup", "--max-share", "1", ...dest],
    ];
    for (const command of commands) {
      const before = await listings();
      const r = await cli([...command, ...common]);
      assert.equal(r.code, 0, `${command[0]}: ${r.stderr}`);
      assert.equal(
        await listings() - before,
        command[0] === "review" ? 0 : 1,
        `${command.join(" ")} lists once`,
      );
    }
  });
});
