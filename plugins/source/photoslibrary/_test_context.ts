/**
 * Test helpers private to this folder: a fake {@link PluginContext} and a sample library in a
 * temp dir. Both clean up after themselves in the caller's `finally`.
 *
 * @example
 * ```ts
 * const ctx = await createTestContext();
 * try { await plugin.open({ library }, ctx); } finally { await ctx.dispose(); }
 * ```
 * @module
 */
import { join } from "node:path";
import type { PluginContext, StateStore } from "../../../core/plugin/types.ts";
import { type SampleLibraryInfo, type SampleLibraryOptions, writeSampleLibrary } from "./sample_library.ts";

/** A context whose run can be cancelled and whose temp dirs go away with `dispose()`. */
export interface TestContext extends PluginContext {
  abort: AbortController;
  /** Every line logged through `log`, in order. */
  logged: { level: string; message: string }[];
  dispose(): Promise<void>;
}

/** A quiet context: recorded log, Map-based state, real fetch, and a runner that refuses to run. */
export async function createTestContext(): Promise<TestContext> {
  const tempDir = await Deno.makeTempDir({ prefix: "photoslibrary-ctx-" });
  const abort = new AbortController();
  const values = new Map<string, unknown>();
  const state: StateStore = {
    get: <T>(key: string) => values.get(key) as T | undefined,
    set: (key, value) => void values.set(key, value),
    delete: (key) => void values.delete(key),
  };
  const logged: TestContext["logged"] = [];
  const record = (level: string) => (message: string) => void logged.push({ level, message });
  return {
    log: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") },
    logged,
    signal: abort.signal,
    tempDir,
    dataDir: tempDir,
    state,
    http: (input, init) => fetch(input, init),
    run: (command) => Promise.reject(new Error(`tests must not run programs (asked for ${command})`)),
    abort,
    async dispose() {
      abort.abort();
      await Deno.remove(tempDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Writes a sample library into a fresh temp dir, runs `fn`, and removes the dir. */
export async function withSampleLibrary<T>(
  fn: (info: SampleLibraryInfo) => Promise<T> | T,
  options: SampleLibraryOptions = {},
): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "photoslibrary-test-" });
  try {
    return await fn(await writeSampleLibrary(join(root, "Sample.photoslibrary"), options));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
