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

export { Emulator, type EmulatorOptions, type FaultRule, type SeenRequest } from "./app.ts";

export interface RunningEmulator extends AsyncDisposable {
  emulator: Emulator;
  /** `http://127.0.0.1:<port>` (the API is under `/api`). */
  url: string;
  /** An API key of the admin user with every permission. */
  apiKey: string;
  stop(): Promise<void>;
}

export async function startEmulator(
  options: EmulatorOptions & { port?: number; hostname?: string } = {},
): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  const abort = new AbortController();
  const { promise, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    signal: abort.signal,
    onListen: (addr) => resolve(addr as Deno.NetAddr),
  }, emulator.app.fetch);
  const addr = await promise;
  const stop = async () => {
    abort.abort();
    await server.finished;
  };
  return {
    emulator,
    url: `http://${addr.hostname}:${addr.port}`,
    apiKey: emulator.adminKey.secret,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
