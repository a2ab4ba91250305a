import assert from "node:assert/strict";
import type { Asset } from "../model/asset.ts";
import type { SourceSession } from "../plugin/types.ts";
import { listOnce } from "./listing.ts";

/** A source of `count` assets that counts how often it is listed and closed. */
function countingSource(count: number) {
  const calls = { list: 0, close: 0, download: 0 };
  const asset = (i: number): Asset => ({
    id: `asset-${i}`,
    kind: i % 3 ? "photo" : "video",
    filename: `IMG_${i}.HEIC`,
    favorite: i % 7 === 0,
    hidden: false,
    trashed: false,
    keywords: i % 5 ? [] : ["ünïcode", "line\nbreak"],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: i % 2 ? ["live"] : [],
    resources: [{ role: "original", filename: `IMG_${i}.HEIC`, path: `/lib/${i}.heic`, present: true }],
  });
  const session: SourceSession = {
    key: "test",
    info: { assets: count },
    async *list() {
      calls.list++;
      for (let i = 0; i < count; i++) yield asset(i);
    },
    export: () => Promise.resolve([]),
    close: () => Promise.resolve(void calls.close++),
    download: () => Promise.resolve(void calls.download++),
  };
  return { session, calls };
}

async function all(session: SourceSession): Promise<Asset[]> {
  const out: Asset[] = [];
  for await (const asset of session.list()) out.push(asset);
  return out;
}

Deno.test("listOnce replays a second listing from its spool, without asking the source again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { session, calls } = countingSource(3000);
    const once = listOnce(session, { dir });
    const first = await all(once);
    const second = await all(once);
    assert.equal(calls.list, 1);
    assert.equal(second.length, 3000);
    assert.deepEqual(second, first, "the same assets, byte for byte, newlines and unicode included");
    assert.deepEqual(await all(once), first);
    assert.equal(once.key, "test");
    assert.deepEqual(once.info, { assets: 3000 });
    await once.download!([]);
    assert.equal(calls.download, 1, "optional methods are passed through");
    await once.close();
    assert.equal(calls.close, 1);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "the spool goes with the session");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listOnce reads the source again after a listing that was cut short", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { session, calls } = countingSource(50);
    const once = listOnce(session, { dir });
    for await (const asset of once.list()) if (asset.id === "asset-10") break;
    assert.equal((await all(once)).length, 50, "a partial listing is never replayed");
    assert.equal(calls.list, 2);
    assert.equal((await all(once)).length, 50);
    assert.equal(calls.list, 2, "the complete one is");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("listOnce lets a listing that overlaps the first read the source on its own", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { session, calls } = countingSource(20);
    const once = listOnce(session, { dir });
    let inner = 0;
    for await (const asset of once.list()) {
      if (asset.id === "asset-5") inner = (await all(once)).length;
    }
    assert.equal(inner, 20);
    assert.equal(calls.list, 2);
    assert.equal((await all(once)).length, 20);
    assert.equal(calls.list, 2);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
