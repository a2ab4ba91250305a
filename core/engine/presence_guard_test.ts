import assert from "node:assert/strict";
import { join } from "node:path";
import type { AssetDestinationSession, Presence } from "../plugin/types.ts";
import { Tracker } from "../tracker/mod.ts";
import { checkDestinationHolds, PRESENCE_SAMPLE } from "./presence_guard.ts";
import { execute, query } from "../tracker/_testing.ts";

const KEY = "immich:http://nas";

/** A tracker that recorded `n` assets imported at KEY (remote ids r0, r1, …). */
async function withImported(n: number, fn: (t: Tracker) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const t = Tracker.open(join(dir, "tracker.db"));
  try {
    for (let i = 0; i < n; i++) {
      execute(
        t,
        `INSERT INTO transfers (source, asset_id, destination, status, primary_key) VALUES ('photos', ?, ?, 'imported', 'original')`,
        `a${i}`,
        KEY,
      );
      execute(
        t,
        `INSERT INTO resources (source, asset_id, destination, key, role, name, sha1, size, remote_id, recorded_at)
         VALUES ('photos', ?, ?, 'original', 'original', 'x.jpg', 'sha', 1, ?, 'now')`,
        `a${i}`,
        KEY,
        `r${i}`,
      );
    }
    t.stateSet("destination.folder", `held:${KEY}`, true);
    await fn(t);
  } finally {
    t.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** A destination holding the remote ids `holds`; records what it was asked. */
function destination(holds: Set<string>, asked: string[][] = []): AssetDestinationSession {
  return {
    key: KEY,
    put: () => Promise.reject(new Error("not here")),
    close: () => Promise.resolve(),
    presence(ids: string[]) {
      asked.push(ids);
      return Promise.resolve(
        Object.fromEntries(ids.map((id) => [id, holds.has(id) ? "present" : "gone"])) as Record<
          string,
          Presence
        >,
      );
    },
  };
}

Deno.test("a destination that holds none of a sample of the imported assets is refused", () =>
  withImported(1000, async (t) => {
    const asked: string[][] = [];
    await assert.rejects(
      checkDestinationHolds(t, destination(new Set(), asked)),
      (e: Error & { kind?: string }) =>
        e.kind === "fatal" &&
        /holds none of 20 sampled assets of the 1000 .*forget-destination/.test(e.message),
    );
    assert.equal(asked.length, 1);
    assert.equal(asked[0].length, PRESENCE_SAMPLE);
  }));

Deno.test("a destination that still holds some of the sample passes", () =>
  withImported(3, async (t) => {
    await checkDestinationHolds(t, destination(new Set(["r1"])));
  }));

Deno.test("nothing imported yet, or no presence capability: nothing is asked", () =>
  withImported(0, async (t) => {
    const asked: string[][] = [];
    await checkDestinationHolds(t, destination(new Set(), asked));
    assert.equal(asked.length, 0);
    const { presence: _, ...blind } = destination(new Set());
    await checkDestinationHolds(t, blind as AssetDestinationSession);
  }));

Deno.test("forgetting a destination drops its records so every asset is sent again", () =>
  withImported(5, async (t) => {
    assert.equal(t.forgetDestination(KEY), 5);
    assert.equal(query(t, `SELECT * FROM resources`).length, 0);
    assert.equal(t.stateGet("destination.folder", `held:${KEY}`), undefined);
    await checkDestinationHolds(t, destination(new Set()));
  }));

Deno.test("the sample is of imported assets still held at that destination, drawn at random, whatever the rows around them", () =>
  withImported(1000, (t) => {
    // Most rows now belong elsewhere or are not imported: the quick draw by row id misses, the full pass finds them.
    execute(t, `UPDATE transfers SET remote_gone_at = 'then' WHERE asset_id NOT IN ('a1', 'a500', 'a999')`);
    assert.deepEqual(t.sampleRemoteIds(KEY, PRESENCE_SAMPLE).sort(), ["r1", "r500", "r999"]);
    execute(t, `UPDATE transfers SET remote_gone_at = NULL`);
    execute(t, `UPDATE transfers SET status = 'failed' WHERE asset_id = 'a7'`);
    const draws = [0, 1, 2].map(() => t.sampleRemoteIds(KEY, PRESENCE_SAMPLE));
    for (const d of draws) {
      assert.equal(new Set(d).size, PRESENCE_SAMPLE, "twenty distinct assets");
      assert.ok(!d.includes("r7"), "a failed transfer is never sampled");
    }
    assert.notDeepEqual(draws[0].sort(), draws[1].sort(), "each run asks about other assets");
    assert.deepEqual(t.sampleRemoteIds("folder:/elsewhere", PRESENCE_SAMPLE), []);
    return Promise.resolve();
  }));
