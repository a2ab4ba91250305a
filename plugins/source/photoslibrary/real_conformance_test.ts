/**
 * The source conformance suite over copies of the four real libraries in
 * `../shared/testdata/photoslibraries` (the shared bundles are read-only and never opened here).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { sourceSuite } from "../../../core/plugin/testing/mod.ts";
import { SHARED } from "../../../tests/shared_data.ts";
import photoslibrary from "./mod.ts";

const LIBRARIES = join(`${SHARED}testdata/`, "photoslibraries");
const NAMES = ["Test-10.15.7", "Test-26.1", "Test-Cloud-13.1", "Test-Media-Types-15.7.2"];

for (const name of NAMES) {
  const bundle = join(LIBRARIES, `${name}.photoslibrary`);
  Deno.test({
    name: `source.photoslibrary passes the source conformance suite on a copy of ${name}`,
    ignore: !existsSync(bundle),
    fn: async (t) => {
      const dir = await Deno.makeTempDir({ prefix: "photoslibrary-conformance-" });
      try {
        const copy = join(dir, `${name}.photoslibrary`);
        await new Deno.Command("cp", { args: ["-R", bundle, copy] }).output();
        await Deno.chmod(join(copy, "database"), 0o755).catch(() => {});
        await sourceSuite(t, photoslibrary, { options: { library: copy }, exportLimit: Infinity });
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
