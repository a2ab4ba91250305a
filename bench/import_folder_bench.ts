/**
 * Importing a generated library into a folder, against `cp -r` of the same originals (the least
 * work any tool could do: no hashing, no verification, no bookkeeping). The no-op run is measured by
 * `sync_noop_bench.ts`.
 */
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { best, measure, ratioLine } from "./_measure.ts";

const ASSETS = Number(Deno.env.get("BENCH_ASSETS") ?? 2000);
const main = new URL("../main.ts", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
try {
  const sample = await writeSampleLibrary(join(dir, "Bench.photoslibrary"), { assets: ASSETS });
  const home = join(dir, "home");
  const dest = join(dir, "dest");
  const reset = async () => {
    await Deno.remove(home, { recursive: true }).catch(() => {});
    await Deno.remove(dest, { recursive: true }).catch(() => {});
  };
  const importArgs = [
    "run",
    "-A",
    main,
    "import",
    "--home",
    home,
    "--library",
    sample.path,
    "--to",
    "folder",
    "--folder-path",
    dest,
  ];
  const ours = await best(3, () => measure(Deno.execPath(), importArgs), reset);
  const cp = await best(3, () => measure("cp", ["-r", join(sample.path, "originals"), dest]), reset);
  console.log(ratioLine(`import ${ASSETS} assets into a folder`, ours, cp, "cp -r"));
} finally {
  await Deno.remove(dir, { recursive: true });
}
