/**
 * `photos-sync scan --source photoslibrary --library <fixture> --json`, run as a user runs it, on a
 * copy of each real library's whole bundle: every fact of the fixtures' README must be in its
 * output, one JSON object per asset and a final summary with the library's facts.
 */
import { LIBRARIES } from "../../../tests/shared_data.ts";
import assert from "node:assert/strict";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Asset } from "../../../core/model/asset.ts";
import { checkLibraryFacts } from "./_readme_checks.ts";
import { readmeFacts } from "./_readme_facts.ts";

const MAIN = fileURLToPath(new URL("../../../main.ts", import.meta.url));
const ignore = !existsSync(join(LIBRARIES, "README.md"));

for (const name of ["Test-Media-Types-15.7.2", "Test-26.1", "Test-10.15.7", "Test-Cloud-13.1"]) {
  Deno.test({
    name: `scan --json reports every README fact of ${name}`,
    ignore,
    fn: async (t) => {
      const root = await Deno.makeTempDir({ prefix: "photos-sync-scan-" });
      try {
        // A copy of the whole bundle: the shared fixtures are never opened in place.
        const bundle = join(root, `${name}.photoslibrary`);
        cpSync(join(LIBRARIES, `${name}.photoslibrary`), bundle, { recursive: true });
        const out = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", MAIN, "scan", "--json", "--source", "photoslibrary", "--library", bundle],
          env: {
            PATH: Deno.env.get("PATH") ?? "",
            HOME: root,
            PHOTOS_SYNC_HOME: join(root, "home"),
            TZ: "UTC",
          },
          clearEnv: true,
          stdout: "piped",
          stderr: "piped",
        }).output();
        const stderr = new TextDecoder().decode(out.stderr);
        assert.equal(out.code, 0, stderr);
        const lines = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
        const { summary, source } = lines.at(-1);
        const assets: Asset[] = lines.slice(0, -1).map(({ plan, ...asset }) => {
          assert.equal(plan.assetId, asset.id, "each asset comes with its plan");
          return asset;
        });
        assert.equal(summary.total, assets.length);
        assert.equal(source.id, "source.photoslibrary");
        await checkLibraryFacts(t, {
          bundle,
          assets,
          byId: new Map(assets.map((a) => [a.id, a])),
          info: source,
          facts: readmeFacts(await Deno.readTextFile(join(LIBRARIES, "README.md")), name),
        });
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}
