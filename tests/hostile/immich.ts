/** Hostile cases: an Immich destination that is not what the user thinks it is. */
import type { HostileCall, HostileCase, World } from "../_hostile.ts";
import { startEmulator } from "../immich_emulator/mod.ts";

/** A local HTTP server that answers every request with `body` of `type`, like a router or a web app. */
function answering(type: string, body: string) {
  return (w: World): Promise<HostileCall> => {
    const { promise, resolve } = Promise.withResolvers<number>();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: ({ port }) => resolve(port) },
      () => new Response(body, { headers: { "content-type": type } }),
    );
    return promise.then((port) => ({
      args: immichImport(w),
      env: { IMMICH_URL: `http://127.0.0.1:${port}`, IMMICH_API_KEY: "some-key" },
      cleanup: () => server.shutdown(),
    }));
  };
}

function immichImport(w: World): string[] {
  return ["import", "--home", w.home, "--source", "photoslibrary", "--library", w.library, "--to", "immich"];
}

export const CASES: HostileCase[] = [
  {
    name: "IMMICH_URL answers an HTML page (a web app, a router, a proxy's login page)",
    setup: answering("text/html; charset=utf-8", "<!DOCTYPE html><html><body>Welcome</body></html>"),
    code: 2,
    firstLine:
      /http:\/\/127\.0\.0\.1:\d+ does not answer as an Immich server .*an HTML page.*check IMMICH_URL/,
  },
  {
    name: "IMMICH_URL answers JSON that is not Immich's",
    setup: answering("application/json", '{"status":"ok","service":"something else"}'),
    code: 2,
    firstLine: /does not answer as an Immich server .*check IMMICH_URL/,
  },
  {
    name: "IMMICH_API_KEY is not a key of that Immich server",
    setup: async (w) => {
      const server = await startEmulator({ version: "1.135.3" });
      return {
        args: immichImport(w),
        env: { IMMICH_URL: server.url, IMMICH_API_KEY: "not-a-real-key" },
        cleanup: async () => await server[Symbol.asyncDispose](),
      };
    },
    code: 2,
    firstLine: /Immich refused the API key .*401: Invalid API key.*set IMMICH_API_KEY/,
  },
  {
    name: "IMMICH_URL is not an http address",
    setup: (w) => ({
      args: immichImport(w),
      env: { IMMICH_URL: "ftp://nas:2283", IMMICH_API_KEY: "a-long-enough-key" },
    }),
    code: 2,
    firstLine: /IMMICH_URL must be the server's address, e.g\. http:\/\/nas:2283, got "ftp:\/\/nas:2283"/,
  },
];
