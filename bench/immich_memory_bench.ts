/**
 * Peak memory of whole processes importing into the Immich emulator (which runs in this process,
 * not in the ones measured): photos-sync run plainly and run with the V8 flags the compiled binary
 * and the scheduled jobs' launcher carry (`V8_FLAGS`), against the official `@immich/cli` uploading
 * the same files, alternating. Once for camera-sized photos (1.4 MB each, which the sample library
 * does not have), once for a library holding one big video, once for the upload benchmark's four
 * videos streamed at once (docs/benchmarks.md, Memory); with
 * the flags also as the scheduled jobs run it (`MALLOC_ARENA_MAX=2`). The target: at most 100 MB,
 * and below the CLI.
 *
 *   deno task bench immich_memory
 *   BENCH_PHOTOS=200 BENCH_PHOTO_BYTES=1400000 BENCH_BIG_VIDEO_MB=512 BENCH_VIDEOS=4 BENCH_VIDEO_MB=200
 *   BENCH_RUNS=2 (defaults)
 *
 * photos-sync runs at its default concurrency (8, with uploads from 4 in flight up to 8), the CLI at 4;
 * `BENCH_CONCURRENCY` runs both at that fixed number.
 */
import { join } from "node:path";
import { V8_FLAGS } from "../core/schedule/launcher.ts";
import {
  BENCH_CONCURRENCY,
  benchLibrary,
  CLI_CONCURRENCY,
  CONCURRENCY_TEXT,
  fetchImmichCli,
  immichCliUpload,
  intoFreshEmulator,
  type Landed,
  photosSyncImport,
  videoLibrary,
} from "./_immich.ts";

const PHOTOS = Number(Deno.env.get("BENCH_PHOTOS") ?? 200);
const PHOTO_BYTES = Number(Deno.env.get("BENCH_PHOTO_BYTES") ?? 1_400_000);
const BIG_VIDEO_MB = Number(Deno.env.get("BENCH_BIG_VIDEO_MB") ?? 512);
// The four videos' variables are named as in the upload benchmark.
const VIDEOS = Number(Deno.env.get("BENCH_VIDEOS") ?? 4);
const VIDEO_MB = Number(Deno.env.get("BENCH_VIDEO_MB") ?? 200);
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 2);

type Library = Awaited<ReturnType<typeof benchLibrary>>;

/** The highest peak of `RUNS` runs of each way, alternating, each into a fresh emulator. */
async function peaks(dir: string, library: Library): Promise<Record<string, number>> {
  const ours = (v8Flags?: string, env?: Record<string, string>) => () =>
    intoFreshEmulator((url, key) =>
      photosSyncImport(url, key, {
        library: library.library,
        home: join(dir, "home"),
        concurrency: BENCH_CONCURRENCY,
        v8Flags,
        env,
      })
    );
  const ways: Record<string, () => Promise<Landed>> = {
    "photos-sync (deno run)": ours(""),
    [`photos-sync (${V8_FLAGS})`]: ours(V8_FLAGS),
    // As the scheduled jobs run it (core/schedule/jobs.ts).
    "photos-sync (those, MALLOC_ARENA_MAX=2)": ours(V8_FLAGS, { MALLOC_ARENA_MAX: "2" }),
    "@immich/cli": () =>
      intoFreshEmulator((url, key) =>
        immichCliUpload(url, key, {
          files: library.files,
          configDir: join(dir, "cli-config"),
          concurrency: CLI_CONCURRENCY,
        })
      ),
  };
  const peak: Record<string, number> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const [name, run] of Object.entries(ways)) {
      const landed = await run();
      if (landed.assets !== library.count) {
        throw new Error(`${name} left ${landed.assets} of ${library.count}`);
      }
      peak[name] = Math.max(peak[name] ?? 0, landed.peakMb ?? NaN);
    }
  }
  return peak;
}

function report(name: string, peak: Record<string, number>): void {
  const cli = peak["@immich/cli"];
  console.log(`${name}: highest peak memory of ${RUNS} runs each, ${CONCURRENCY_TEXT}`);
  for (const [way, mb] of Object.entries(peak)) {
    console.log(
      `  ${way.padEnd(40)} ${mb.toFixed(0)} MB (${(mb / cli).toFixed(2)}x the CLI, ${
        (mb / 100).toFixed(2)
      }x 100 MB)`,
    );
  }
}

await fetchImmichCli();
for (
  const [name, options] of [
    [`import ${PHOTOS} photos of ${(PHOTO_BYTES / 1e6).toFixed(1)} MB`, {
      assets: PHOTOS,
      photoBytes: PHOTO_BYTES,
    }],
    [`import a library with a ${BIG_VIDEO_MB} MB video`, videoLibrary(1, BIG_VIDEO_MB)],
    [`import ${VIDEOS} videos of ${VIDEO_MB} MB`, videoLibrary(VIDEOS, VIDEO_MB)],
  ] as const
) {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
  try {
    report(name, await peaks(dir, await benchLibrary(dir, options)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
