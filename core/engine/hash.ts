/**
 * The engine's streaming SHA-1, kept in `core/model/hash.ts` so that the conformance suites in
 * `core/plugin/testing/` hash fixtures without importing the engine.
 * @module
 */
export { hashFile } from "../model/hash.ts";
