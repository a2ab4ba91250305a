import assert from "node:assert/strict";
import { cpSync, existsSync } from "node:fs";
import { join } from "node:path";
import { HAS_SHARED, LIBRARIES } from "../../../tests/shared_data.ts";
import { createTestContext, withSampleLibrary } from "./_test_context.ts";
import photoslibrary from "./mod.ts";

async function libraryIdOf(library: string): Promise<string | undefined> {
  const ctx = await createTestContext();
  try {
    const session = await photoslibrary.open({ library }, ctx);
    await session.close();
    return session.libraryId;
  } finally {
    await ctx.dispose();
  }
}

Deno.test("a library's id is its store UUID, the same wherever the bundle is moved", () =>
  withSampleLibrary(async (info) => {
    const id = await libraryIdOf(info.path);
    assert.match(id ?? "", /^photos:[0-9A-F-]{36}$/);
    const moved = `${info.path}-moved.photoslibrary`;
    cpSync(info.path, moved, { recursive: true });
    assert.equal(await libraryIdOf(moved), id);
    await withSampleLibrary(async (other) => {
      assert.notEqual(await libraryIdOf(other.path), id);
    }, { seed: 2 });
  }));

const CLOUD = join(LIBRARIES, "Test-Cloud-13.1.photoslibrary");

Deno.test({
  name: "a real library's id is the Z_UUID of its Z_METADATA",
  ignore: !HAS_SHARED || !existsSync(CLOUD),
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const copy = join(dir, "Cloud.photoslibrary");
      cpSync(CLOUD, copy, { recursive: true });
      assert.equal(await libraryIdOf(copy), "photos:664D4D18-7461-409A-8345-027682AEF6AC");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
