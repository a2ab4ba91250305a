/** The README stays a README: short, the two commands first, and every link it gives leads somewhere. */
import assert from "node:assert/strict";

const root = new URL("../", import.meta.url);
const readme = await Deno.readTextFile(new URL("README.md", root));

Deno.test("the README's first lines give the demo and the test command", () => {
  const top = readme.split("\n").slice(0, 12).join("\n");
  assert.match(top, /npx --yes deno@2\.9\.6 task demo/);
  assert.match(top, /npx --yes deno@2\.9\.6 task test/);
  const ciRun = Deno.readTextFileSync(new URL(".ci/run", root));
  assert.equal(
    ciRun.match(/DENO_VERSION=([\d.]+)/)?.[1],
    Deno.version.deno,
    ".ci/run pins the Deno the tests run on",
  );
});

Deno.test("the README is at most 200 lines and links the failures page", () => {
  assert.ok(readme.split("\n").length <= 200, `README.md has ${readme.split("\n").length} lines`);
  assert.match(readme, /## When something goes wrong[\s\S]*\(docs\/failures\.md\)/);
});

Deno.test("every local link of the README and of docs/ names a file that exists", async () => {
  const pages = [new URL("README.md", root)];
  for await (const entry of Deno.readDir(new URL("docs/", root))) {
    if (entry.name.endsWith(".md")) pages.push(new URL(`docs/${entry.name}`, root));
  }
  for (const page of pages) {
    const text = await Deno.readTextFile(page);
    for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
      if (/^[a-z]+:/.test(target)) continue;
      const file = new URL(target, page);
      assert.ok(
        await exists(file),
        `${page.pathname.slice(root.pathname.length)} links ${target}, which is missing`,
      );
    }
  }
});

Deno.test("docs/failures.md covers every area the README's failure section names", async () => {
  const failures = await Deno.readTextFile(new URL("docs/failures.md", root));
  for (
    const area of ["## Secrets", "## The data directory", "## Destinations", "## Backups", "## Stopped runs"]
  ) {
    assert.ok(failures.includes(area), area);
  }
  for (
    const message of ["would show the secret", "does not answer as an Immich server", "forget-destination"]
  ) {
    assert.ok(readme.includes(message) && failures.includes(message), message);
  }
});

async function exists(url: URL): Promise<boolean> {
  try {
    await Deno.stat(url);
    return true;
  } catch {
    return false;
  }
}
