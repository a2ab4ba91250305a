/** Test helpers for plugin authors: conformance suites and a test context. @module */
export * from "./context.ts";
export * from "./suites.ts";
