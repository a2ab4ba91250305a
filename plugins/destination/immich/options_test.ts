import assert from "node:assert/strict";
import { ConfigError } from "../../../core/plugin/errors.ts";
import { resolveOptions } from "../../../core/plugin/options.ts";
import immich from "./mod.ts";

const layers = (env: Record<string, string>) => ({
  flags: {},
  env: { PHOTOS_SYNC_IMMICH_URL: "http://nas:2283", PHOTOS_SYNC_IMMICH_API_KEY: "key-long-enough", ...env },
  envFile: {},
});

Deno.test("destination.immich declares its timeout's range, so the host refuses 0 seconds before open()", () => {
  assert.throws(
    () => resolveOptions(immich.id, immich.options, layers({ PHOTOS_SYNC_IMMICH_TIMEOUT: "0" })),
    (e: Error) =>
      e instanceof ConfigError && /timeout must be a whole number from 1 to 3600, got "0"/.test(e.message),
  );
  const { values } = resolveOptions(immich.id, immich.options, layers({}));
  assert.deepEqual(
    { timeout: values.timeout, albums: values.albums, tags: values.tags, pauseJobs: values["pause-jobs"] },
    { timeout: 60, albums: "path", tags: "keywords", pauseJobs: undefined },
    "pause-jobs unset: the plugin decides (auto)",
  );
  const pause = (env: Record<string, string>) =>
    resolveOptions(immich.id, immich.options, layers(env)).values["pause-jobs"];
  assert.equal(pause({ IMMICH_PAUSE_JOBS: "true" }), true);
  assert.equal(pause({ IMMICH_PAUSE_JOBS: "false" }), false);
  assert.equal(pause({ PHOTOS_SYNC_IMMICH_PAUSE_JOBS: "0" }), false);
});

Deno.test("destination.immich without a server or key is refused by the host, naming both and where they go", () => {
  assert.throws(
    () => resolveOptions(immich.id, immich.options, { flags: {}, env: {}, envFile: {} }),
    /destination\.immich needs url \(--immich-url or PHOTOS_SYNC_IMMICH_URL \/ IMMICH_URL\), api-key \(PHOTOS_SYNC_IMMICH_API_KEY \/ IMMICH_API_KEY, or a file named by --immich-api-key-file\)/,
  );
});
