/**
 * Where the shared, read-only test data lives: `../shared` beside the repository (real Photos
 * libraries, iPhone media, Immich recordings). Tests that need it skip on a machine without it, but
 * under CI its absence is an error, so that a missing checkout can never pass as skipped tests.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const SHARED = fileURLToPath(new URL("../../shared/", import.meta.url));
export const LIBRARIES = `${SHARED}testdata/photoslibraries/`;
export const MEDIA = `${SHARED}testdata/media/`;
export const IMMICH = `${SHARED}immich/`;

export const HAS_SHARED = existsSync(`${SHARED}testdata`);
if (!HAS_SHARED && Deno.env.get("CI")) {
  throw new Error(`CI needs the shared test data at ${SHARED} (../shared beside the repository)`);
}
