import assert from "node:assert/strict";
import { VERSION } from "./command_context.ts";
import { runCli } from "./mod.ts";
import { quickVersion } from "./quick_help.ts";
import type { Output } from "./output.ts";

/** What the full CLI (the parser, every command registered) prints and returns for these arguments. */
async function fullCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string[] }> {
  const out: string[] = [];
  const output: Output = { out: (l) => out.push(l), err: () => {}, status: () => {}, interactive: false };
  const writeSampleLibrary = () => Promise.reject(new Error("not here"));
  const code = await runCli(args, { plugins: [], writeSampleLibrary, output, env });
  return { code, out };
}

Deno.test("quickVersion answers --version and -V alone, as the full CLI does, and nothing else", async () => {
  const home = await Deno.makeTempDir();
  try {
    const env = { PHOTOS_SYNC_HOME: home };
    await Deno.writeTextFile(`${home}/.env`, "PHOTOS_SYNC_TO=folder\n");
    for (
      const args of [["--version"], ["-V"], ["--home", home, "--version"], [`--env-file=${home}/.env`, "-V"]]
    ) {
      const full = await fullCli(args, env);
      assert.deepEqual([full.code, full.out], [0, [await quickVersion(args, { env })]], args.join(" "));
    }
    for (
      const args of [[], ["--help"], ["--version", "--verbose"], ["import", "--version"], [
        "--home",
        "--version",
      ]]
    ) {
      assert.equal(await quickVersion(args, { env }), undefined, args.join(" "));
    }
    // The full CLI reports a configuration error or loads plugin files first: those are its to answer.
    assert.equal(
      await quickVersion(["--version"], { env: { ...env, PHOTOS_SYNC_ENV_FILE: `${home}/none` } }),
      undefined,
    );
    assert.equal((await fullCli(["--version"], { ...env, PHOTOS_SYNC_ENV_FILE: `${home}/none` })).code, 2);
    assert.equal(
      await quickVersion(["--version"], { env: { ...env, PHOTOS_SYNC_PLUGINS: "/x/plugin.ts" } }),
      undefined,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("main.ts --version prints the version and exits 0", async () => {
  const main = new URL("../../main.ts", import.meta.url).pathname;
  const home = await Deno.makeTempDir();
  try {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "-A", main, "--version"],
      env: { PHOTOS_SYNC_HOME: home },
      stdout: "piped",
    }).output();
    assert.equal(r.code, 0);
    assert.equal(new TextDecoder().decode(r.stdout), `${VERSION}\n`);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
