import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { type OptionSpec, optionValues, resolveOptions } from "./options.ts";

const OPTIONS = [
  { name: "url", type: "string", required: true, help: "server" },
  { name: "timeout", type: "number", default: 60, range: [1, 3600], help: "seconds" },
  { name: "albums", type: "string", choices: ["path", "off"], default: "path", help: "albums" },
  { name: "label", type: "string", help: "optional" },
] as const satisfies readonly OptionSpec[];

Deno.test("optionValues() gives what the host would: declared defaults filled in, the values as given", () => {
  const values = optionValues("destination.nas", OPTIONS, { url: "http://nas", albums: "off" });
  assert.deepEqual(values, { url: "http://nas", timeout: 60, albums: "off" });
  const timeout: number = values.timeout;
  assert.equal(timeout, 60);
});

Deno.test("optionValues() refuses what the declarations refuse: a missing required option, a value out of range or choices", () => {
  const refused = (given: Record<string, unknown>, message: RegExp) =>
    assert.throws(
      () => optionValues("destination.nas", OPTIONS, given as never),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
    );
  refused({}, /destination\.nas needs url/);
  refused({ url: "u", timeout: 0 }, /timeout must be a whole number from 1 to 3600, got 0/);
  refused({ url: "u", albums: "title" }, /albums must be one of path, off/);
});

Deno.test("a ranged option is refused by the host from any layer, before a plugin sees it", () => {
  const layers = { flags: {}, env: { PHOTOS_SYNC_NAS_TIMEOUT: "0", PHOTOS_SYNC_NAS_URL: "u" }, envFile: {} };
  assert.throws(() => resolveOptions("destination.nas", OPTIONS, layers), /timeout must be a whole number/);
});

Deno.test("a boolean without a default stays unset unless a layer sets it, true or false", () => {
  const specs = [{ name: "pause", type: "boolean", help: "pause; unset: decide" }] as const;
  const pause = (env: Record<string, string>, flags: Record<string, boolean> = {}) =>
    resolveOptions("destination.nas", specs, { flags, env, envFile: {} }).values.pause;
  assert.equal(pause({}), undefined);
  assert.equal(pause({ PHOTOS_SYNC_NAS_PAUSE: "" }), undefined, "an empty variable sets nothing");
  assert.equal(pause({ PHOTOS_SYNC_NAS_PAUSE: "false" }), false);
  assert.equal(pause({ PHOTOS_SYNC_NAS_PAUSE: "true" }, { "nas-pause": false }), false, "the flag wins");
  const values: { pause?: boolean } = optionValues("destination.nas", specs, {});
  assert.deepEqual(values, {});
});
