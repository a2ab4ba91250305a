import assert from "node:assert/strict";
import { join } from "node:path";
import { sampleGroup, testContext } from "../../../core/plugin/testing/mod.ts";
import folder from "./mod.ts";
import { fittingName } from "./_names.ts";

const byteLength = (s: string) => new TextEncoder().encode(s).length;

/** A sample group whose file carries `name` at the destination (the source file keeps a short name). */
async function groupNamed(dir: string, tag: string, name: string) {
  const group = await sampleGroup(dir, tag);
  group.files = [{ ...group.files[0], name }];
  return group;
}

Deno.test("a name of 239 to 255 bytes is copied under its own name (the temporary name fits too)", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root }, ctx);
  for (const length of [239, 250, 255]) {
    const name = `${"n".repeat(length - 4)}.jpg`;
    const { resources } = await session.put(await groupNamed(ctx.tempDir, `g${length}`, name));
    assert.equal(resources[0].remoteId, `2024/05/01/${name}`);
  }
});

Deno.test("an over-long name is shortened within 255 bytes, keeping its extension, and stays unique", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const session = await folder.assets.open({ path: root }, ctx);
  const common = "é".repeat(140); // 280 bytes
  const ids: string[] = [];
  for (const tail of ["one", "two"]) {
    const { resources } = await session.put(await groupNamed(ctx.tempDir, tail, `${common}${tail}.HEIC`));
    ids.push(resources[0].remoteId);
    const name = resources[0].remoteId.split("/").at(-1)!;
    assert.ok(byteLength(name) <= 255, `${byteLength(name)} bytes`);
    assert.ok(name.endsWith(".HEIC"), name);
    assert.equal(
      await Deno.readTextFile(join(root, resources[0].remoteId)),
      `photos-sync conformance ${tail}`,
    );
  }
  assert.notEqual(ids[0], ids[1]);
  // Run again: the same names are found, nothing is copied twice.
  const again = await session.put(await groupNamed(ctx.tempDir, "one", `${common}one.HEIC`));
  assert.deepEqual(again.resources.map((r) => [r.remoteId, r.duplicate]), [[ids[0], true]]);
});

Deno.test("a still and its video with one over-long stem keep one shortened stem", () => {
  const stem = "x".repeat(300);
  const [still, video] = [fittingName(`${stem}.HEIC`), fittingName(`${stem}.MOV`)];
  assert.equal(still.replace(/\.HEIC$/, ""), video.replace(/\.MOV$/, ""));
  assert.equal(fittingName("IMG_0001.HEIC"), "IMG_0001.HEIC");
});

Deno.test("--folder-path naming a file is refused as a file, not as a folder that is not writable", async () => {
  await using ctx = await testContext();
  const file = join(ctx.tempDir, "photos.txt");
  await Deno.writeTextFile(file, "a file");
  for (const root of [file, join(file, "below")]) {
    const session = await folder.assets.open({ path: root }, ctx);
    await assert.rejects(session.check!(), (e: Error) => {
      assert.equal((e as { kind?: string }).kind, "config");
      assert.match(e.message, /photos\.txt is a file, not a folder; give --folder-path a folder/);
      return true;
    });
  }
  assert.equal(await Deno.readTextFile(file), "a file");
});
