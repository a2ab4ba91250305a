import assert from "node:assert/strict";
import { ConfigError } from "../../../core/plugin/errors.ts";
import { resolveOptions } from "../../../core/plugin/options.ts";
import photokit from "./mod.ts";

Deno.test("source.photokit refuses a timeout of 0 at configuration instead of quietly using 300 seconds", () => {
  const layers = (timeout: string) => ({ flags: { "photokit-timeout": timeout }, env: {}, envFile: {} });
  assert.throws(
    () => resolveOptions(photokit.id, photokit.options, layers("0")),
    (e: Error) =>
      e instanceof ConfigError && /timeout must be a whole number from 1 to 86400, got "0"/.test(e.message),
  );
  assert.equal(resolveOptions(photokit.id, photokit.options, layers("900")).values.timeout, 900);
});
