/**
 * The `--help` fast path: its generated text is what the real parser prints (stale text fails here:
 * regenerate with `deno task help-text`), and it answers only when the full CLI would print that text.
 * @module
 */
import assert from "node:assert/strict";
import { helpKey, quickHelp } from "../core/cli/quick_help.ts";
import { generateHelp, HELP_TEXT_FILE } from "./_help_text.ts";
import { cli, withTempDir } from "./_cli.ts";

Deno.test("the generated help is the real parser's, for --help and every <command> --help", async () => {
  const stored = JSON.parse(await Deno.readTextFile(HELP_TEXT_FILE));
  const fresh = await generateHelp();
  assert.ok(Object.keys(fresh.texts).length > 10, "the generator must cover every command");
  for (const key of Object.keys(fresh.texts)) {
    assert.equal(stored.texts[key], fresh.texts[key], `help of "${key}" is stale: run deno task help-text`);
  }
  assert.deepEqual(stored, fresh, "core/cli/help_text.json is stale: run deno task help-text");
});

Deno.test("helpKey takes only --help or -h, alone or after one command name, and --home or --env-file", () => {
  assert.equal(helpKey(["--help"]), "");
  assert.equal(helpKey(["--home", "/h", "--help"]), "");
  assert.equal(helpKey(["--env-file=/e", "import", "--home=/h", "-h"]), "import");
  assert.equal(helpKey(["import", "--env-file", "/e", "--help"]), "import");
  assert.equal(helpKey(["-h"]), "");
  assert.equal(helpKey(["import", "--help"]), "import");
  assert.equal(helpKey(["status", "-h"]), "status");
  for (
    const args of [[], ["status"], ["--help", "import"], ["--verbose", "--help"], [
      "import",
      "--to",
      "--help",
    ]]
  ) {
    assert.equal(helpKey(args), undefined, args.join(" "));
  }
});

const FAKE = {
  width: 80,
  chosen: { source: "photoslibrary", to: "immich", "backup-to": "b2" },
  texts: { "": "top help", import: "import help" },
};
const load = () => Promise.resolve(FAKE);

Deno.test("quickHelp answers only when the full CLI would print the generated text", async () => {
  await withTempDir(async (home) => {
    const env = { PHOTOS_SYNC_HOME: home };
    const ask = (args: string[], more: Record<string, string> = {}, columns: number | null = null) =>
      quickHelp(args, { env: { ...env, ...more }, columns, load });
    assert.equal(await ask(["--help"]), "top help");
    assert.equal(await ask(["import", "--help"]), "import help");
    assert.equal(await ask(["import", "--help"], {}, 80), "import help", "an 80-column terminal");
    await Deno.writeTextFile(`${home}/other.env`, "PHOTOS_SYNC_TO=folder\n");
    assert.equal(await ask(["--env-file", `${home}/other.env`, "import", "--help"]), undefined, "--env-file");
    assert.equal(await ask(["--home", `${home}/x`, "--help"]), "top help", "--home");
    assert.equal(await ask(["import", "--help"], {}, 120), undefined, "the parser wraps at 120 there");
    assert.equal(await ask(["scan", "--help"]), undefined, "no text for scan");
    assert.equal(await ask(["import"]), undefined, "not a help");
    assert.equal(
      await ask(["import", "--help"], { PHOTOS_SYNC_TO: "folder" }),
      undefined,
      "another destination",
    );
    assert.equal(await ask(["--help"], { PHOTOS_SYNC_PLUGINS: "/x/plugin.ts" }), undefined, "a plugin file");
    assert.equal(
      await ask(["--help"], { PHOTOS_SYNC_ENV_FILE: `${home}/none` }),
      undefined,
      "a config error",
    );
    await Deno.writeTextFile(`${home}/.env`, "PHOTOS_SYNC_SOURCE=folder\n");
    assert.equal(await ask(["import", "--help"]), undefined, "another source in the .env file");
  });
});

Deno.test("main.ts --help and <command> --help print the real parser's text and exit 0", async () => {
  await withTempDir(async (home) => {
    const stored = JSON.parse(await Deno.readTextFile(HELP_TEXT_FILE));
    const cases = [[["--help"], ""], [["import", "--help"], "import"], [
      ["--home", home, "sync", "-h"],
      "sync",
    ]];
    for (const [args, key] of cases as [string[], string][]) {
      const r = await cli(args, { PHOTOS_SYNC_HOME: home });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, stored.texts[key] + "\n");
    }
  });
});
