/**
 * `photos-sync serve`: the status endpoint, metrics and live dashboard, read from the tracker
 * while imports, syncs and backups run in other processes.
 * @module
 */
import type { Command } from "./parser.ts";
import { loadConfig } from "../config/mod.ts";
import { ConfigError } from "../plugin/errors.ts";
import { DEFAULT_PORT, startServer } from "../server/mod.ts";
import { isLoopback } from "../server/security.ts";
import { flagValues } from "./flags.ts";
import { type CommandContext, VERSION } from "./command_context.ts";

interface ServeCommandOptions {
  host: string;
  port: string;
  json?: boolean;
}

function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`--port must be a whole number from 0 to 65535, got ${value}`);
  }
  return n;
}

export function registerServe(program: Command, ctx: CommandContext): void {
  program.command("serve")
    .description("status API, Prometheus metrics and a live dashboard, read-only (Ctrl-C to stop)")
    .option(
      "--host <address>",
      "address to listen on; anything but loopback needs PHOTOS_SYNC_SERVE_TOKEN",
      "127.0.0.1",
    )
    .option("--port <n>", `port to listen on (0: any free port)`, String(DEFAULT_PORT))
    .option("--json", "print where it listens as one JSON line on stdout")
    .action(async (opts: ServeCommandOptions, command: Command) => {
      const config = await loadConfig({ flags: flagValues(command), env: ctx.deps.env });
      // Every secret any plugin could be given is masked in what the server sends.
      config.guardSecrets(ctx.deps.plugins);
      ctx.setRedactor(config.redactor);
      const token = config.core["serve-token"] as string | undefined;
      if (token !== undefined && token.length < 16) {
        throw new ConfigError("PHOTOS_SYNC_SERVE_TOKEN is too short; use at least 16 random characters");
      }
      // A stop signal is how serve ends: it stops the server, then exits 130 or 143 like every command.
      // Listening starts before the address is printed, so a signal sent as soon as it is read is caught.
      const stop = new AbortController();
      using _listening = ctx.stops.listen(stop, "serve");
      const server = await startServer({
        home: config.home,
        hostname: opts.host,
        port: portNumber(opts.port),
        token,
        redact: (text) => config.redactor.redact(text),
        version: VERSION,
        onError: (e) => ctx.output.err(`warn serve: ${(e as Error).message}`),
      });
      if (opts.json) {
        ctx.output.out(JSON.stringify({
          url: server.url,
          host: server.addr.hostname,
          port: server.addr.port,
          tokenRequired: Boolean(token),
        }));
      } else {
        ctx.output.out(`photos-sync dashboard on ${server.url} (read-only; Ctrl-C to stop)`);
        ctx.output.out(
          `  API: ${server.url}api/status, live events: ${server.url}api/events, metrics: ${server.url}metrics`,
        );
        if (token) {
          ctx.output.out(
            "  every request needs PHOTOS_SYNC_SERVE_TOKEN: send Authorization: Bearer <token>, " +
              "or open the page once as /?token=<token>",
          );
        }
      }
      if (!isLoopback(opts.host)) {
        ctx.output.err(
          "warn serve: plain HTTP: the token and the status cross the network unencrypted; " +
            "put a TLS reverse proxy in front on networks you do not trust",
        );
      }
      if (!stop.signal.aborted) {
        await new Promise((resolve) => stop.signal.addEventListener("abort", resolve, { once: true }));
      }
      await server.stop();
    });
}
