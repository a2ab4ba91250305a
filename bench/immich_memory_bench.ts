/**
 * Peak memory of the whole photos-sync process while it imports a library holding a 2 GB video into
 * the Immich emulator (which runs in this process, not in the one measured), against the same
 * import with the video at 2 MB: the difference is what the big file costs. The target is under
 * 150 MB in all.
 *
 *   deno run -A bench/immich_memory_bench.ts        (BENCH_VIDEO_MB=2048 by default)
 */
import { join } from "node:path";
import { startEmulator } from "../tests/immich_emulator/mod.ts";
import { benchLibrary, MAIN, timed } from "./_immich.ts";

const VIDEO_MB = Number(Deno.env.get("BENCH_VIDEO_MB") ?? 2048);

async function importPeak(videoMb: number): Promise<{ peakMb: number; seconds: number; assets: number }> {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
  try {
    const library = await benchLibrary(dir, { assets: 8, videoBytes: videoMb * 1048576, videos: 1 });
    await using server = await startEmulator({ version: "3.2.2" });
    const run = await timed(Deno.execPath(), [
      "run",
      "-A",
      MAIN,
      "import",
      "--home",
      join(dir, "home"),
      "--to",
      "immich",
      "--source",
      "photoslibrary",
      "--library",
      library.library,
    ], {
      IMMICH_URL: server.url,
      IMMICH_API_KEY: server.apiKey,
      PATH: Deno.env.get("PATH") ?? "",
      HOME: dir,
    });
    const sizes = [...server.emulator.state.assets.values()].map((a) => a.size);
    if (!sizes.includes(videoMb * 1048576)) throw new Error(`the ${videoMb} MB video did not arrive whole`);
    return { peakMb: run.peakMb ?? NaN, seconds: run.seconds, assets: sizes.length };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const small = await importPeak(2);
const big = await importPeak(VIDEO_MB);
console.log(
  `peak memory importing a ${VIDEO_MB} MB video: photos-sync ${big.peakMb.toFixed(0)} MB ` +
    `(${(big.peakMb / 150).toFixed(2)}x the 150 MB budget; ${
      small.peakMb.toFixed(0)
    } MB with a 2 MB video; ` +
    `${big.seconds.toFixed(1)} s, ${(VIDEO_MB / big.seconds).toFixed(0)} MB/s)`,
);
