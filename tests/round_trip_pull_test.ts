/**
 * `pull` of an asset another device uploaded to Immich (as the Immich app does, straight to
 * `POST /api/assets`), with the Media-Types library in the PhotoKit twin as this library: it comes
 * into Photos once, from the very bytes uploaded, linked to its Immich asset; a second `pull` brings
 * nothing, and a later `sync` from Photos uploads nothing and leaves no duplicate in Immich. Into a
 * folder, likewise once.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fakeJpeg } from "../core/engine/_testing.ts";
import { createdAssets } from "../plugins/source/photokit/_fixture_library.ts";
import { listFiles, withTempDir } from "./_cli.ts";
import { env } from "./_immich.ts";
import { mediaTypesTwin, twinCli } from "./_media_types_twin.ts";
import { HAS_SHARED } from "./shared_data.ts";
import { type RunningEmulator, startEmulator } from "./immich_emulator/mod.ts";

const sha1 = (bytes: Uint8Array) => createHash("sha1").update(bytes).digest("hex");

/** Uploads `bytes` as a phone's Immich app would; resolves the new Immich asset's id. */
async function uploadFromPhone(server: RunningEmulator, bytes: Uint8Array, name: string): Promise<string> {
  const post = (device: boolean) => {
    const form = new FormData();
    form.set("assetData", new Blob([bytes as BlobPart]), name);
    form.set("fileCreatedAt", "2025-07-14T18:30:00.000Z");
    form.set("fileModifiedAt", "2025-07-14T18:30:00.000Z");
    if (device) {
      form.set("deviceAssetId", `${name}-phone`);
      form.set("deviceId", "pixel-8");
    }
    return fetch(`${server.url}/api/assets`, {
      method: "POST",
      headers: { "x-api-key": server.apiKey },
      body: form,
    });
  };
  let response = await post(true);
  // Immich 3 dropped the device fields; 1.x and 2.x need them.
  if (response.status === 400 && /should not exist/.test(await response.text())) response = await post(false);
  assert.ok(response.ok, `${response.status}`);
  return (await response.json()).id;
}

Deno.test({
  name:
    "pull of what a phone uploaded to Immich: once into Photos or a folder, never sent back, no duplicate",
  ignore: !HAS_SHARED,
  fn: () =>
    withTempDir(async (dir) => {
      await Deno.mkdir(join(dir, "store"));
      await using server = await startEmulator({ storeDir: join(dir, "store") });
      const twin = await mediaTypesTwin(dir);
      await using _lib = twin.lib;
      const home = join(dir, "home");
      const vars = { ...env(server), PHOTOS_SYNC_PHOTOKIT_LIB: twin.lib.path };
      const photos = ["--source", "photokit", "--to", "immich", "--home", home];
      const imported = await twinCli(["import", ...photos, "--json"], vars);
      assert.equal(imported.code, 0, imported.stderr);

      const bytes = fakeJpeg("a photo taken on another phone");
      const phoneId = await uploadFromPhone(server, bytes, "PXL_20250714_183000.jpg");
      const folderHome = join(dir, "home-folder");
      assert.ok((await new Deno.Command("cp", { args: ["-a", home, folderHome] }).output()).success);

      const pulled = await twinCli(["pull", "--json", "--home", home], vars);
      assert.equal(pulled.code, 0, pulled.stderr + pulled.stdout);
      assert.deepEqual([JSON.parse(pulled.stdout).import.imported, JSON.parse(pulled.stdout).linked], [1, 1]);
      const made = Object.values(await createdAssets(twin.lib));
      assert.equal(made.length, 1);
      assert.equal(
        sha1(await Deno.readFile(made[0].resources[0].copy)),
        sha1(bytes),
        "the bytes the phone uploaded",
      );
      assert.equal(made[0].fields.creationDate, "2025-07-14T18:30:00.000Z");

      const again = await twinCli(["pull", "--json", "--home", home], vars);
      assert.equal(JSON.parse(again.stdout).import.imported, 0, "a second pull brings nothing");
      assert.equal(Object.keys(await createdAssets(twin.lib)).length, 1);

      // The new Photos asset is known to be at Immich as the phone's asset: nothing goes back.
      const uploads = server.emulator.count("POST /api/assets");
      const assets = server.emulator.state.assets.size;
      const synced = await twinCli(["sync", ...photos, "--json"], vars);
      assert.equal(synced.code, 0, synced.stderr);
      const { imported: sent, duplicates } = JSON.parse(synced.stdout.trim().split("\n").at(-1)!).import;
      assert.deepEqual([sent, duplicates], [0, 0], "not even offered to Immich: it is known to be there");
      assert.equal(server.emulator.count("POST /api/assets"), uploads, "sync uploaded nothing");
      assert.equal(server.emulator.state.assets.size, assets, "no duplicate in Immich");
      assert.equal(server.emulator.state.assets.get(phoneId)!.deletedAt, null);

      // Into a folder (from the tracker as it was before the pull): the file once.
      const folder = join(dir, "pulled");
      const line = async (...more: string[]) => {
        const r = await twinCli(
          ["pull", "--into-folder", folder, "--home", folderHome, ...more],
          env(server),
        );
        assert.equal(r.code, 0, r.stderr);
        return r.stdout.trim().split("\n").find((l) => l.includes("assets picked"));
      };
      assert.equal(
        await line("--dry-run"),
        `1 assets picked; 1 would be written to ${folder}, 0 already there, 0 failed`,
      );
      for (let run = 0; run < 2; run++) {
        const r = await twinCli(
          ["pull", "--into-folder", folder, "--json", "--home", folderHome],
          env(server),
        );
        assert.equal(r.code, 0, r.stderr);
        assert.equal(JSON.parse(r.stdout).import.imported, run === 0 ? 1 : 0);
      }
      assert.equal(await line(), `1 assets picked; 0 written to ${folder}, 1 already there, 0 failed`);
      const files = (await listFiles(folder)).filter((f) =>
        !f.endsWith(".xmp") && !f.split("/").at(-1)!.startsWith(".")
      );
      assert.equal(files.length, 1, files.join(", "));
      assert.equal(sha1(await Deno.readFile(join(folder, files[0]))), sha1(bytes));
    }),
});
