import assert from "node:assert/strict";
import { join } from "node:path";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { testContext } from "../../../core/plugin/testing/mod.ts";
import { jpeg } from "./_samples.ts";
import folder from "./mod.ts";

/** Writes a file whose name holds the byte 0xFF (not UTF-8), which Deno cannot name directly. */
async function writeLatin1Named(dir: string): Promise<void> {
  const r = await new Deno.Command("sh", {
    args: ["-c", `printf 'text' > "$(printf 'caf\\351.jpg')"`],
    cwd: dir,
  }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
}

/** APFS refuses names that are not UTF-8, so there the case cannot arise. */
function takesNonUtf8Names(): boolean {
  const dir = Deno.makeTempDirSync();
  try {
    return new Deno.Command("sh", {
      args: ["-c", `printf x > "$(printf 'caf\\351.jpg')"`],
      cwd: dir,
      stderr: "null",
    })
      .outputSync().code === 0;
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test({
  name: "a file name that is not UTF-8 is listed as a problem asset; the others are listed as usual",
  ignore: !takesNonUtf8Names(),
}, async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "photos");
  await Deno.mkdir(join(root, "sub"), { recursive: true });
  await Deno.writeFile(join(root, "a.jpg"), jpeg());
  await Deno.writeFile(join(root, "sub", "b.jpg"), jpeg(undefined, "other pixels"));
  await writeLatin1Named(root);
  const session = await folder.open({ library: root }, ctx);
  const assets = await Array.fromAsync(session.list());
  assert.deepEqual(assets.map((a) => a.filename).sort(), ["a.jpg", "b.jpg", "caf?.jpg"]);
  const bad = assets.find((a) => a.filename === "caf?.jpg")!;
  const plan = new PlanBuilder(bad).build();
  await assert.rejects(
    session.export({ asset: bad, plan, dir: ctx.tempDir, allowNetwork: false }),
    (e: Error) => {
      assert.equal((e as { kind?: string }).kind, "permanent");
      assert.match(e.message, /the name of .*photos\/caf\?\.jpg is not valid UTF-8 .*rename the file/);
      return true;
    },
  );
  // The id is stable: the next listing gives the problem the same asset.
  const again = await Array.fromAsync(session.list());
  assert.equal(again.find((a) => a.filename === "caf?.jpg")?.id, bad.id);
  await session.close();
});
