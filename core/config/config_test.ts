import assert from "node:assert/strict";
import { join } from "node:path";
import { type DestinationPlugin, PLUGIN_API_VERSION } from "../plugin/types.ts";
import { parseEnvFile } from "./env_file.ts";
import { homedir } from "node:os";
import { defaultHome, loadConfig } from "./mod.ts";

const immichLike: DestinationPlugin = {
  kind: "destination",
  id: "destination.immich",
  apiVersion: PLUGIN_API_VERSION,
  version: "1",
  description: "d",
  options: [
    { name: "url", type: "string", help: "u", required: true, env: ["IMMICH_URL"] },
    { name: "api-key", type: "string", help: "k", required: true, secret: true, env: ["IMMICH_API_KEY"] },
  ],
  assets: { capabilities: [], open: () => Promise.reject(new Error("unused")) },
};

async function withHome(envFile: string, fn: (home: string) => Promise<void>) {
  const home = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(home, ".env"), envFile);
    await fn(home);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
}

Deno.test("config precedence is flags > environment > .env file > defaults", async () => {
  await withHome(
    "PHOTOS_SYNC_CONCURRENCY=3\nIMMICH_URL=http://from-file\nPHOTOS_SYNC_TO=folder\n",
    async (home) => {
      const env = {
        PHOTOS_SYNC_HOME: home,
        PHOTOS_SYNC_CONCURRENCY: "5",
        PHOTOS_SYNC_IMMICH_URL: "http://from-env",
      };
      const c = await loadConfig({ env, flags: { concurrency: "7" } });
      assert.equal(c.core.concurrency, 7);
      assert.equal(c.origins.concurrency, "flag");
      assert.equal((await loadConfig({ env })).core.concurrency, 5);
      assert.equal(c.core.to, "folder");
      assert.equal(c.origins.to, "env-file");
      assert.equal(c.core["backup-max-retries"], 3);
      assert.equal(c.origins["backup-max-retries"], "default");
      assert.throws(
        () => c.pluginOptions(immichLike),
        /destination.immich needs api-key \(PHOTOS_SYNC_IMMICH_API_KEY \/ IMMICH_API_KEY, or a file named by --immich-api-key-file\)/,
      );
      const withKey = await loadConfig({ env: { ...env, IMMICH_API_KEY: "k-123456" } });
      assert.deepEqual(withKey.pluginOptions(immichLike), { url: "http://from-env", "api-key": "k-123456" });
    },
  );
});

Deno.test("the predecessor's variable names keep working", async () => {
  await withHome(
    "IMMICH_URL=http://nas:2283\nIMMICH_API_KEY=legacy-key\nBACKUP_MAX_RETRIES=5\nBACKUP_IMMICH_PATH=/srv/immich\n",
    async (home) => {
      const c = await loadConfig({ env: { PHOTOS_SYNC_HOME: home } });
      assert.deepEqual(c.pluginOptions(immichLike), { url: "http://nas:2283", "api-key": "legacy-key" });
      assert.equal(c.core["backup-max-retries"], 5);
      assert.equal(c.core["backup-immich-path"], "/srv/immich");
      assert.equal(c.core["backup-stats-interval"], 60);
    },
  );
});

Deno.test("secret values are redacted from any text once the plugins are known", async () => {
  await withHome("IMMICH_API_KEY=sk-live-0123456789\n", async (home) => {
    const c = await loadConfig({ env: { PHOTOS_SYNC_HOME: home } });
    c.guardSecrets([immichLike]);
    assert.equal(c.redactor.redact("401 with key sk-live-0123456789!"), "401 with key ***!");
    assert.ok(c.redactor.has("--key=sk-live-0123456789"));
  });
});

Deno.test("a bad value names the option and hides a secret's value", async () => {
  await withHome("PHOTOS_SYNC_CONCURRENCY=many\n", async (home) => {
    await assert.rejects(
      loadConfig({ env: { PHOTOS_SYNC_HOME: home } }),
      /concurrency must be a number, got "many"/,
    );
  });
});

Deno.test("an explicit --env-file that does not exist is an error; the default one may be absent", async () => {
  await assert.rejects(
    loadConfig({ env: {}, flags: { "env-file": "/nonexistent/.env", home: "/tmp/x" } }),
    /does not exist/,
  );
  const c = await loadConfig({ env: { PHOTOS_SYNC_HOME: "/nonexistent-home" } });
  assert.equal(c.home, "/nonexistent-home");
});

Deno.test("the data directory follows XDG on Linux and Application Support on macOS", () => {
  const home = defaultHome({ HOME: "/home/u", XDG_DATA_HOME: "/data" });
  if (Deno.build.os === "darwin") assert.equal(home, "/home/u/Library/Application Support/photos-sync");
  else {
    assert.equal(home, "/data/photos-sync");
    assert.equal(defaultHome({ HOME: "/home/u" }), "/home/u/.local/share/photos-sync");
  }
});

Deno.test("without HOME in the environment, the default data directory is under the OS's home", async () => {
  const c = await loadConfig({ env: { XDG_DATA_HOME: "/data-nowhere" } });
  assert.equal(c.home, "/data-nowhere/photos-sync");
  const d = await loadConfig({ env: {} });
  assert.equal(d.home, defaultHome({ HOME: homedir() }));
  assert.notEqual(homedir(), "");
});

Deno.test("parseEnvFile() understands quotes, export and comments, and rejects junk with a line number", () => {
  assert.deepEqual(
    parseEnvFile(
      `# c\nexport A=1\nB="two words # not a comment"\nC='x\\ny' \nD=plain # comment\nE="a\\nb"\n\n`,
    ),
    { A: "1", B: "two words # not a comment", C: "x\\ny", D: "plain", E: "a\nb" },
  );
  assert.throws(() => parseEnvFile("A=1\nthis is not ok\n", "my.env"), /my.env line 2 is not KEY=value/);
});

Deno.test("a path option starting with ~ is expanded to the home directory", async () => {
  const home = Deno.env.get("HOME");
  const c = await loadConfig({
    env: { PHOTOS_SYNC_HOME: "/nonexistent", PHOTOS_SYNC_LIBRARY: "~/Pictures/P.photoslibrary" },
  });
  assert.equal(c.core.library, `${home}/Pictures/P.photoslibrary`);
});
