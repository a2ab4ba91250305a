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
import { startEmulator } from "../tests/immich_emulator/mod.ts";
import { benchLibrary, IMMICH_CLI, MAIN, type Run, speedLine, timed } from "./_immich.ts";

const PHOTOS = Number(Deno.env.get("BENCH_PHOTOS") ?? 2000);
const VIDEOS = Number(Deno.env.get("BENCH_VIDEOS") ?? 4);
const VIDEO_MB = Number(Deno.env.get("BENCH_VIDEO_MB") ?? 200);
const CONCURRENCY = String(Deno.env.get("BENCH_CONCURRENCY") ?? 4);
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 3);

/** One upload into a fresh emulator; returns the time and how many assets it holds after. */
async function into(fn: (url: string, key: string) => Promise<Run>): Promise<Run & { assets: number }> {
  await using server = await startEmulator({ version: "3.2.2" });
  const run = await fn(server.url, server.apiKey);
  return { ...run, assets: server.emulator.state.assets.size };
}

/** The fastest of RUNS runs of each, alternating, so a busy moment of the machine hits both alike. */
async function bestOfBoth(
  ours: () => Promise<Run & { assets: number }>,
  peer: () => Promise<Run & { assets: number }>,
): Promise<[Run & { assets: number }, Run & { assets: number }]> {
  let a: (Run & { assets: number }) | undefined;
  let b: (Run & { assets: number }) | undefined;
  for (let i = 0; i < RUNS; i++) {
    const x = await ours();
    if (!a || x.seconds < a.seconds) a = x;
    const y = await peer();
    if (!b || y.seconds < b.seconds) b = y;
  }
  return [a!, b!];
}

async function compare(
  name: string,
  dir: string,
  library: { library: string; files: string; count: number },
) {
  const home = join(dir, "home");
  const env = { HOME: Deno.env.get("HOME") ?? "", PATH: Deno.env.get("PATH") ?? "" };
  const photosSync = () =>
    into(async (url, key) => {
      await Deno.remove(home, { recursive: true }).catch(() => {});
      return await timed(Deno.execPath(), [
        "run",
        "-A",
        MAIN,
        "import",
        "--home",
        home,
        "--to",
        "immich",
        "--source",
        "photoslibrary",
        "--library",
        library.library,
        "--concurrency",
        CONCURRENCY,
      ], { IMMICH_URL: url, IMMICH_API_KEY: key, ...env });
    });
  const immichCli = () =>
    into((url, key) =>
      timed(Deno.execPath(), [
        "run",
        "-A",
        "--no-config",
        IMMICH_CLI,
        "upload",
        "--recursive",
        "--concurrency",
        CONCURRENCY,
        "--no-progress",
        library.files,
      ], {
        IMMICH_INSTANCE_URL: url,
        IMMICH_API_KEY: key,
        IMMICH_CONFIG_DIR: join(dir, "cli-config"),
        ...env,
      })
    );
  const [ours, peer] = await bestOfBoth(photosSync, immichCli);
  if (ours.assets !== library.count || peer.assets !== library.count) {
    throw new Error(
      `${name}: expected ${library.count} assets, photos-sync left ${ours.assets}, the CLI ${peer.assets}`,
    );
  }
  console.log(
    speedLine(`${name} (${library.count} files, concurrency ${CONCURRENCY})`, ours, peer, "@immich/cli"),
  );
}

// Fetch the CLI once, so its download is not timed.
await new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "--no-config", IMMICH_CLI, "--version"],
  stdout: "null",
})
  .output();

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
