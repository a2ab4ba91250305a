import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError } from "../plugin/errors.ts";
import { loadConfig } from "./mod.ts";

const refused = (pattern: RegExp) => (e: Error) => {
  assert.ok(e instanceof ConfigError, String(e));
  assert.match(e.message, pattern);
  return true;
};

Deno.test("an empty home from --home, PHOTOS_SYNC_HOME or HOME is refused, never the root or the current folder", async () => {
  await assert.rejects(loadConfig({ flags: { home: "" }, env: {} }), refused(/^--home is empty/));
  await assert.rejects(loadConfig({ env: { PHOTOS_SYNC_HOME: "" } }), refused(/^PHOTOS_SYNC_HOME is empty/));
  await assert.rejects(
    loadConfig({ env: { HOME: "" } }),
    refused(/^HOME is empty.*set HOME, PHOTOS_SYNC_HOME or --home/),
  );
  const dir = await Deno.makeTempDir();
  try {
    assert.equal((await loadConfig({ env: { HOME: "", PHOTOS_SYNC_HOME: dir } })).home, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a home that is a file is refused as a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "home");
    await Deno.writeTextFile(file, "");
    await assert.rejects(
      loadConfig({ flags: { home: file }, env: {} }),
      refused(/home is a file, not a folder/),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("--concurrency outside 1..64 is refused with the range, from a flag or the environment", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const value of ["0", "100000", "2.5", "-1"]) {
      await assert.rejects(
        loadConfig({ flags: { home: dir, concurrency: value }, env: {} }),
        refused(/concurrency must be a whole number from 1 to 64/),
      );
    }
    await assert.rejects(
      loadConfig({ flags: { home: dir }, env: { PHOTOS_SYNC_CONCURRENCY: "0" } }),
      refused(/from 1 to 64/),
    );
    assert.equal(
      (await loadConfig({ flags: { home: dir, concurrency: "64" }, env: {} })).core.concurrency,
      64,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
