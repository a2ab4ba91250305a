/**
 * Start-up: whole photos-sync processes that do (almost) nothing, against a Deno program that only
 * prints a line, run the same way (`deno run`, with the V8 flags of the compiled binary), best of
 * `BENCH_RUNS` alternating runs each, with the peak memory of each (GNU time). The target is 1.5x.
 * `--help` and `<command> --help` answer from generated text (`core/cli/quick_help.ts`) when stdout
 * is not a terminal, as here; the other cases load the parser, the command and the plugins they use.
 *
 *   deno task bench startup
 *   BENCH_ASSETS=20 BENCH_RUNS=5 (defaults)
 */
import { join } from "node:path";
import { V8_FLAGS } from "../core/schedule/launcher.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { MAIN } from "./_immich.ts";
import { measure, type Measurement as Run } from "./_measure.ts";

const ASSETS = Number(Deno.env.get("BENCH_ASSETS") ?? 20);
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 5);

const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
try {
  const hello = join(dir, "hello.ts");
  await Deno.writeTextFile(hello, 'console.log("hello");\n');
  const library = (await writeSampleLibrary(join(dir, "Small.photoslibrary"), { assets: ASSETS })).path;
  const home = join(dir, "home");
  const env = { HOME: dir, PATH: Deno.env.get("PATH") ?? "" };
  const deno = (args: string[]) => () =>
    measure(Deno.execPath(), ["run", "-A", `--v8-flags=${V8_FLAGS}`, ...args], env);
  const ours = (args: string[]) => deno([MAIN, "--home", home, ...args]);
  const noop = [
    "import",
    "--source",
    "photoslibrary",
    "--library",
    library,
    "--to",
    "folder",
    "--folder-path",
    join(dir, "out"),
  ];
  // The first import copies the library; the measured ones find nothing to do.
  await ours(noop)();
  const cases: [string, () => Promise<Run>][] = [
    ["--help", ours(["--help"])],
    ["import --help", ours(["import", "--help"])],
    ["status --tracker-only", ours(["status", "--tracker-only"])],
    [`no-op import of ${ASSETS} assets`, ours(noop)],
  ];
  const baseline = deno([hello]);
  for (const [name, run] of cases) {
    let best: Run | undefined;
    let peer: Run | undefined;
    for (let i = 0; i < RUNS; i++) {
      const a = await run();
      if (!best || a.seconds < best.seconds) best = a;
      const b = await baseline();
      if (!peer || b.seconds < peer.seconds) peer = b;
    }
    console.log(
      `${name}: photos-sync takes ${(best!.seconds / peer!.seconds).toFixed(2)}x the time of a one-line ` +
        `Deno program (${best!.seconds.toFixed(3)} s vs ${peer!.seconds.toFixed(3)} s; peak ${
          best!.peakMb?.toFixed(0) ?? "?"
        } MB vs ${peer!.peakMb?.toFixed(0) ?? "?"} MB)`,
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
