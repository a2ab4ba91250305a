/**
 * Starts the Immich API emulator on a loopback port.
 *
 * @example
 * ```ts
 * await using immich = await startEmulator({ version: "1.135.3" });
 * Deno.env.set("IMMICH_URL", immich.url);
 * Deno.env.set("IMMICH_API_KEY", immich.apiKey);
 * ```
 * @module
 */
import { Emulator, type EmulatorOptions } from "./app.ts";
import { type Realistic, realistic, type RealisticOptions } from "./_realistic.ts";

export { Emulator, type EmulatorOptions, type FaultRule, type SeenRequest } from "./app.ts";
export { EXTRACT_MS, type RealisticOptions } from "./_realistic.ts";

export interface RunningEmulator extends AsyncDisposable {
  emulator: Emulator;
  /** `http://127.0.0.1:<port>` (the API is under `/api`). */
  url: string;
  /** An API key of the admin user with every permission. */
  apiKey: string;
  /** The realistic mode's own records, when it is on. */
  realistic?: Pick<Realistic, "counts">;
  stop(): Promise<void>;
}

export async function startEmulator(
  options: EmulatorOptions & {
    port?: number;
    hostname?: string;
    /** The work a real server does per upload (see `_realistic.ts`); for benchmarks. */
    realistic?: boolean | RealisticOptions;
  } = {},
): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  const real = options.realistic
    ? await realistic(
      emulator.app.fetch,
      (queue) => emulator.state.paused.has(queue),
      options.realistic === true ? {} : options.realistic,
    )
    : undefined;
  const abort = new AbortController();
  const { promise, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    signal: abort.signal,
    onListen: (addr) => resolve(addr as Deno.NetAddr),
  }, real?.fetch ?? emulator.app.fetch);
  const addr = await promise;
  const stop = async () => {
    abort.abort();
    await server.finished;
    await real?.close();
  };
  return {
    emulator,
    url: `http://${addr.hostname}:${addr.port}`,
    apiKey: emulator.adminKey.secret,
    realistic: real,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
