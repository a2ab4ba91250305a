/**
 * A whole library imported into the Immich emulator: photos-sync (`import --source photoslibrary
 * --to immich`) reading a generated library of 10,000 assets, against the official `@immich/cli`
 * uploading the very same originals and motion videos from a folder, each into a fresh emulator,
 * alternating, at the same concurrency. Prints the throughput of each (Immich assets created per
 * second), its CPU time and its peak memory (VmHWM of the whole process), and the ratios.
 *
 *   deno task bench immich_import_10k
 *   BENCH_ASSETS=10000 BENCH_CONCURRENCY=4,16 BENCH_RUNS=2 BENCH_MODES=plain,realistic (defaults)
 *
 * photos-sync does more for each asset than the CLI: it reads the Photos database, plans each asset,
 * sends metadata as an XMP sidecar, links Live Photos, fills albums and records everything in its
 * tracker. The CLI, which runs under Deno here (it needs Node 22), reads a folder. On loopback each
 * of the CLI's uploads waits for the network far longer than it computes, so its throughput grows
 * with concurrency; both concurrencies are measured to show it.
 */
import { join } from "node:path";
import {
  benchLibrary,
  benchModes,
  bestOfBoth,
  fetchImmichCli,
  immichCliUpload,
  intoFreshEmulator,
  type Landed,
  modeLabel,
  photosSyncImport,
  serverBusy,
} from "./_immich.ts";

const ASSETS = Number(Deno.env.get("BENCH_ASSETS") ?? 10_000);
const CONCURRENCIES = (Deno.env.get("BENCH_CONCURRENCY") ?? "4,16").split(",").map((c) => c.trim());
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 2);

const perSecond = (run: Landed) => run.assets / run.seconds;
const describe = (run: Landed) =>
  `${perSecond(run).toFixed(0)} assets/s (${run.seconds.toFixed(1)} s), peak ${
    run.peakMb?.toFixed(0) ?? "?"
  } MB, CPU ${run.cpuSeconds?.toFixed(1) ?? "?"} s, ${serverBusy(run)}`;

await fetchImmichCli();
const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
try {
  const library = await benchLibrary(dir, { assets: ASSETS });
  for (const mode of benchModes()) {
    for (const concurrency of CONCURRENCIES) {
      const [ours, peer] = await bestOfBoth(
        RUNS,
        () =>
          intoFreshEmulator((url, key) =>
            photosSyncImport(url, key, {
              library: library.library,
              home: join(dir, "home"),
              concurrency,
            }), mode),
        () =>
          intoFreshEmulator((url, key) =>
            immichCliUpload(url, key, {
              files: library.files,
              configDir: join(dir, "cli-config"),
              concurrency,
            }), mode),
      );
      if (ours.assets !== library.count || peer.assets !== library.count) {
        throw new Error(
          `expected ${library.count} Immich assets, photos-sync made ${ours.assets}, the CLI ${peer.assets}`,
        );
      }
      const name = `import ${ASSETS} assets (${library.count} files, concurrency ${concurrency}, ${
        modeLabel(mode)
      })`;
      console.log(`${name}:`);
      console.log(`  photos-sync  ${describe(ours)}`);
      console.log(`  @immich/cli  ${describe(peer)}`);
      const memory = ours.peakMb && peer.peakMb
        ? `, ${(ours.peakMb / peer.peakMb).toFixed(2)}x its peak memory`
        : "";
      console.log(
        `${name}: photos-sync ${
          (perSecond(ours) / perSecond(peer)).toFixed(2)
        }x the throughput of @immich/cli${memory}`,
      );
    }
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
