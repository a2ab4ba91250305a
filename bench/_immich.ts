/**
 * What the Immich benchmarks share: a sample library with big videos, the list of files an import
 * sends (for the peer to upload the very same files), the official CLI, and peak memory of a
 * process read from /proc while it runs.
 */
import { join } from "node:path";
import { V8_FLAGS } from "../core/schedule/launcher.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { EXTRACT_MS, startEmulator } from "../tests/immich_emulator/mod.ts";

export const MAIN = new URL("../main.ts", import.meta.url).pathname;
export const IMMICH_CLI = "npm:@immich/cli@3.2.2";

/** `BENCH_CONCURRENCY` runs both tools at that number; unset, photos-sync at its default and the CLI at 4. */
export const BENCH_CONCURRENCY = Deno.env.get("BENCH_CONCURRENCY") || undefined;
/** The CLI's concurrency in a comparison (4, as the real server was measured: its default is a core but one). */
export const CLI_CONCURRENCY = BENCH_CONCURRENCY ?? "4";
/** How a result line names the concurrency of each side. */
export const CONCURRENCY_TEXT = BENCH_CONCURRENCY
  ? `concurrency ${BENCH_CONCURRENCY}`
  : "photos-sync's default concurrency, the CLI's 4";

export interface Run {
  seconds: number;
  /** Peak resident memory of the process in MB (VmHWM), when /proc has it. */
  peakMb?: number;
  /** CPU seconds (user + system) the process used, when /proc has it. */
  cpuSeconds?: number;
}

/** Runs a command to the end, measuring wall time and the process's peak memory; throws on failure. */
export async function timed(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = performance.now();
  const child = new Deno.Command(command, {
    args,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let peakKb = 0;
  let ticks = 0;
  let done = false;
  const poll = (async () => {
    while (!done) {
      try {
        const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
        const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (kb > peakKb) peakKb = kb;
        // utime and stime, fields 14 and 15, after the command name in parentheses.
        const stat = (await Deno.readTextFile(`/proc/${child.pid}/stat`)).split(") ")[1].split(" ");
        ticks = Math.max(ticks, Number(stat[11]) + Number(stat[12]));
      } catch {
        // The process is gone or /proc is not there.
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const out = await child.output();
  done = true;
  await poll;
  const seconds = (performance.now() - started) / 1000;
  if (out.code !== 0) {
    const d = new TextDecoder();
    throw new Error(
      `${command} ${args.join(" ")} failed (${out.code}):\n${d.decode(out.stdout)}\n${d.decode(out.stderr)}`,
    );
  }
  return {
    seconds,
    peakMb: peakKb > 0 ? peakKb / 1024 : undefined,
    cpuSeconds: ticks > 0 ? ticks / 100 : undefined,
  };
}

/** Writes `size` bytes of incompressible, file-unique data to `path`, 8 MiB at a time. */
export async function writeBigFile(path: string, size: number, salt: number): Promise<void> {
  const block = new Uint8Array(Math.min(8 << 20, size));
  for (let i = 0; i < block.length; i += 65536) crypto.getRandomValues(block.subarray(i, i + 65536));
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (let written = 0, n = 0; written < size; n++) {
    const chunk = block.subarray(0, Math.min(block.length, size - written));
    // At the end, so a file's own head written over its start keeps it unique.
    new DataView(chunk.buffer).setUint32(chunk.length - 4, salt * 100_000 + n);
    for (let off = 0; off < chunk.length;) off += await file.write(chunk.subarray(off));
    written += chunk.length;
  }
}

/** Grows a file to `size` bytes of incompressible data after its own head (so its type still reads). */
async function padFile(path: string, size: number, salt: number): Promise<void> {
  const head = await Deno.readFile(path);
  await writeBigFile(path, Math.max(size, head.length), salt);
  using file = await Deno.open(path, { write: true });
  for (let off = 0; off < head.length;) off += await file.write(head.subarray(off));
}

interface ScannedAsset {
  id?: string;
  kind: string;
  trashed: boolean;
  resources: { role: string; path: string; present: boolean }[];
}

/** The assets of a library as `scan --json` reports them. */
export async function scan(library: string, home: string): Promise<ScannedAsset[]> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "scan",
      "--home",
      home,
      "--source",
      "photoslibrary",
      "--library",
      library,
      "--json",
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  return new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l)).filter((a) =>
    a.id
  );
}

/**
 * The options of a {@link benchLibrary} holding `videos` videos of `mb` MB: the smallest sample
 * library with that many (its first 8 assets hold one video, each 20 more three), the rest of
 * it small photos. The upload and memory benchmarks import the same one.
 */
export function videoLibrary(
  videos: number,
  mb: number,
): { assets: number; videos: number; videoBytes: number } {
  return { assets: 8 + 20 * Math.ceil(Math.max(0, videos - 1) / 3), videos, videoBytes: mb * 1048576 };
}

/**
 * A sample library; with `videoBytes`, each video original is replaced by that many bytes, and with
 * `photoBytes` each photo original (camera JPEGs are about 1.4 MB; the sample's are tiny). Also
 * returns a folder of hard links to exactly the files an import sends (originals and motion
 * videos of assets not in Recently Deleted), for the peer to upload.
 */
export async function benchLibrary(
  dir: string,
  options: { assets: number; videoBytes?: number; videos?: number; photoBytes?: number },
): Promise<{ library: string; files: string; count: number; bytes: number }> {
  const sample = await writeSampleLibrary(join(dir, "Bench.photoslibrary"), { assets: options.assets });
  const assets = await scan(sample.path, join(dir, "scan-home"));
  let videos = 0;
  if (options.videoBytes) {
    for (const a of assets) {
      if (a.kind !== "video" || a.trashed || videos >= (options.videos ?? Infinity)) continue;
      await padFile(a.resources.find((r) => r.role === "original")!.path, options.videoBytes, ++videos);
    }
  }
  if (options.photoBytes) {
    let photos = 0;
    for (const a of assets.filter((a) => a.kind !== "video" && !a.trashed)) {
      const original = a.resources.find((r) => r.role === "original" && r.present);
      if (original) await padFile(original.path, options.photoBytes, 1000 + ++photos);
    }
  }
  const files = join(dir, "files");
  await Deno.mkdir(files);
  let count = 0;
  let bytes = 0;
  for (const a of assets.filter((a) => !a.trashed)) {
    for (const r of a.resources.filter((r) => r.present && (r.role === "original" || r.role === "motion"))) {
      const name = r.path.split("/").at(-1)!;
      await Deno.link(r.path, join(files, `${count++}_${name}`));
      bytes += (await Deno.stat(r.path)).size;
    }
  }
  return { library: sample.path, files, count, bytes };
}

/** `name: photos-sync 1.62x as fast as @immich/cli (1.23 s vs 2.00 s)`. */
export function speedLine(name: string, ours: Run, peer: Run, peerName: string): string {
  return `${name}: photos-sync ${(peer.seconds / ours.seconds).toFixed(2)}x as fast as ${peerName} ` +
    `(${ours.seconds.toFixed(2)} s vs ${peer.seconds.toFixed(2)} s)`;
}

/**
 * A run with the number of assets the emulator held after it, whether it paused the server's jobs,
 * and the CPU seconds of the emulator's request thread during it.
 */
export type Landed = Run & { assets: number; paused: boolean; serverCpu?: number };

/** How the emulator takes uploads: at once, or doing a real server's work (`_realistic.ts`). */
export type Mode = "plain" | "realistic";

/** The modes a benchmark runs under (`BENCH_MODES`, comma-separated; both by default). */
export function benchModes(fallback = "plain,realistic"): Mode[] {
  const modes = (Deno.env.get("BENCH_MODES") ?? fallback).split(",").map((m) => m.trim());
  for (const m of modes) if (m !== "plain" && m !== "realistic") throw new Error(`no emulator mode ${m}`);
  return modes as Mode[];
}

/** `realistic (metadata extraction 40 ms of CPU per asset)`, for the benchmark's output. */
export const modeLabel = (mode: Mode) =>
  mode === "plain"
    ? "plain emulator"
    : `realistic emulator (metadata extraction ${EXTRACT_MS} ms of CPU per asset)`;

/** One run into a fresh emulator (in this process, so it is not part of what is measured). */
export async function intoFreshEmulator(
  fn: (url: string, key: string) => Promise<Run>,
  mode: Mode = "plain",
): Promise<Landed> {
  await using server = await startEmulator({ version: "3.2.2", realistic: mode === "realistic" });
  const before = requestThreadCpu();
  const run = await fn(server.url, server.apiKey);
  const after = requestThreadCpu();
  const paused = server.emulator.count(/^PUT \/api\/(queues|jobs)\//) > 0;
  const serverCpu = before !== undefined && after !== undefined ? after - before : undefined;
  return { ...run, assets: server.emulator.state.assets.size, paused, serverCpu };
}

/**
 * CPU seconds of this process's main thread, where the emulator takes every request, parses,
 * hashes and answers (the extraction worker and the threads that write files are not counted); a
 * server as single-threaded as Immich's API sets the pace once this nears the run's wall time.
 */
function requestThreadCpu(): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/self/task/${Deno.pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined; // no /proc
  }
}

/** `server thread busy 93% of the run`: how near the emulator was to setting the pace. */
export const serverBusy = (run: Landed) =>
  run.serverCpu === undefined
    ? "server thread busy ?"
    : `server thread busy ${(100 * run.serverCpu / run.seconds).toFixed(0)}% of the run`;

/** The fastest of `runs` runs of each, alternating, so a busy moment of the machine hits both alike. */
export async function bestOfBoth(
  runs: number,
  ours: () => Promise<Landed>,
  peer: () => Promise<Landed>,
): Promise<[Landed, Landed]> {
  let a: Landed | undefined;
  let b: Landed | undefined;
  for (let i = 0; i < runs; i++) {
    const x = await ours();
    if (!a || x.seconds < a.seconds) a = x;
    const y = await peer();
    if (!b || y.seconds < b.seconds) b = y;
  }
  return [a!, b!];
}

const inherited = () => ({ HOME: Deno.env.get("HOME") ?? "", PATH: Deno.env.get("PATH") ?? "" });

/**
 * `photos-sync import` of a Photos library into Immich at `url`, with a fresh tracker in `home`;
 * with `V8_FLAGS`, as the compiled binary and the launcher run it, unless `v8Flags` says otherwise.
 */
export async function photosSyncImport(
  url: string,
  key: string,
  options: {
    library: string;
    home: string;
    /** Unset: photos-sync's default. */
    concurrency?: string;
    v8Flags?: string;
    args?: string[];
    env?: Record<string, string>;
  },
): Promise<Run> {
  await Deno.remove(options.home, { recursive: true }).catch(() => {});
  return await timed(Deno.execPath(), [
    "run",
    "-A",
    // As the compiled binary runs unless told otherwise ("" for V8's defaults).
    ...((options.v8Flags ?? V8_FLAGS) ? [`--v8-flags=${options.v8Flags ?? V8_FLAGS}`] : []),
    MAIN,
    "import",
    "--home",
    options.home,
    "--to",
    "immich",
    "--source",
    "photoslibrary",
    "--library",
    options.library,
    ...(options.concurrency ? ["--concurrency", options.concurrency] : []),
    ...(options.args ?? []),
  ], { IMMICH_URL: url, IMMICH_API_KEY: key, ...inherited(), ...options.env });
}

/**
 * The official CLI uploading a folder to Immich at `url` (under Deno: it needs Node 22, which Deno
 * stands in for). Call {@link fetchImmichCli} first, so its download is not timed.
 */
export function immichCliUpload(
  url: string,
  key: string,
  options: { files: string; configDir: string; concurrency: string },
): Promise<Run> {
  return timed(Deno.execPath(), [
    "run",
    "-A",
    "--no-config",
    IMMICH_CLI,
    "upload",
    "--recursive",
    "--concurrency",
    options.concurrency,
    "--no-progress",
    options.files,
  ], { IMMICH_INSTANCE_URL: url, IMMICH_API_KEY: key, IMMICH_CONFIG_DIR: options.configDir, ...inherited() });
}

/** Fetches the official CLI into Deno's cache. */
export async function fetchImmichCli(): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-config", IMMICH_CLI, "--version"],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`cannot run ${IMMICH_CLI}: ${new TextDecoder().decode(out.stderr)}`);
}
