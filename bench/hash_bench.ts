/**
 * Hashing speed: the engine's streaming SHA-1 (`core/engine/hash.ts`, what every imported file goes
 * through) against `sha1sum` on the same large file, both with the file in the page cache.
 *
 *   deno run -A bench/hash_bench.ts        (BENCH_HASH_MB=1024 by default)
 */
import { hashFile } from "../core/engine/hash.ts";
import { writeBigFile } from "./_immich.ts";

const MB = Number(Deno.env.get("BENCH_HASH_MB") ?? 1024);
const RUNS = 3;
const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
try {
  const path = `${dir}/big.bin`;
  await writeBigFile(path, MB * 1048576, 1);
  let ours = Infinity;
  let peer = Infinity;
  let ourSum = "";
  let theirSum = "";
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    ourSum = (await hashFile(path)).sha1;
    ours = Math.min(ours, (performance.now() - t) / 1000);
    t = performance.now();
    const out = await new Deno.Command("sha1sum", { args: [path], stdout: "piped" }).output();
    peer = Math.min(peer, (performance.now() - t) / 1000);
    theirSum = new TextDecoder().decode(out.stdout).split(" ")[0];
  }
  if (ourSum !== theirSum) throw new Error(`the hashes differ: ${ourSum} vs ${theirSum}`);
  console.log(
    `hash ${MB} MB: photos-sync runs at ${(peer / ours).toFixed(2)}x the speed of sha1sum ` +
      `(${ours.toFixed(2)} s vs ${peer.toFixed(2)} s, ${(MB / ours).toFixed(0)} MB/s)`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
