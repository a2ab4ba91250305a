/**
 * The conformance steps of the two-way sync capabilities of an asset destination (`read`,
 * `changes`, `albums`, `removeAlbums`, `people`), each run when the plugin declares it and ignored when it does
 * not, as the other steps of `destination_suite.ts`.
 * @module
 */
import assert from "node:assert/strict";
import type { Asset } from "../../model/asset.ts";
import { fieldsOf, sameValue, type SyncedField } from "../../model/synced.ts";
import type { AssetCapability, AssetDestinationSession, PutResult } from "../types.ts";
import type { groupFixture } from "./fixtures.ts";

/** What the steps need of the suite's run. */
export interface TwoWayRun {
  t: Deno.TestContext;
  session: AssetDestinationSession;
  /** The suite's inspector: the titles of the albums an asset is in, when it reads them. */
  inspect?: { albums?(remoteId: string): Promise<string[]> };
  has: (c: AssetCapability) => boolean;
  put: (overrides?: Parameters<typeof groupFixture>[1]) => Promise<{
    group: { asset: Asset; plan: { primary: string } };
    result: PutResult;
  }>;
}

/** An asset with every field a destination may keep. */
const SYNCED: Partial<Asset> = {
  favorite: true,
  captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 },
  caption: "Two-way",
  title: "Two-way title",
  keywords: ["one", "two"],
  location: { latitude: 45.5, longitude: 6.25 },
};

/**
 * A destination may read its server's clock in whole seconds, and a server's `Date` may be a
 * second old: a change is told apart from a checkpoint only once that much time has passed.
 */
const CLOCK_STEP_MS = 2100;

export async function twoWaySteps(run: TwoWayRun): Promise<void> {
  await readStep(run);
  await changesStep(run);
  await albumsStep(run);
  await removeAlbumsStep(run);
  await peopleStep(run);
}

const step = (run: TwoWayRun, name: string, ignore: boolean, fn: () => Promise<void>) =>
  run.t.step({ name, ignore, fn: async () => await fn() });

async function primaryOf(run: TwoWayRun, overrides: Parameters<typeof groupFixture>[1] = {}) {
  const { group, result } = await run.put(overrides);
  const id = result.resources.find((r) => r.key === group.plan.primary)!.remoteId;
  return { asset: group.asset, id };
}

async function readStep(run: TwoWayRun) {
  const name = "read() gives back what put() stored, and null for an id never given";
  await step(run, name, !run.has("read"), async () => {
    const { asset, id } = await primaryOf(run, { asset: SYNCED });
    const never = crypto.randomUUID();
    const answer = await run.session.read!([id, never]);
    assert.equal(answer[never], null);
    const expected = fieldsOf(asset);
    const kept = answer[id]!;
    assert.equal(kept.trashed, false);
    for (const [field, value] of Object.entries(kept.fields)) {
      const f = field as SyncedField;
      assert.ok(sameValue(f, value as never, expected[f] as never), `${f}: ${JSON.stringify(value)}`);
    }
  });
}

async function changesStep(run: TwoWayRun) {
  const name = "changes() lists an update() made after its checkpoint, and not after a later one";
  await step(run, name, !run.has("changes") || !run.has("update"), async () => {
    const { session } = run;
    const { id } = await primaryOf(run);
    const before = (await session.changes!(undefined)).checkpoint;
    await session.update!(id, { favorite: true });
    await new Promise((r) => setTimeout(r, CLOCK_STEP_MS));
    const after = await session.changes!(before);
    assert.ok(after.changed.includes(id), "the update is listed");
    assert.ok(!(await session.changes!(after.checkpoint)).changed.includes(id), "and not again");
  });
}

async function albumsStep(run: TwoWayRun) {
  const name = "albums() sets the asset's albums; set fewer, the one left out no longer has it";
  await step(run, name, !run.has("albums"), async () => {
    const { session } = run;
    const { id } = await primaryOf(run);
    const stamp = crypto.randomUUID();
    const [a, b] = ["A", "B"].map((n) => ({
      id: `two-way-${n}-${stamp}`,
      title: `Two-way ${n}`,
      folders: [],
    }));
    const check = async (albums: typeof a[]) => {
      if (run.has("read")) {
        assert.deepEqual((await session.read!([id]))[id]!.fields.albums, albums.map((x) => x.id).sort());
      }
      if (run.inspect?.albums) {
        const titles = await run.inspect.albums(id);
        for (const x of [a, b]) assert.equal(titles.includes(x.title), albums.includes(x), x.title);
      }
    };
    await session.albums!(id, [a, b]);
    await check([a, b]);
    await session.albums!(id, [a]);
    await check([a]);
  });
}

async function removeAlbumsStep(run: TwoWayRun) {
  const name = "removeAlbums() deletes an album it made and keeps its assets; again, no error";
  await step(run, name, !run.has("albums") || !run.has("removeAlbums"), async () => {
    const { session } = run;
    const { id } = await primaryOf(run);
    const stamp = crypto.randomUUID();
    const [kept, gone] = ["Kept", "Gone"].map((n) => ({
      id: `remove-${n}-${stamp}`,
      title: `Remove ${n}`,
      folders: [],
    }));
    await session.albums!(id, [kept, gone]);
    await session.removeAlbums!([gone.id]);
    await session.removeAlbums!([gone.id, `never-made-${stamp}`]);
    if (run.has("read")) {
      const held = (await session.read!([id]))[id];
      assert.ok(held && !held.trashed, "the asset of a deleted album stays");
      assert.deepEqual(held.fields.albums, [kept.id]);
    }
    if (run.inspect?.albums) {
      const titles = await run.inspect.albums(id);
      assert.ok(titles.includes(kept.title) && !titles.includes(gone.title), titles.join(", "));
    }
    // The album is made again, not looked for under the deleted one's id.
    await session.albums!(id, [kept, gone]);
    if (run.inspect?.albums) assert.ok((await run.inspect.albums(id)).includes(gone.title));
  });
}

async function peopleStep(run: TwoWayRun) {
  const name = "people() names people on an asset, read back by name";
  await step(run, name, !run.has("people") || !run.has("read"), async () => {
    const { session } = run;
    const { id } = await primaryOf(run);
    const face = { x: 0.2, y: 0.3, width: 0.1, height: 0.15 };
    await session.people!(id, [{ name: "Katie", face }, { name: "Maria", face }]);
    const names = async () => (await session.read!([id]))[id]!.fields.people?.map((p) => p.name);
    assert.deepEqual(await names(), ["Katie", "Maria"]);
    await session.people!(id, [{ name: "Maria", face }]);
    assert.deepEqual(await names(), ["Maria"]);
  });
}
