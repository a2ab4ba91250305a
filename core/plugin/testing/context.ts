/**
 * A {@link PluginContext} for tests: a temp dir, in-memory state, captured log lines.
 *
 * @example
 * ```ts
 * import { testContext } from "@photos-sync/photos-sync/plugin/testing";
 *
 * await using ctx = await testContext();
 * ctx.log.info("opened");
 * console.assert(ctx.logs.length === 1); // hand `ctx` to `plugin.open(options, ctx)`
 * ```
 * @module
 */
import { httpClient, memoryState, NO_SECRETS, scopedLogger, subprocessRunner } from "../context.ts";
import type { PluginContext } from "../types.ts";

export interface TestContext extends PluginContext, AsyncDisposable {
  /** Every log line as `level message`. */
  logs: string[];
  abort: AbortController;
}

export async function testContext(): Promise<TestContext> {
  const tempDir = await Deno.makeTempDir({ prefix: "photos-sync-test-" });
  const abort = new AbortController();
  const logs: string[] = [];
  return {
    log: scopedLogger("test", (level, _scope, message) => logs.push(`${level} ${message}`)),
    signal: abort.signal,
    tempDir,
    dataDir: tempDir,
    state: memoryState(),
    http: httpClient(abort.signal),
    run: subprocessRunner(NO_SECRETS, abort.signal),
    logs,
    abort,
    async [Symbol.asyncDispose]() {
      abort.abort();
      await Deno.remove(tempDir, { recursive: true }).catch(() => {});
    },
  };
}
