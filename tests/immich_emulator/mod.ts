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
  /**
   * Resolves once no request is being handled: what a killed client had sent is then done, as on a
   * real server by the time a user starts the next run.
   */
  idle(): Promise<void>;
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
  const handler: Deno.ServeHandler = real?.fetch ?? emulator.app.fetch;
  let handling = 0;
  const idleWaiters: (() => void)[] = [];
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    signal: abort.signal,
    onListen: (addr) => resolve(addr as Deno.NetAddr),
  }, async (request, info) => {
    handling++;
    try {
      return await handler(request, info);
    } finally {
      if (--handling === 0) { for (const wake of idleWaiters.splice(0)) wake(); }
    }
  });
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
    idle: () => handling === 0 ? Promise.resolve() : new Promise((wake) => idleWaiters.push(wake)),
    [Symbol.asyncDispose]: stop,
  };
}
