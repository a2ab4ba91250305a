/** Helpers shared by the end-to-end tests of the cold tier (`archive --cold`, `unarchive` from cold). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli } from "./_cli.ts";
import { env, importArgs } from "./_immich.ts";
import { startEmulator } from "./immich_emulator/mod.ts";

/** Where a command finds the tracker, the destination and the library. */
export const placeArgs = (home: string, library: string) => [
  "--home",
  home,
  "--to",
  "immich",
  "--source",
  "photoslibrary",
  "--library",
  library,
];

/** The environment that points the Glacier target at an S3 endpoint, with its crypt secrets. */
export const glacierEnv = (
  s3: { bucket: string; endpoint: string },
  secrets: { password: string; salt: string },
) => ({
  BACKUP_CREDENTIALS: "env",
  PHOTOS_SYNC_GLACIER_BUCKET_NAME: s3.bucket,
  PHOTOS_SYNC_GLACIER_ENDPOINT: s3.endpoint,
  PHOTOS_SYNC_GLACIER_ACCESS_KEY_ID: "AKIATESTKEY01",
  PHOTOS_SYNC_GLACIER_SECRET_ACCESS_KEY: "secret-key-test",
  PHOTOS_SYNC_GLACIER_ENCRYPTION_PASSWORD: secrets.password,
  PHOTOS_SYNC_GLACIER_ENCRYPTION_SALT: secrets.salt,
});

/** The sample library imported into a fresh emulator (the caller disposes of the server). */
export async function importedSample(dir: string) {
  const server = await startEmulator();
  const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
  const home = join(dir, "home");
  const run = await cli(importArgs(home, sample.path), env(server));
  assert.equal(run.code, 0, run.stderr);
  return { server, sample, home };
}
