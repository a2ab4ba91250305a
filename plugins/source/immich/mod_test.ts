/** `source.immich` against the emulator: conformance, what the listing holds, and `ids`. */
import assert from "node:assert/strict";
import type { Asset } from "../../../core/model/asset.ts";
import { flagName, type OptionSpec } from "../../../core/plugin/options.ts";
import { sourceSuite } from "../../../core/plugin/testing/mod.ts";
import { open as openDestination, VERSIONS } from "../../destination/immich/_test_fixtures.ts";
import immichDestination from "../../destination/immich/mod.ts";
import immichSource from "./mod.ts";
import { filledServer, openSource, sourceOptions } from "./_test_server.ts";

async function listAll(session: { list(): AsyncIterable<Asset> }): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  for await (const a of session.list()) assets.set(a.id, a);
  return assets;
}

for (const version of VERSIONS) {
  Deno.test(`source.immich passes the source suite (Immich ${version})`, async (t) => {
    await using filled = await filledServer(version);
    await sourceSuite(t, immichSource, { options: sourceOptions(filled.server) });
  });

  Deno.test(`the listing holds every asset of the account once, outside the trash, Live Photo videos inside their stills (Immich ${version})`, async () => {
    await using t = await filledServer(version);
    const session = await openSource(t);
    const { ids } = t;
    const assets = await listAll(session);
    assert.deepEqual([...assets.keys()].sort(), [ids.live, ids.hidden, ids.video, ids.elsewhere].sort());

    const live = assets.get(ids.live)!;
    assert.deepEqual(live.subtypes, ["live"]);
    assert.deepEqual(live.resources.map((r) => [r.role, r.filename]), [
      ["original", "IMG_0001.HEIC"],
      ["motion", "IMG_0001.MOV"],
    ]);
    assert.equal(live.sourceData?.motionId, ids.motion);
    assert.equal(live.favorite, true);
    assert.equal(live.caption, "On the bridge");
    assert.deepEqual(live.keywords, ["Bridges", "Trips/Paris"], "no parent tag, no media-type tag");
    assert.deepEqual(live.albums, [{ id: ids.albumId, title: "Trips / Paris", folders: [] }]);
    assert.deepEqual(live.people?.map((p) => p.name), ["Maria"]);
    const face = live.people![0].face!;
    assert.ok(Math.abs(face.x - 0.25) < 1e-3 && Math.abs(face.y - 0.5) < 1e-3, JSON.stringify(face));
    assert.deepEqual(live.captured, { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 });

    const hidden = assets.get(ids.hidden)!;
    assert.deepEqual([hidden.hidden, hidden.sourceData?.visibility], [true, "archive"]);
    assert.equal(assets.get(ids.video)!.kind, "video");
    assert.deepEqual(assets.get(ids.elsewhere)!.albums, []);
    assert.deepEqual(
      [hidden.keywords, assets.get(ids.elsewhere)!.keywords],
      [[], []],
      "a tag finds its own assets only",
    );
    for (const a of assets.values()) {
      const size = (t.server.emulator.state.assets.get(a.id)!).size;
      assert.equal(a.resources[0].size, size, `${a.filename}: the size Immich knows`);
    }
    await session.close();
  });

  Deno.test(`the session is keyed like the destination and says the server version (Immich ${version})`, async () => {
    await using t = await filledServer(version);
    const source = await openSource(t);
    const destination = await openDestination(t.server, t.ctx);
    assert.equal(source.key, destination.key);
    assert.match(source.key, /^immich:http:\/\/127\.0\.0\.1:\d+#/);
    assert.equal(source.info.server, `Immich ${version}`);
    await destination.close();
  });
}

Deno.test("locked assets are left out without asking (an API key gets 401 there), and pages of 1,000 are followed", async () => {
  await using t = await filledServer("1.135.3");
  const state = t.server.emulator.state;
  const template = state.assets.get(t.ids.elsewhere)!;
  const added = Array.from({ length: 1000 }, (_, i) => {
    const id = crypto.randomUUID();
    state.addAsset({ ...template, id, checksum: i.toString(16).padStart(40, "0"), tagIds: new Set() });
    return id;
  });
  state.assets.get(added[0])!.visibility = "locked";
  const pages: unknown[] = [];
  t.server.emulator.onRequest = async (seen) => {
    if (seen.stage === "arrived" && seen.route === "POST /api/search/metadata") pages.push(await seen.json());
  };
  const assets = await listAll(await openSource(t));
  assert.equal(assets.size, 4 + 999);
  assert.ok(!assets.has(added[0]), "the locked asset is not listed");
  assert.ok(added.slice(1).every((id) => assets.has(id)));
  const asked = pages as { visibility: string; page: number; size: number }[];
  assert.ok(asked.every((p) => p.visibility !== "locked" && p.size === 1000));
  assert.ok(asked.some((p) => p.visibility === "timeline" && p.page === 2), "the second page is read");
});

Deno.test("ids: only those assets, each looked up by itself, with its video, albums and keywords", async () => {
  await using t = await filledServer("3.2.2");
  const unknown = crypto.randomUUID();
  const searches = t.server.emulator.count("POST /api/search/metadata");
  const session = await openSource(t, { ids: [t.ids.live, t.ids.trashed, unknown] });
  const assets = await listAll(session);
  assert.deepEqual([...assets.keys()], [t.ids.live]);
  const live = assets.get(t.ids.live)!;
  assert.deepEqual(live.resources.map((r) => r.role), ["original", "motion"]);
  assert.deepEqual(live.keywords, ["Bridges", "Trips/Paris"]);
  assert.deepEqual(live.albums.map((a) => a.id), [t.ids.albumId]);
  assert.equal(t.server.emulator.count("POST /api/search/metadata"), searches, "no listing of the account");
  assert.equal(t.ctx.logs.filter((l) => l.startsWith("warn")).length, 2, t.ctx.logs.join("\n"));
});

Deno.test("its flags do not clash with the destination's, and it reads the same variables", () => {
  const flags = (p: typeof immichSource | typeof immichDestination) =>
    p.options.map((o: OptionSpec) => flagName(p.id, o));
  const shared = flags(immichSource).filter((f) => flags(immichDestination).includes(f));
  assert.deepEqual(shared, []);
  const env = (name: string) =>
    (immichSource.options as readonly OptionSpec[]).find((o) => o.name === name)!.env;
  assert.deepEqual([env("url"), env("api-key")], [["IMMICH_URL"], ["IMMICH_API_KEY"]]);
});
