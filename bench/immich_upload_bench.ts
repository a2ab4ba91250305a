/**
 * Upload throughput to the Immich emulator on loopback: photos-sync importing a library against the
 * official `@immich/cli` uploading exactly the same files, at the same concurrency, each into a
 * fresh emulator, in the same run. For many small photos and for a handful of big videos.
 *
 *   deno run -A bench/immich_upload_bench.ts
 *   BENCH_PHOTOS=2000 BENCH_VIDEOS=4 BENCH_VIDEO_MB=200 BENCH_CONCURRENCY=4 BENCH_RUNS=2 (defaults)
 *
 * photos-sync does more per file than the CLI (XMP metadata, albums, Live Photo links, the tracker);
 * the CLI reads each file twice (hash, then upload) and checks all hashes before it uploads any.
 */
import { join } from "node:path";
import {
  benchLibrary,
  bestOfBoth,
  fetchImmichCli,
  immichCliUpload,
  intoFreshEmulator,
  photosSyncImport,
  speedLine,
} from "./_immich.ts";

const PHOTOS = Number(Deno.env.get("BENCH_PHOTOS") ?? 2000);
const VIDEOS = Number(Deno.env.get("BENCH_VIDEOS") ?? 4);
const VIDEO_MB = Number(Deno.env.get("BENCH_VIDEO_MB") ?? 200);
const CONCURRENCY = String(Deno.env.get("BENCH_CONCURRENCY") ?? 4);
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 3);

async function compare(
  name: string,
  dir: string,
  library: { library: string; files: string; count: number },
) {
  const [ours, peer] = await bestOfBoth(
    RUNS,
    () =>
      intoFreshEmulator((url, key) =>
        photosSyncImport(url, key, {
          library: library.library,
          home: join(dir, "home"),
          concurrency: CONCURRENCY,
        })
      ),
    () =>
      intoFreshEmulator((url, key) =>
        immichCliUpload(url, key, {
          files: library.files,
          configDir: join(dir, "cli-config"),
          concurrency: CONCURRENCY,
        })
      ),
  );
  if (ours.assets !== library.count || peer.assets !== library.count) {
    throw new Error(
      `${name}: expected ${library.count} assets, photos-sync left ${ours.assets}, the CLI ${peer.assets}`,
    );
  }
  console.log(
    speedLine(`${name} (${library.count} files, concurrency ${CONCURRENCY})`, ours, peer, "@immich/cli"),
  );
}

await fetchImmichCli();

for (
  const [name, options] of [
    [`upload ${PHOTOS} photos`, { assets: PHOTOS }],
    [`upload ${VIDEOS} videos of ${VIDEO_MB} MB`, {
      assets: 8 + 20 * Math.ceil(Math.max(0, VIDEOS - 1) / 3),
      videoBytes: VIDEO_MB * 1048576,
      videos: VIDEOS,
    }],
  ] as const
) {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
  try {
    await compare(name, dir, await benchLibrary(dir, options));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
