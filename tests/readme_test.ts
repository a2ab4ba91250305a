/** The README's configuration table and command list keep up with the declarations. */
import assert from "node:assert/strict";
import { CORE_OPTIONS } from "../core/config/mod.ts";
import { derivedEnvName } from "../core/plugin/options.ts";
import { BUILTIN_PLUGINS } from "../plugins/mod.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

Deno.test("the README documents every option of the tool and of every built-in plugin", () => {
  for (const spec of CORE_OPTIONS) assert.ok(readme.includes(derivedEnvName("core", spec)), spec.name);
  for (const plugin of BUILTIN_PLUGINS) {
    for (const spec of plugin.options) {
      const names = [derivedEnvName(plugin.id, spec), ...(spec.env ?? [])];
      assert.ok(
        names.some((n) => readme.includes(n)),
        `${plugin.id} ${spec.name}: none of ${names.join(", ")}`,
      );
    }
  }
});

Deno.test("the README's first lines give the demo and the test command", () => {
  const top = readme.split("\n").slice(0, 12).join("\n");
  assert.match(top, /npx --yes deno@2\.9\.6 task demo/);
  assert.match(top, /npx --yes deno@2\.9\.6 task test/);
  const ciRun = Deno.readTextFileSync(new URL("../.ci/run", import.meta.url));
  assert.equal(
    ciRun.match(/DENO_VERSION=([\d.]+)/)?.[1],
    Deno.version.deno,
    ".ci/run pins the Deno the tests run on",
  );
});
