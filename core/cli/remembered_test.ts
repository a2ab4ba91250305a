import assert from "node:assert/strict";
import { loadConfig } from "../config/mod.ts";
import folder from "../../plugins/destination/folder/mod.ts";
import { applyRemembered, destinationFingerprint } from "./remembered.ts";

const REMEMBERED = { PHOTOS_SYNC_TO: "folder", PHOTOS_SYNC_FOLDER_PATH: "/backup/photos" };

async function config(flags: Record<string, string>, env: Record<string, string> = {}) {
  const home = await Deno.makeTempDir();
  const c = await loadConfig({ flags: { home, ...flags }, env });
  applyRemembered(c, REMEMBERED);
  await Deno.remove(home, { recursive: true });
  return c;
}

Deno.test("what the last import ran with becomes the default", async () => {
  const c = await config({});
  assert.equal(c.core.to, "folder");
  assert.equal(c.pluginOptions(folder).path, "/backup/photos");
});

Deno.test("flags and the environment still win over what is remembered", async () => {
  assert.equal((await config({ to: "immich" })).core.to, "immich");
  assert.equal((await config({}, { PHOTOS_SYNC_TO: "immich" })).core.to, "immich");
  const c = await config({ "folder-path": "/elsewhere" });
  assert.equal(c.pluginOptions(folder).path, "/elsewhere");
  assert.notEqual(destinationFingerprint(c, folder), destinationFingerprint(await config({}), folder));
});
