/**
 * Start-up: whole photos-sync processes that do (almost) nothing, against a Deno program that only
 * prints a line, run the same way (`deno run`, with the V8 flags of the compiled binary), best of
 * `BENCH_RUNS` alternating runs each, with the peak memory of each (GNU time). The target is 1.5x.
 * `--help` and `<command> --help` answer from generated text (`core/cli/quick_help.ts`) when stdout
 * is not a terminal, as here, `--version` from the constant; the other cases load the parser, the
 * command and the plugins they use. Each case is measured from the sources (`deno run main.ts`) and
 * from the bundle (`deno task bundle`'s output, built into the temp folder first).
 *
 * With `BENCH_BEFORE` set to another checkout's `main.ts` (e.g. a worktree of the main branch),
 * that one is measured too, alternating with this one and the peer: before and after in one run.
 *
 *   deno task bench startup
 *   BENCH_ASSETS=20 BENCH_RUNS=5 (defaults)
 *   BENCH_BEFORE=/work/wt/base/main.ts deno task bench startup
 */
import { dirname, join } from "node:path";
import { buildBundle } from "../core/bundle_build.ts";
import { V8_FLAGS } from "../core/schedule/launcher.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { MAIN } from "./_immich.ts";
import { measure, type Measurement as Run } from "./_measure.ts";

const ASSETS = Number(Deno.env.get("BENCH_ASSETS") ?? 20);
const RUNS = Number(Deno.env.get("BENCH_RUNS") ?? 5);
const BEFORE = Deno.env.get("BENCH_BEFORE");

const dir = await Deno.makeTempDir({ prefix: "photos-sync-bench-" });
try {
  const hello = join(dir, "hello.ts");
  await Deno.writeTextFile(hello, 'console.log("hello");\n');
  const library = (await writeSampleLibrary(join(dir, "Small.photoslibrary"), { assets: ASSETS })).path;
  const home = join(dir, "home");
  const env = { HOME: dir, PATH: Deno.env.get("PATH") ?? "" };
  const deno = (args: string[]) => () =>
    measure(Deno.execPath(), ["run", "-A", `--v8-flags=${V8_FLAGS}`, ...args], env);
  const bundle = join(dir, "bundle");
  await buildBundle(bundle);
  const ours = (args: string[]) => deno([MAIN, "--home", home, ...args]);
  const bundled = (args: string[]) => deno([join(bundle, "bundle.js"), "--home", home, ...args]);
  // The other checkout runs with its own configuration (import map, lock file, node_modules).
  const before = (args: string[]) =>
    BEFORE
      ? deno(["--config", join(dirname(BEFORE), "deno.json"), BEFORE, "--home", home, ...args])
      : undefined;
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
  const cases: [string, string[]][] = [
    ["--help", ["--help"]],
    ["--version", ["--version"]],
    ["import --help", ["import", "--help"]],
    ["status --tracker-only", ["status", "--tracker-only"]],
    [`no-op import of ${ASSETS} assets`, noop],
  ];
  const baseline = deno([hello]);
  const seconds = (runs: Run[]) => runs.map((r) => r.seconds).sort((a, b) => a - b);
  for (const [name, args] of cases) {
    const runs: Record<"ours" | "bundled" | "before" | "peer", Run[]> = {
      ours: [],
      bundled: [],
      before: [],
      peer: [],
    };
    const beforeRun = before(args);
    for (let i = 0; i < RUNS; i++) {
      runs.ours.push(await ours(args)());
      runs.bundled.push(await bundled(args)());
      if (beforeRun) runs.before.push(await beforeRun());
      runs.peer.push(await baseline());
    }
    const peer = seconds(runs.peer)[0];
    const line = (label: string, of: Run[]) => {
      const s = seconds(of);
      const peak = of.find((r) => r.seconds === s[0])?.peakMb;
      return `${label} ${(s[0] / peer).toFixed(2)}x (best ${s[0].toFixed(3)} s, worst ${
        s.at(-1)!.toFixed(3)
      } s, ` +
        `peak ${peak?.toFixed(0) ?? "?"} MB)`;
    };
    const peerPeak = runs.peer.find((r) => r.seconds === peer)?.peakMb;
    console.log(
      `${name}: photos-sync takes, of the time of a one-line Deno program (best ${peer.toFixed(3)} s, ` +
        `peak ${peerPeak?.toFixed(0) ?? "?"} MB): ${line("sources", runs.ours)}; ` +
        line("bundle", runs.bundled) +
        (BEFORE ? `; ${line("before", runs.before)}` : ""),
    );
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
