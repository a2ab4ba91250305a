/** Measuring helpers shared by the benchmarks: wall time and peak memory of a whole process. */

export interface Measurement {
  seconds: number;
  /** Peak resident memory in MB (from GNU time), when measurable. */
  peakMb?: number;
}

const GNU_TIME = "/usr/bin/time";
const hasGnuTime = (() => {
  try {
    return Deno.statSync(GNU_TIME).isFile;
  } catch {
    return false;
  }
})();

/** Runs a command once and measures it; throws if it fails. */
export async function measure(
  command: string,
  args: string[],
  env?: Record<string, string>,
): Promise<Measurement> {
  const [cmd, argv] = hasGnuTime ? [GNU_TIME, ["-f", "%M", command, ...args]] : [command, args];
  const started = performance.now();
  const out = await new Deno.Command(cmd, { args: argv, env, stdout: "null", stderr: "piped" }).output();
  const seconds = (performance.now() - started) / 1000;
  const stderr = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`${command} ${args.join(" ")} failed (${out.code}):\n${stderr}`);
  const kb = hasGnuTime ? Number(stderr.trim().split("\n").at(-1)) : NaN;
  return { seconds, peakMb: Number.isFinite(kb) ? kb / 1024 : undefined };
}

/** The fastest of `runs` measurements (after `prepare` before each run). */
export async function best(
  runs: number,
  fn: () => Promise<Measurement>,
  prepare: () => Promise<void> = async () => {},
): Promise<Measurement> {
  let result: Measurement | undefined;
  for (let i = 0; i < runs; i++) {
    await prepare();
    const m = await fn();
    if (!result || m.seconds < result.seconds) result = m;
  }
  return result!;
}

/** `name: photos-sync 1.23x peer (0.50 s vs 0.41 s)` — above 1 means photos-sync took longer. */
export function ratioLine(name: string, ours: Measurement, peer: Measurement, peerName: string): string {
  const mem = ours.peakMb ? `, peak ${ours.peakMb.toFixed(0)} MB` : "";
  return `${name}: photos-sync takes ${(ours.seconds / peer.seconds).toFixed(2)}x the time of ${peerName} ` +
    `(${ours.seconds.toFixed(2)} s vs ${peer.seconds.toFixed(2)} s${mem})`;
}
