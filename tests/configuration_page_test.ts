/** docs/configuration.md is generated from the option declarations and must be regenerated when they change. */
import assert from "node:assert/strict";
import { formattedConfigurationPage, REGENERATE } from "../docs/configuration_page.ts";
import { CORE_OPTIONS } from "../core/config/mod.ts";
import { envNames } from "../core/plugin/options.ts";
import { BUILTIN_PLUGINS } from "../plugins/mod.ts";

const committed = await Deno.readTextFile(new URL("../docs/configuration.md", import.meta.url));

Deno.test("docs/configuration.md is what the option declarations generate", async () => {
  const generated = await formattedConfigurationPage();
  assert.ok(
    committed === generated,
    `docs/configuration.md is out of date with the option declarations; run: ${REGENERATE}`,
  );
});

Deno.test("docs/configuration.md names every variable of the tool and of every built-in plugin", () => {
  for (const spec of CORE_OPTIONS) {
    for (const name of envNames("core", spec)) assert.ok(committed.includes(`\`${name}\``), name);
  }
  for (const plugin of BUILTIN_PLUGINS) {
    for (const spec of plugin.options) {
      for (const name of envNames(plugin.id, spec)) assert.ok(committed.includes(`\`${name}\``), name);
    }
  }
});

Deno.test("docs/configuration.md offers no secret as a flag, only its -file flag", () => {
  for (const plugin of BUILTIN_PLUGINS) {
    for (const spec of plugin.options.filter((s) => s.secret)) {
      const flag = `--${plugin.id.split(".").at(-1)}-${spec.name}`;
      assert.ok(!committed.includes(`\`${flag}\``), `${flag} is a secret and has no flag`);
      assert.ok(committed.includes(`\`${flag}-file\``), `${flag}-file`);
    }
  }
});
