/**
 * Test helpers for plugin authors: conformance suites per plugin kind, fixtures with real files,
 * and a test context.
 *
 * @example
 * ```ts
 * import { destinationSuite } from "./mod.ts";
 * import plugin from "../../../examples/manifest_destination/plugin.ts";
 * Deno.test("my destination conforms", async (t) => {
 *   const dir = await Deno.makeTempDir();
 *   await destinationSuite(t, plugin, { options: { dir } });
 *   await Deno.remove(dir, { recursive: true });
 * });
 * ```
 * @module
 */
export * from "./context.ts";
export * from "./destination_suite.ts";
export type { BackupSuiteOptions } from "./_backup_steps.ts";
export * from "./fixtures.ts";
export * from "./handler_suite.ts";
export * from "./source_suite.ts";
