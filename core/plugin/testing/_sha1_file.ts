/**
 * SHA-1 and size of a small fixture file, for the conformance suites. The host's streaming hasher
 * lives in the engine; the suites keep their own so the contract imports nothing of the host.
 * @module
 */
import { createHash } from "node:crypto";

/** Reads the whole file: suite fixtures are a few bytes. */
export async function sha1File(path: string): Promise<{ sha1: string; size: number }> {
  const bytes = await Deno.readFile(path);
  return { sha1: createHash("sha1").update(bytes).digest("hex"), size: bytes.byteLength };
}
