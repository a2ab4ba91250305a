import assert from "node:assert/strict";
import { join } from "node:path";
import { sampleGroup, testContext } from "../../../core/plugin/testing/mod.ts";
import folder from "./mod.ts";

Deno.test("a new, never-used folder destination passes check() and is created by the first put", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "new", "dest");
  const session = await folder.assets.open({ path: root }, ctx);
  await session.check!();
  await session.put(await sampleGroup(ctx.tempDir, "a"));
  assert.ok((await Deno.stat(root)).isDirectory);
});

Deno.test("check() refuses a folder that cannot be made, before anything is sent", async () => {
  await using ctx = await testContext();
  const readOnly = join(ctx.tempDir, "ro");
  await Deno.mkdir(readOnly, { mode: 0o555 });
  const session = await folder.assets.open({ path: join(readOnly, "dest") }, ctx);
  // root ignores permission bits: only a non-root run can see the refusal.
  if (Deno.uid() === 0) return;
  await assert.rejects(session.check!(), /is not writable/);
});

Deno.test("a folder that held imports and vanished is refused, not recreated empty", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "disk", "photos");
  const first = await folder.assets.open({ path: root }, ctx);
  await first.check!();
  await first.put(await sampleGroup(ctx.tempDir, "a"));
  await Deno.remove(join(ctx.tempDir, "disk"), { recursive: true });
  // The same tracker state (ctx.state), a later run: the disk is not mounted.
  const later = await folder.assets.open({ path: root }, ctx);
  await assert.rejects(
    later.check!(),
    (e: Error & { kind?: string }) => e.kind === "fatal" && e.message.includes(`${root} held imports`),
  );
  await assert.rejects(Deno.stat(root), Deno.errors.NotFound);
});

Deno.test("a folder that held imports and is now empty is refused by check(), which a dry run calls too", async () => {
  await using ctx = await testContext();
  const root = join(ctx.tempDir, "dest");
  const first = await folder.assets.open({ path: root }, ctx);
  await first.check!();
  const { resources } = await first.put(await sampleGroup(ctx.tempDir, "a"));
  await Deno.remove(join(root, resources[0].remoteId.split("/")[0]), { recursive: true });
  const later = await folder.assets.open({ path: root }, ctx);
  await assert.rejects(later.check!(), /missing or empty \(disk not mounted\?\); nothing was written/);
});
