import assert from "node:assert/strict";
import { type OptionSpec, resolveOptions } from "../plugin/options.ts";
import type { Plugin } from "../plugin/types.ts";
import { addPluginFlags, flagValues } from "./flags.ts";
import { Command, ParserExit } from "./parser.ts";

const OPTIONS: OptionSpec[] = [
  { name: "pause", type: "boolean", help: "pause, or decide when not given" },
  { name: "verbose", type: "boolean", default: false, help: "say more" },
];
const PLUGIN = { kind: "destination", id: "destination.nas", options: OPTIONS } as unknown as Plugin;

/** The option values a command gets from these arguments, the way `run.ts` resolves them. */
async function resolved(...args: string[]): Promise<Record<string, unknown> | number> {
  const root = new Command("tool").configureOutput({ out: () => {}, err: () => {} });
  let values: Record<string, unknown> = {};
  const cmd = root.command("import").action((_opts, command) => {
    const flags = flagValues(command);
    values = resolveOptions(PLUGIN.id, OPTIONS, { flags, env: {}, envFile: {} }).values;
  });
  addPluginFlags(cmd, [PLUGIN], { choice: { to: "nas" }, roles: ["to"] });
  try {
    await root.parseAsync(["import", ...args]);
  } catch (e) {
    if (!(e instanceof ParserExit)) throw e;
    return e.exitCode;
  }
  return values;
}

Deno.test("a boolean without a default has three states: --x, --no-x and neither", async () => {
  assert.deepEqual(await resolved(), { verbose: false });
  assert.deepEqual(await resolved("--nas-pause"), { pause: true, verbose: false });
  assert.deepEqual(await resolved("--no-nas-pause"), { pause: false, verbose: false });
  assert.deepEqual(await resolved("--nas-verbose"), { verbose: true });
});

Deno.test("a boolean off by default gets no --no- flag, and help lists the one it gets", async () => {
  assert.equal(await resolved("--no-nas-verbose"), 2, "unknown option");
  const cmd = new Command("tool").command("import");
  addPluginFlags(cmd, [PLUGIN], { choice: { to: "nas" }, roles: ["to"] });
  const help = cmd.helpInformation(200);
  assert.match(help, /--no-nas-pause +turns --nas-pause off \(env PHOTOS_SYNC_NAS_PAUSE=false\)/);
  assert.doesNotMatch(help, /--no-nas-verbose/);
});
