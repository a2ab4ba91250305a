/** What each command's --help lists: the global options and the options of the plugins it will use. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli } from "../core/cli/mod.ts";
import { memoryOutput } from "../core/cli/output.ts";
import { flagName } from "../core/plugin/options.ts";
import { BUILTIN_PLUGINS, writeSampleLibrary } from "../plugins/mod.ts";
import { withTempDir } from "./_cli.ts";

/** Runs the CLI in-process with a data directory of its own and nothing else in the environment. */
async function run(args: string[], home: string, env: Record<string, string> = {}) {
  const output = memoryOutput();
  const code = await runCli(args, {
    plugins: BUILTIN_PLUGINS,
    writeSampleLibrary,
    output,
    env: { PHOTOS_SYNC_HOME: home, ...env },
  });
  return { code, stdout: output.stdout.join("\n"), stderr: output.stderr.join("\n") };
}

async function help(args: string[], home: string, env: Record<string, string> = {}): Promise<string> {
  const r = await run([...args, "--help"], home, env);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** The long flags --help lists, in order. */
function listed(helpText: string): string[] {
  return [...helpText.matchAll(/^ {2}(?:-\w, )?(--[a-z0-9-]+)/gm)].map((m) => m[1]);
}

/** Every flag a plugin's (non-secret) options and secrets' files would show. */
function flagsOf(pluginId: string): string[] {
  const plugin = BUILTIN_PLUGINS.find((p) => p.id === pluginId)!;
  return plugin.options.map((o) => `--${flagName(pluginId, o)}${o.secret ? "-file" : ""}`);
}

const GLOBAL = ["--home", "--env-file", "--plugin", "--verbose"];

function assertLists(flags: string[], expected: string[], what: string): void {
  for (const f of expected) assert.ok(flags.includes(f), `${what} lists ${f}`);
}

function assertOmits(flags: string[], omitted: string[], what: string): void {
  for (const f of omitted) assert.ok(!flags.includes(f), `${what} does not list ${f}`);
}

Deno.test("import --to folder --help lists the folder destination's options and the global ones, no other plugin's", async () => {
  await withTempDir(async (home) => {
    const text = await help(["import", "--to", "folder"], home);
    const flags = listed(text);
    assertLists(
      flags,
      [...GLOBAL, "--to", "--source", "--dry-run", ...flagsOf("destination.folder")],
      "import",
    );
    for (const other of ["destination.immich", "destination.b2", "destination.glacier", "source.photokit"]) {
      assertOmits(flags, flagsOf(other), "import --to folder");
    }
    assertOmits(flags, ["--backup-immich-path", "--backup-op-vault"], "import");
    // B2 and Glacier keep single assets too (their asset role), so they are destinations here as well.
    assert.match(
      text,
      /other destinations \(immich, b2, glacier, photokit\) are not listed; run with --to <name> --help/,
    );
  });
});

Deno.test("import --help without --to lists the configured destination's options, or Immich's by default", async () => {
  await withTempDir(async (home) => {
    const byDefault = listed(await help(["import"], home));
    assertLists(byDefault, flagsOf("destination.immich"), "import");
    assertOmits(byDefault, [...flagsOf("destination.folder"), ...flagsOf("destination.b2")], "import");
    await Deno.writeTextFile(join(home, ".env"), "PHOTOS_SYNC_TO=folder\n");
    const configured = listed(await help(["sync"], home));
    assertLists(configured, flagsOf("destination.folder"), "sync with PHOTOS_SYNC_TO=folder");
    assertOmits(configured, flagsOf("destination.immich"), "sync with PHOTOS_SYNC_TO=folder");
    // A flag beats the .env file, as it does when the command runs.
    const flagged = listed(await help(["status", "--to=immich"], home));
    assertLists(flagged, flagsOf("destination.immich"), "status --to=immich");
    assertOmits(flagged, flagsOf("destination.folder"), "status --to=immich");
  });
});

Deno.test("backup --help lists the chosen backup target's options, none of an import destination's", async () => {
  await withTempDir(async (home) => {
    const b2 = listed(await help(["backup"], home));
    assertLists(b2, [...GLOBAL, "--backup-immich-path", ...flagsOf("destination.b2")], "backup");
    assertOmits(b2, [...flagsOf("destination.glacier"), ...flagsOf("destination.immich")], "backup");
    const glacier = listed(await help(["backup", "--to", "glacier"], home, { BACKUP_TO: "b2" }));
    assertLists(glacier, flagsOf("destination.glacier"), "backup --to glacier");
    assertOmits(
      glacier,
      [...flagsOf("destination.b2"), ...flagsOf("destination.folder")],
      "backup --to glacier",
    );
  });
});

Deno.test("scan --help lists only the chosen source's options; --source photokit shows PhotoKit's", async () => {
  await withTempDir(async (home) => {
    const library = listed(await help(["scan"], home, { PHOTOS_SYNC_SOURCE: "photoslibrary" }));
    assertOmits(library, [...flagsOf("source.photokit"), ...flagsOf("destination.immich")], "scan");
    const photokit = listed(await help(["scan", "--source", "photokit"], home));
    assertLists(photokit, flagsOf("source.photokit"), "scan --source photokit");
  });
});

Deno.test("no command's --help offers a secret as a flag, only the file that holds it", async () => {
  await withTempDir(async (home) => {
    const secrets = BUILTIN_PLUGINS.flatMap((p) =>
      p.options.filter((o) => o.secret).map((o) => `--${flagName(p.id, o)}`)
    );
    assert.ok(secrets.length > 0);
    const lines = [
      ["import", "--to", "immich"],
      ["status"],
      ["forget-destination"],
      ["backup", "--to", "b2"],
      ["backup", "--to", "glacier"],
    ];
    for (const args of lines) {
      const flags = listed(await help(args, home));
      assertOmits(flags, [...secrets, "--serve-token"], args.join(" "));
      assert.ok(
        flags.some((f) => secrets.includes(f.replace(/-file$/, ""))),
        `${args.join(" ")} shows a -file`,
      );
    }
  });
});

Deno.test("a flag of a plugin --help does not list is still accepted, as scripts pass it", async () => {
  await withTempDir(async (home) => {
    const r = await run(
      ["status", "--tracker-only", "--to", "folder", "--immich-url", "http://nas:2283", "--b2-path", "x"],
      home,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /unknown option/);
  });
});
