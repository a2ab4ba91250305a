/**
 * Listing a generated library through `source.photoslibrary`, against the `sqlite3` tool running
 * the very statements the reader runs (the same joins, columns and JSON rows, read-only) on the
 * same file in the same run. The reader does more than the peer: it turns each row into an
 * `Asset` and checks on disk that each file is there. The generated library has no media files, so
 * each folder's read finds nothing; with its files, reading the folders added about 15 ms to a
 * listing of 10,000 assets (113 against 128 ms, one process, stop 27).
 *
 * Printed, for 10,000 and 100,000 assets: the in-process `list()` time and CPU against the peer, the
 * listing alone as a whole process (start-up included) against the peer's whole process,
 * the memory of each (the live heap after collection, flat: only the rows in flight; and the peak
 * RSS), a second listing in the same process, and `photos-sync scan --json` as a whole process.
 *
 *   deno task bench list_library                  # BENCH_ASSETS=20000,200000 to change sizes
 */
import { join } from "node:path";
import { openPhotosDatabase } from "../plugins/source/photoslibrary/_database.ts";
import { listingQuery } from "../plugins/source/photoslibrary/_query.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";

const SIZES = (Deno.env.get("BENCH_ASSETS") ?? "10000,100000").split(",").map(Number);
const RUNS = 3;
const root = new URL("..", import.meta.url).pathname;
const child = join(root, "bench/_list_child.ts");
const main = join(root, "main.ts");

interface Run {
  /** Wall seconds. */
  seconds: number;
  /** User + system CPU seconds. */
  cpu: number;
  peakMb: number;
  stdout: string;
}

/** Runs a command under GNU time (wall, CPU, peak RSS); stdout is kept, or sent to a file. */
async function timed(command: string, args: string[], { stdin, discard = false }: {
  stdin?: string;
  discard?: boolean;
} = {}): Promise<Run> {
  const started = performance.now();
  const process = new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M %U %S", command, ...args],
    stdin: stdin ? "piped" : "null",
    stdout: discard ? "null" : "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = process.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const out = await process.output();
  const seconds = (performance.now() - started) / 1000;
  const stderr = new TextDecoder().decode(out.stderr).trim().split("\n");
  if (!out.success) throw new Error(`${command} ${args.join(" ")} failed:\n${stderr.join("\n")}`);
  const [kb, user, system] = stderr.at(-1)!.split(" ").map(Number);
  return {
    seconds,
    cpu: user + system,
    peakMb: kb / 1024,
    stdout: discard ? "" : new TextDecoder().decode(out.stdout),
  };
}

/**
 * The fastest of RUNS runs of each, by CPU time (the wall clock of a shared machine is noisy), the
 * cases taking turns so that a busy moment of the machine falls on all of them alike.
 */
async function alternated<K extends string>(cases: Record<K, () => Promise<Run>>): Promise<Record<K, Run>> {
  const fastest: Partial<Record<K, Run>> = {};
  for (let i = 0; i < RUNS; i++) {
    for (const name of Object.keys(cases) as K[]) {
      const run = await cases[name]();
      if (!fastest[name] || run.cpu < fastest[name].cpu) fastest[name] = run;
    }
  }
  return fastest as Record<K, Run>;
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);

if (!Deno.statSync("/usr/bin/time").isFile) throw new Error("this benchmark needs GNU time at /usr/bin/time");
const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-list-" });
try {
  const memory: string[] = [];
  for (const size of SIZES) {
    const library = join(dir, `Bench-${size}.photoslibrary`);
    await writeSampleLibrary(library, { assets: size, files: false });
    const database = openPhotosDatabase(library);
    const sql = listingQuery(database.schema).statements.join(";\n") + ";\n";
    database.db.close();

    const { peer, plain, alone, scan } = await alternated({
      peer: () =>
        timed("sqlite3", ["-readonly", join(library, "database", "Photos.sqlite")], {
          stdin: sql,
          discard: true,
        }),
      plain: () => timed(Deno.execPath(), ["run", "-A", child, library, "plain"]),
      alone: () => timed(Deno.execPath(), ["run", "-A", child, library, "single"]),
      scan: () =>
        timed(Deno.execPath(), [
          "run",
          "-A",
          main,
          "scan",
          "--json",
          "--home",
          join(dir, "home"),
          "--library",
          library,
        ], { discard: true }),
    });
    const heap = JSON.parse(
      (await timed(Deno.execPath(), ["run", "-A", "--v8-flags=--expose-gc", child, library, "memory"]))
        .stdout,
    );
    const p = JSON.parse(plain.stdout);
    if (p.first.assets !== size || p.second.assets !== size) throw new Error("a listing missed assets");

    console.log(`\n${size.toLocaleString("en")} assets`);
    console.log(
      `  list(): ${fixed(p.first.seconds)} s wall, ${
        fixed(p.first.cpuSeconds)
      } s CPU; sqlite3 -readonly running ` +
        `the same statements: ${fixed(peer.seconds)} s wall, ${fixed(peer.cpu)} s CPU`,
    );
    console.log(
      `  ratio: photos-sync takes ${fixed(p.first.seconds / peer.seconds)}x the wall time and ` +
        `${fixed(p.first.cpuSeconds / peer.cpu)}x the CPU time of sqlite3 (goal: at most 2x)`,
    );
    console.log(
      `  listing alone as a whole process: ${fixed(alone.seconds)} s wall, ${fixed(alone.cpu)} s CPU: ` +
        `${fixed(alone.seconds / peer.seconds)}x the wall time and ${fixed(alone.cpu / peer.cpu)}x the CPU ` +
        `time of sqlite3 (goal: at most 1.5x)`,
    );
    console.log(
      `  second list() in the same process: ${fixed(p.second.seconds)} s (no command lists twice in a run)`,
    );
    console.log(
      `  photos-sync scan --json > /dev/null: ${fixed(scan.seconds)} s wall, ${fixed(scan.cpu)} s CPU, ` +
        `peak ${fixed(scan.peakMb, 0)} MB (${fixed(scan.seconds / peer.seconds)}x sqlite3, whole process)`,
    );
    const peaks = `list() process ${fixed(plain.peakMb, 0)} MB, scan ${fixed(scan.peakMb, 0)} MB, ` +
      `sqlite3 ${fixed(peer.peakMb, 0)} MB`;
    memory.push(
      `${size.toLocaleString("en")}: live heap ${fixed(heap.liveHeapMb, 1)} MB; peak RSS: ${peaks}`,
    );
  }
  // A heap too small to hold the library: scan only finishes if it keeps no more than the rows in flight.
  const largest = join(dir, `Bench-${SIZES.at(-1)}.photoslibrary`);
  const capped = await timed(Deno.execPath(), [
    "run",
    "-A",
    "--v8-flags=--max-old-space-size=32",
    main,
    "scan",
    "--json",
    "--home",
    join(dir, "home"),
    "--library",
    largest,
  ], { discard: true });
  console.log(
    `\nscan --json of ${
      SIZES.at(-1)!.toLocaleString("en")
    } assets with the JavaScript heap capped at 32 MB: ` +
      `completed in ${fixed(capped.seconds)} s`,
  );
  console.log(
    "\nmemory by library size (the live heap is what the listing keeps; peak RSS adds the runtime and " +
      `the garbage not yet collected):\n  ${memory.join("\n  ")}`,
  );
} finally {
  await Deno.remove(dir, { recursive: true });
}
