/**
 * An Immich account emptied behind the tool's back (the tracker says everything was imported, the
 * server holds none of it) is noticed before anything is sent, and `forget-destination` is the
 * way to upload everything again.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { startEmulator } from "./immich_emulator/mod.ts";
import { env, importArgs, summaryOf } from "./_immich.ts";

Deno.test("an emptied Immich account is refused before work starts; forget-destination re-uploads", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator({ version: "1.135.3" });
    const sample = await writeSampleLibrary(join(dir, "Lib.photoslibrary"), { assets: 12, seed: 5 });
    const home = join(dir, "home");
    const first = await cli(importArgs(home, sample.path), env(server));
    assert.equal(first.code, 0, first.stderr);
    const imported = summaryOf(first.stdout).imported;
    assert.ok(imported > 0);

    server.emulator.state.assets.clear();
    const refused = await cli(importArgs(home, sample.path), env(server));
    assert.equal(refused.code, 1, refused.stdout);
    assert.match(refused.stderr, /holds none of \d+ sampled assets .*forget-destination/);
    assert.equal(server.emulator.state.assets.size, 0, "nothing was sent");

    const forgot = await cli(["forget-destination", "--home", home, "--yes"], env(server));
    assert.equal(forgot.code, 0, forgot.stderr);
    const again = await cli(importArgs(home, sample.path), env(server));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(summaryOf(again.stdout).imported, imported);
  });
});
