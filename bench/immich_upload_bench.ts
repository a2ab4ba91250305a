/**
 * Upload throughput to the Immich emulator on loopback: photos-sync importing a library against the
 * official `@immich/cli` uploading exactly the same files, each into a fresh emulator, in the same
 * run. For many small photos and for a handful of big videos.
 *
 * photos-sync runs at its default concurrency (uploads start at 4 in flight and rise to 8 while
 * throughput rises), the CLI at 4 (its own default is one per core but one, 1 on two cores; the
 * real server was measured with both at 4). `BENCH_CONCURRENCY` runs both at that fixed number.
 *
 *   deno run -A bench/immich_upload_bench.ts
 *   BENCH_PHOTOS=2000 BENCH_PHOTO_BYTES=1400000 BENCH_VIDEOS=4 BENCH_VIDEO_MB=200 (BENCH_CONCURRENCY unset)
 *   BENCH_RUNS=2 BENCH_MODES=plain,realistic (defaults: camera-sized photos, as the real server was
 *   measured with; BENCH_PHOTO_BYTES=0 sends the sample library's small photos)
 *
 * Under each mode of the emulator: plain (answers at once) and realistic (writes, hashes, inserts
 * rows and extracts metadata per asset, as a real server does; see tests/immich_emulator/_realistic.ts).
 *
 * In the realistic mode, photos-sync also runs as by default (pausing the server's jobs for a large
 * import, as the emulator's key is an admin's), alternated with `--no-immich-pause-jobs`, to show
 * what pausing gains; the output says which runs paused (a small import does not). The comparison
 * with the CLI runs photos-sync by default too.
 *
 * Each run also says how busy the emulator's request thread was (its CPU time over the run's wall
 * time): near 100%, the server set the pace and no client could go faster.
 *
 * photos-sync does more per file than the CLI (XMP metadata, albums, Live Photo links, the tracker);
 * the CLI reads each file twice (hash, then upload) and checks all hashes before it uploads any.
 */
import { join } from "node:path";
import {
  BENCH_CONCURRENCY,
  benchLibrary,
  benchModes,
  bestOfBoth,
  CLI_CONCURRENCY,
  CONCURRENCY_TEXT,
  fetchImmichCli,
  immichCliUpload,
  intoFreshEmulator,
  type Landed,
  type Mode,
  modeLabel,
  photosSyncImport,
  serverBusy,
  speedLine,
  videoLibrary,
} from "./_immich.ts";

const PHOTOS = Number(Deno.env.get("BENCH_PHOTOS") ?? 2000);
const PHOTO_BYTES = Number(Deno.env.get("BENCH_PHOTO_BYTES") ?? 1_400_000);
const VIDEOS = Number(Deno.env.get("BENCH_VIDEOS") ?? 4);
const VIDEO_MB = Number(Deno.env.get("BENCH_VIDEO_MB") ?? 200);
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 2);

async function compare(
  name: string,
  dir: string,
  library: { library: string; files: string; count: number },
  mode: Mode,
) {
  const [ours, peer] = await bestOfBoth(
    RUNS,
    () =>
      intoFreshEmulator((url, key) =>
        photosSyncImport(url, key, {
          library: library.library,
          home: join(dir, "home"),
          concurrency: BENCH_CONCURRENCY,
        }), mode),
    () =>
      intoFreshEmulator((url, key) =>
        immichCliUpload(url, key, {
          files: library.files,
          configDir: join(dir, "cli-config"),
          concurrency: CLI_CONCURRENCY,
        }), mode),
  );
  if (ours.assets !== library.count || peer.assets !== library.count) {
    throw new Error(
      `${name}: expected ${library.count} assets, photos-sync left ${ours.assets}, the CLI ${peer.assets}`,
    );
  }
  console.log(
    speedLine(
      `${name} (${library.count} files, ${CONCURRENCY_TEXT}, ${modeLabel(mode)})`,
      ours,
      peer,
      "@immich/cli",
    ),
  );
  console.log(`  photos-sync  ${pausedText(ours)}, ${describe(ours)}\n  @immich/cli  ${describe(peer)}`);
  if (mode === "realistic") await comparePause(name, dir, library);
}

/** photos-sync by default (auto) against `--no-immich-pause-jobs`, alternated, on the realistic emulator. */
async function comparePause(name: string, dir: string, library: { library: string; count: number }) {
  const run = (args: string[]) => () =>
    intoFreshEmulator((url, key) =>
      photosSyncImport(url, key, {
        library: library.library,
        home: join(dir, "home"),
        concurrency: BENCH_CONCURRENCY,
        args,
      }), "realistic");
  const [auto, never] = await bestOfBoth(RUNS, run([]), run(["--no-immich-pause-jobs"]));
  console.log(
    speedLine(
      `${name}, the default (auto) against --no-immich-pause-jobs (realistic emulator)`,
      auto,
      never,
      "--no-immich-pause-jobs",
    ),
  );
  console.log(
    `  default                 ${pausedText(auto)}, ${describe(auto)}\n` +
      `  --no-immich-pause-jobs  ${pausedText(never)}, ${describe(never)}`,
  );
}

const pausedText = (run: Landed) => run.paused ? "paused the jobs" : "did not pause";

const describe = (run: Landed) =>
  `${(run.assets / run.seconds).toFixed(0)} assets/s, CPU ${run.cpuSeconds?.toFixed(1) ?? "?"} s, peak ${
    run.peakMb?.toFixed(0) ?? "?"
  } MB, ${serverBusy(run)}`;

await fetchImmichCli();

for (
  const [name, options] of [
    [`upload ${PHOTOS} photos`, { assets: PHOTOS, photoBytes: PHOTO_BYTES }],
    [`upload ${VIDEOS} videos of ${VIDEO_MB} MB`, videoLibrary(VIDEOS, VIDEO_MB)],
  ] as const
) {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
  try {
    const library = await benchLibrary(dir, options);
    for (const mode of benchModes()) await compare(name, dir, library, mode);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
