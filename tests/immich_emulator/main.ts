/**
 * Runs the emulator as a process, for benchmarks and tests that need it outside their own:
 *
 *   deno run -A tests/immich_emulator/main.ts [--version 3.2.2] [--port 0] [--store DIR (made if missing)] [--max-body BYTES]
 *
 * Prints one JSON line `{"url": ..., "apiKey": ..., "version": ...}` on stdout once it listens,
 * then serves until it receives SIGTERM or SIGINT. `GET /__emulator/state` shows what it holds;
 * `PUT /__emulator/faults {"rules": [...]}` injects faults.
 * @module
 */
import { startEmulator } from "./mod.ts";

function flag(name: string): string | undefined {
  const at = Deno.args.indexOf(`--${name}`);
  return at >= 0 ? Deno.args[at + 1] : undefined;
}

if (import.meta.main) {
  // Uploads are written there: a folder that is not there would answer every upload with a 500.
  if (flag("store")) await Deno.mkdir(flag("store")!, { recursive: true });
  const running = await startEmulator({
    version: flag("version") ?? "3.2.2",
    port: Number(flag("port") ?? 0),
    storeDir: flag("store"),
    maxBodyBytes: flag("max-body") ? Number(flag("max-body")) : undefined,
  });
  console.log(
    JSON.stringify({ url: running.url, apiKey: running.apiKey, version: running.emulator.version }),
  );
  const stop = () => running.stop().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGTERM", stop);
  Deno.addSignalListener("SIGINT", stop);
}
