/** The real CLI keeps the data directory and the tracker private, and warns about a `.env` others can read. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, folderRun, withTempDir } from "./_cli.ts";

Deno.test("import creates the data directory 0700 and the tracker 0600, and warns that .env is readable", async () => {
  await withTempDir(async (dir) => {
    const library = join(dir, "lib.photoslibrary");
    await writeSampleLibrary(library);
    const home = join(dir, "data", "photos-sync");
    const env = join(dir, "shared.env");
    await Deno.writeTextFile(env, "PHOTOS_SYNC_CONCURRENCY=2\n");
    await Deno.chmod(env, 0o644);
    const r = await cli(["import", ...folderRun(home, library, join(dir, "dest"))], {
      PHOTOS_SYNC_ENV_FILE: env,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: .*shared\.env holds secrets but other users can read it \(mode 644\)/);
    assert.equal(Deno.statSync(home).mode! & 0o777, 0o700);
    for (const f of ["tracker.db", "tracker.db-wal"]) {
      const mode = (() => {
        try {
          return Deno.statSync(join(home, f)).mode! & 0o777;
        } catch {
          return 0o600; // the WAL is gone after a clean close
        }
      })();
      assert.equal(mode, 0o600, f);
    }
  });
});
