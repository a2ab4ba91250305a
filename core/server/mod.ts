/**
 * `serve` as a running thing: checks that the address is safe to bind, opens the tracker
 * read-only, listens with `Deno.serve` and shuts down cleanly (event streams end first, so
 * shutdown does not wait on them).
 *
 * @example
 * ```ts
 * const server = await startServer({ home, port: 0 });
 * console.log(server.url); // http://127.0.0.1:41234/
 * await server.stop();
 * ```
 * @module
 */
import { join } from "node:path";
import { makePrivateDir, makeTrackerPrivate } from "../config/private_files.ts";
import { ConfigError } from "../plugin/errors.ts";
import { Tracker } from "../tracker/mod.ts";
import { type AppOptions, createApp } from "./app.ts";
import { isLoopback, isValidListenHost } from "./security.ts";

export { createApp } from "./app.ts";
export type { Snapshot } from "./snapshot.ts";

export interface ServeOptions
  extends Pick<AppOptions, "token" | "redact" | "version" | "pollMs" | "onError"> {
  /** The data directory that holds `tracker.db`. */
  home: string;
  /** Address to listen on (default 127.0.0.1). Anything but loopback needs a token. */
  hostname?: string;
  /** Port (default 8377; 0 picks a free one). */
  port?: number;
}

export interface RunningServer {
  addr: Deno.NetAddr;
  /** Where to point a browser (without the token). */
  url: string;
  /** Resolves when the server has stopped. */
  finished: Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_PORT = 8377;

/** Starts the server; rejects with a ConfigError when the address needs a token or is taken. */
// deno-lint-ignore require-await -- async so that every failure, even a synchronous one, is a rejection
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_PORT;
  if (!isValidListenHost(hostname)) {
    throw new ConfigError(
      `--host ${JSON.stringify(hostname)} is not a valid host name or address; ` +
        `give an address such as 127.0.0.1 or 0.0.0.0, or a name such as localhost`,
    );
  }
  if (!options.token && !isLoopback(hostname)) {
    throw new ConfigError(
      `serving on ${hostname} would let anyone on the network read your library's status; ` +
        `set PHOTOS_SYNC_SERVE_TOKEN (in the environment or <home>/.env) to a long random value, ` +
        `or keep the default --host 127.0.0.1`,
    );
  }
  const path = join(options.home, "tracker.db");
  makePrivateDir(options.home);
  // Creates or upgrades the schema once, then the server reads through a connection that cannot write.
  Tracker.open(path).close();
  makeTrackerPrivate(path);
  const tracker = Tracker.open(path, { readOnly: true });
  const streams = new AbortController();
  const app = createApp({ ...options, tracker, signal: streams.signal });
  let server: Deno.HttpServer<Deno.NetAddr>;
  let addr!: Deno.NetAddr;
  try {
    server = Deno.serve({ hostname, port, onListen: (a) => (addr = a) }, app.fetch);
  } catch (e) {
    tracker.close();
    if (e instanceof Deno.errors.AddrInUse) {
      throw new ConfigError(`port ${port} on ${hostname} is already in use; choose another with --port`);
    }
    if (e instanceof Deno.errors.AddrNotAvailable || e instanceof Deno.errors.PermissionDenied) {
      throw new ConfigError(
        `cannot listen on ${hostname}:${port} (${(e as Error).message}); check --host and --port`,
      );
    }
    throw e;
  }
  addr ??= server.addr;
  const finished = server.finished.finally(() => tracker.close());
  const shown = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return {
    addr,
    url: `http://${shown}:${addr.port}/`,
    finished,
    async stop() {
      streams.abort();
      await server.shutdown();
      await finished;
    },
  };
}
