/**
 * Secrets come from the environment, `.env`, a file or a credential store, never from a flag; each
 * is long enough to mask; the data directory, the tracker and `.env` are private to their owner.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../plugin/errors.ts";
import { type DestinationPlugin, PLUGIN_API_VERSION } from "../plugin/types.ts";
import { type CredentialStore, fillCredentials } from "./credentials.ts";
import { loadConfig } from "./mod.ts";
import { envFileWarning, makePrivateDir, makeTrackerPrivate } from "./private_files.ts";
import { Redactor } from "./redact.ts";

const plugin: DestinationPlugin = {
  kind: "destination",
  id: "destination.immich",
  apiVersion: PLUGIN_API_VERSION,
  version: "1",
  description: "d",
  options: [
    { name: "url", type: "string", help: "u", env: ["IMMICH_URL"] },
    { name: "api-key", type: "string", help: "k", secret: true, credential: true, env: ["IMMICH_API_KEY"] },
  ],
  assets: { capabilities: [], open: () => Promise.reject(new Error("unused")) },
};

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The api-key the config resolves and what its redactor makes of a line holding it. */
async function resolveKey(env: Record<string, string>, flags: Record<string, string> = {}) {
  const config = await loadConfig({ env, flags });
  config.guardSecrets([plugin]);
  const key = String(config.pluginOptions(plugin)["api-key"]);
  return { key, redacted: config.redactor.redact(`401 for ${key}`) };
}

Deno.test("a secret given as a flag is refused with where to put it instead, and never echoed", async () => {
  await withDir(async (home) => {
    const err = await loadConfig({
      env: { PHOTOS_SYNC_HOME: home },
      flags: { "immich-api-key": "flag-key-123" },
    })
      .then((c) => c.guardSecrets([plugin]))
      .then(() => undefined, (e) => e);
    assert.ok(err instanceof ConfigError, String(err));
    assert.match(err.message, /--immich-api-key would show the secret in `ps` and your shell history/);
    assert.match(err.message, /IMMICH_API_KEY in the environment or in \.env/);
    assert.match(err.message, /IMMICH_API_KEY_FILE or --immich-api-key-file/);
    assert.match(err.message, /credential store/);
    assert.doesNotMatch(err.message, /flag-key-123/);
  });
});

Deno.test("a secret is read from the file a *_FILE variable or a --*-file flag names, and masked", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "key");
    await Deno.writeTextFile(file, "key-from-a-file-0123\n");
    for (
      const call of [
        resolveKey({ PHOTOS_SYNC_HOME: dir, IMMICH_API_KEY_FILE: file }),
        resolveKey({ PHOTOS_SYNC_HOME: dir, PHOTOS_SYNC_IMMICH_API_KEY_FILE: file }),
        resolveKey({ PHOTOS_SYNC_HOME: dir }, { "immich-api-key-file": file }),
      ]
    ) {
      assert.deepEqual(await call, { key: "key-from-a-file-0123", redacted: "401 for ***" });
    }
    await Deno.writeTextFile(join(dir, ".env"), `IMMICH_API_KEY_FILE=${file}\n`);
    assert.equal((await resolveKey({ PHOTOS_SYNC_HOME: dir })).key, "key-from-a-file-0123");
    // The variable itself wins over a file named in .env.
    assert.equal(
      (await resolveKey({ PHOTOS_SYNC_HOME: dir, IMMICH_API_KEY: "from-env-0123" })).key,
      "from-env-0123",
    );
    // A value that lost to another layer is masked all the same.
    await Deno.writeTextFile(join(dir, ".env"), "IMMICH_API_KEY=an-old-key-in-env-file\n");
    const config = await loadConfig({ env: { PHOTOS_SYNC_HOME: dir, IMMICH_API_KEY: "from-env-0123" } });
    config.guardSecrets([plugin]);
    assert.equal(config.redactor.redact("an-old-key-in-env-file"), "***");
  });
});

Deno.test("a secret too short to mask is refused, from the environment, .env or a store, without garbling", async () => {
  await withDir(async (home) => {
    await assert.rejects(
      resolveKey({ PHOTOS_SYNC_HOME: home, IMMICH_API_KEY: "a" }),
      /IMMICH_API_KEY: api-key is 1 characters long; a secret needs at least 8/,
    );
    await Deno.writeTextFile(join(home, ".env"), "IMMICH_API_KEY=abc1234\n");
    await assert.rejects(resolveKey({ PHOTOS_SYNC_HOME: home }), /api-key is 7 characters long/);
    const store: CredentialStore = {
      kind: "1password",
      description: "the item",
      read: () => Promise.resolve("xy"),
      howToAdd: () => "add it",
    };
    const redactor = new Redactor();
    await assert.rejects(
      fillCredentials(plugin, { values: {}, store, redactor }),
      /the item, field api_key: api-key is 2 characters long/,
    );
    assert.equal(redactor.redact("xy marks the spot"), "xy marks the spot");
  });
  // Eight characters are enough: masked wherever they appear.
  const { redacted } = await resolveKey({ PHOTOS_SYNC_HOME: "/nonexistent", IMMICH_API_KEY: "8chars!!" });
  assert.equal(redacted, "401 for ***");
});

Deno.test("the data directory is made 0700 and the tracker 0600; a readable .env is warned about", async () => {
  await withDir(async (dir) => {
    const home = join(dir, "a", "home");
    makePrivateDir(home);
    assert.equal(Deno.statSync(home).mode! & 0o777, 0o700);
    const tracker = join(home, "tracker.db");
    await Deno.writeTextFile(tracker, "an older install's", { mode: 0o644 });
    await Deno.chmod(tracker, 0o644);
    makeTrackerPrivate(tracker);
    assert.equal(Deno.statSync(tracker).mode! & 0o777, 0o600);
    makeTrackerPrivate(join(home, "absent.db")); // no file, no error
    const env = join(home, ".env");
    assert.equal(envFileWarning(env), undefined, "no .env, no warning");
    await Deno.writeTextFile(env, "IMMICH_API_KEY=0123456789\n", { mode: 0o600 });
    await Deno.chmod(env, 0o600);
    assert.equal(envFileWarning(env), undefined);
    await Deno.chmod(env, 0o644);
    assert.match(
      envFileWarning(env)!,
      /\.env holds secrets but other users can read it \(mode 644\); run: chmod 600/,
    );
  });
});
