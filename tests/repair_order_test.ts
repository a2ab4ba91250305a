/**
 * Repairs through the real CLI on the real Media-Types library: a Live Photo's motion video and a
 * portrait's AAE are missing at import and put back after; whichever repair or reclassify runs
 * first, the files reach the destination and `status` calls the assets complete only then.
 */
import assert from "node:assert/strict";
import { basename, join } from "node:path";
import { HAVE_LIBRARIES, MEDIA_TYPES } from "../plugins/handler/_test_assets.ts";
import { cli, folderRun, listFiles, withTempDir } from "./_cli.ts";

const MOTION = "originals/D/D562F353-7A22-4367-9A7F-153A4D9F149C_3.mov";
const AAE = "originals/E/EA3D27D0-73EF-4E4C-A8D5-B2478568EC38_5.aae";
/** What the library itself lacks (a motion video, a RAW): these stay incomplete. */
const LACKING_IN_LIBRARY = 2;

/** A full copy of the library imported into a folder with the two files out; then put back. */
async function importedWithoutTwoFiles(dir: string) {
  const library = join(dir, "Media.photoslibrary");
  const cp = await new Deno.Command("cp", { args: ["-a", MEDIA_TYPES, library] }).output();
  assert.equal(cp.code, 0);
  const run = folderRun(join(dir, "home"), library, join(dir, "dest"));
  const aside = join(dir, "aside");
  await Deno.mkdir(aside);
  for (const file of [MOTION, AAE]) await Deno.rename(join(library, file), join(aside, basename(file)));
  await cli(["import", ...run]);
  const before = await listFiles(join(dir, "dest"));
  assert.equal(await incomplete(run), LACKING_IN_LIBRARY + 2);
  for (const file of [MOTION, AAE]) await Deno.rename(join(aside, basename(file)), join(library, file));
  return { run, before, dest: join(dir, "dest") };
}

async function incomplete(run: string[]): Promise<number> {
  const status = await cli(["status", "--json", "--offline", ...run]);
  assert.equal(status.code, 0, status.stderr);
  return JSON.parse(status.stdout).destinations[0].incomplete;
}

async function ok(args: string[]): Promise<string> {
  const r = await cli(args);
  assert.equal(r.code, 0, `${args.join(" ")}\n${r.stderr}`);
  return r.stdout;
}

/** The destination got exactly the motion video and the AAE, and kept everything. */
async function assertBothSent(dest: string, before: string[]) {
  const after = await listFiles(dest);
  const added = after.filter((f) => !before.includes(f));
  assert.deepEqual(added.map((f) => f.split(".").at(-1)).sort(), ["AAE", "MOV"], added.join(", "));
  assert.ok(before.every((f) => after.includes(f)), "nothing was removed");
}

Deno.test({
  name: "reclassify, then reclassify --repair, sends the motion video and the AAE that are back",
  ignore: !HAVE_LIBRARIES,
  fn: () =>
    withTempDir(async (dir) => {
      const { run, before, dest } = await importedWithoutTwoFiles(dir);
      assert.match(
        await ok(["reclassify", ...run]),
        /2 incomplete assets can be completed \(run with --repair\)/,
      );
      assert.deepEqual(await listFiles(dest), before, "reclassify alone sends nothing");
      assert.equal(await incomplete(run), LACKING_IN_LIBRARY + 2, "and the marks stay");
      assert.match(await ok(["reclassify", "--repair", ...run]), /already there 2, failed 0/);
      await assertBothSent(dest, before);
      assert.equal(await incomplete(run), LACKING_IN_LIBRARY);
      // What is left lacks what the library lacks too: status says what, so the advice can be followed.
      const status = await ok(["status", "--json", "--offline", ...run]);
      assert.deepEqual(JSON.parse(status).destinations[0].incompleteBy, {
        "RAW file missing": 1,
        "motion video missing": 1,
      });
      assert.match(
        await ok(["status", "--offline", ...run]),
        /^ {2}incomplete 2: RAW file missing 1, motion video missing 1 \(once the library has what they lack/m,
      );
    }),
});

Deno.test({
  name:
    "import --repair-cinematic, then --repair-paired-videos, then reclassify --repair, each sends its own part",
  ignore: !HAVE_LIBRARIES,
  fn: () =>
    withTempDir(async (dir) => {
      const { run, before, dest } = await importedWithoutTwoFiles(dir);
      await ok(["import", "--repair-cinematic", ...run]);
      assert.deepEqual(await listFiles(dest), before, "no Cinematic video lacks anything");
      assert.equal(await incomplete(run), LACKING_IN_LIBRARY + 2);
      await ok(["import", "--repair-paired-videos", ...run]);
      assert.equal((await listFiles(dest)).length, before.length + 1, "the motion video only");
      assert.equal(await incomplete(run), LACKING_IN_LIBRARY + 1, "the AAE is still missing there");
      await ok(["reclassify", "--repair", ...run]);
      await assertBothSent(dest, before);
      assert.equal(await incomplete(run), LACKING_IN_LIBRARY);
    }),
});
