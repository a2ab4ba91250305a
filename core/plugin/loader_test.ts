import assert from "node:assert/strict";
import { join } from "node:path";
import { loadPluginFile } from "./loader.ts";

const VALID = `
export default {
  kind: "handler", id: "handler.gif", apiVersion: 2, version: "0.1.0", description: "GIFs",
  options: [], order: 50,
  applies: (a) => a.uti === "com.compuserve.gif",
  plan: (a, plan) => { plan.tag("animated"); },
};`;

async function withFile(name: string, content: string, fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, name);
    await Deno.writeTextFile(path, content);
    await fn(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("loadPluginFile() loads a bundled module through a data: URL and returns its default export", async () => {
  await withFile("gif.js", VALID, async (path) => {
    const plugin = await loadPluginFile(path);
    assert.equal(plugin.id, "handler.gif");
    assert.equal(plugin.kind === "handler" && plugin.applies({ uti: "com.compuserve.gif" } as never), true);
  });
});

Deno.test("loadPluginFile() refuses a wrong apiVersion with a message that says what to do", async () => {
  await withFile("old.js", VALID.replace("apiVersion: 2", "apiVersion: 1"), async (path) => {
    await assert.rejects(
      loadPluginFile(path),
      /built for plugin API version 1.*use a release of the plugin made for it/,
    );
  });
});

Deno.test("loadPluginFile() explains that TypeScript and unbundled modules must be bundled", async () => {
  await withFile("ts.js", VALID.replace("(a) =>", "(a: unknown) =>"), async (path) => {
    await assert.rejects(loadPluginFile(path), /bundle it to JavaScript first/);
  });
  await withFile("imports.js", `import x from "./other.js";\n${VALID}`, async (path) => {
    await assert.rejects(loadPluginFile(path), /imports other modules; bundle it/);
  });
});

Deno.test("loadPluginFile() rejects a module without a plugin default export, and a missing file", async () => {
  await withFile("none.js", "export const x = 1;", async (path) => {
    await assert.rejects(loadPluginFile(path), /must be an object \(the module's default export\)/);
  });
  await assert.rejects(loadPluginFile("/nonexistent/plugin.js"), /cannot be read.*check the path/);
});
