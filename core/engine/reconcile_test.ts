import assert from "node:assert/strict";
import { fieldsOf, sameValue, type SyncedFields } from "../model/synced.ts";
import { assetFixture } from "../plugin/testing/fixtures.ts";
import { reconcile } from "./reconcile.ts";

const base: SyncedFields = fieldsOf(assetFixture({
  caption: "harbour",
  keywords: ["sea"],
  location: { latitude: 48.8, longitude: 2.3 },
  captured: { utc: "2024-05-01T10:00:00.000Z", offsetSeconds: 7200 },
}));
/** What Immich keeps: everything but the title. */
const { title: _title, ...immichBase } = base;

Deno.test("a field changed on one side goes to the other; unchanged fields go nowhere", () => {
  const photos = { ...base, favorite: true, keywords: ["sea", "sun"] };
  const remote = { ...immichBase, caption: "harbour at dusk" };
  const r = reconcile({ base, photos, remote, prefer: "ask" });
  assert.deepEqual(r.toRemote, { favorite: true, keywords: ["sea", "sun"] });
  assert.deepEqual(r.toPhotos, { caption: "harbour at dusk" });
  assert.deepEqual(r.conflicts, []);
  assert.equal(r.agreed.caption, "harbour at dusk");
  assert.equal(r.agreed.favorite, true);
});

Deno.test("a second reconcile after the writes has nothing to do", () => {
  const photos = { ...base, favorite: true };
  const first = reconcile({ base, photos, remote: { ...immichBase, caption: "new" }, prefer: "ask" });
  const after = { ...photos, ...first.toPhotos };
  const remoteAfter = { ...immichBase, caption: "new", ...first.toRemote };
  delete (remoteAfter as Partial<SyncedFields>).title;
  const second = reconcile({ base: first.agreed, photos: after, remote: remoteAfter, prefer: "ask" });
  assert.deepEqual([second.toRemote, second.toPhotos, second.conflicts], [{}, {}, []]);
});

Deno.test("the same change on both sides is agreed, not a conflict; different changes are one conflict each", () => {
  const same = reconcile({
    base,
    photos: { ...base, caption: "both" },
    remote: { ...immichBase, caption: "both" },
    prefer: "ask",
  });
  assert.deepEqual([same.toRemote, same.toPhotos, same.conflicts], [{}, {}, []]);
  const differ = reconcile({
    base,
    photos: { ...base, caption: "from Photos" },
    remote: { ...immichBase, caption: "from Immich" },
    prefer: "ask",
  });
  assert.deepEqual(differ.conflicts, [{
    field: "caption",
    base: "harbour",
    photos: "from Photos",
    remote: "from Immich",
  }]);
  assert.deepEqual([differ.toRemote, differ.toPhotos], [{}, {}], "a conflict changes neither side");
  assert.equal(differ.agreed.caption, "harbour", "the base stays, so the next sync sees the conflict again");
});

Deno.test("--prefer settles a conflict: photos, immich, or the newer side", () => {
  const input = {
    base,
    photos: { ...base, favorite: true },
    remote: { ...immichBase, favorite: false, caption: "x" },
  };
  // favorite: Photos changed it, Immich did not; caption: only Immich changed. No conflict yet.
  assert.deepEqual(reconcile({ ...input, prefer: "ask" }).conflicts, []);
  const both = { base, photos: { ...base, caption: "p" }, remote: { ...immichBase, caption: "i" } };
  assert.deepEqual(reconcile({ ...both, prefer: "photos" }).toRemote, { caption: "p" });
  assert.deepEqual(reconcile({ ...both, prefer: "immich" }).toPhotos, { caption: "i" });
  assert.deepEqual(reconcile({ ...both, prefer: "newer", photosIsNewer: true }).toRemote, { caption: "p" });
  assert.deepEqual(reconcile({ ...both, prefer: "newer", photosIsNewer: false }).toPhotos, { caption: "i" });
  assert.equal(reconcile({ ...both, prefer: "newer" }).conflicts.length, 1, "newer without dates asks");
});

Deno.test("a field the destination does not keep only travels from Photos, and only when it changed", () => {
  const unchanged = reconcile({ base, photos: base, remote: immichBase, prefer: "ask" });
  assert.deepEqual(unchanged.toRemote, {});
  const retitled = reconcile({
    base,
    photos: { ...base, title: "New title" },
    remote: immichBase,
    prefer: "ask",
  });
  assert.deepEqual(retitled.toRemote, { title: "New title" });
  assert.deepEqual(retitled.toPhotos, {});
});

Deno.test("without a base Photos' value goes once; a stale remote value never comes back", () => {
  const photos = { ...base, caption: "mine" };
  const r = reconcile({ photos, remote: { ...immichBase, caption: "extracted from EXIF" }, prefer: "ask" });
  assert.deepEqual(r.toRemote.caption, "mine");
  assert.deepEqual(r.toPhotos, {});
  assert.deepEqual(r.conflicts, []);
});

Deno.test("sameValue() compares as both sides store: sets, rounding, offsets, names", () => {
  assert.ok(sameValue("keywords", ["b", "a"], ["a", "b"]));
  assert.ok(sameValue("location", { latitude: 48.8583701, longitude: 2.2944813 }, {
    latitude: 48.85837,
    longitude: 2.294481,
  }));
  assert.ok(!sameValue("location", { latitude: 48.8, longitude: 2.3 }, { latitude: 48.9, longitude: 2.3 }));
  const utc = "2024-05-01T10:00:00.000Z";
  assert.ok(
    sameValue("captured", { utc, offsetSeconds: 7200 }, { utc: "2024-05-01T10:00:00Z", offsetSeconds: null }),
  );
  assert.ok(!sameValue("captured", { utc, offsetSeconds: 7200 }, { utc, offsetSeconds: 3600 }));
  assert.ok(
    sameValue("people", [{ name: "Katie", face: { x: 0, y: 0, width: 1, height: 1 } }], [{ name: "Katie" }]),
  );
  assert.ok(!sameValue("people", [{ name: "Katie" }], [{ name: "Suzy" }]));
  assert.ok(sameValue("caption", null, null));
  assert.ok(!sameValue("caption", null, ""));
});

Deno.test("a field the source does not read is never pushed; a change at the destination still goes into Photos", () => {
  const { caption: _c, keywords: _k, ...photos } = { ...base, favorite: true };
  const r = reconcile({ base, photos, remote: { ...immichBase, caption: "from Immich" }, prefer: "ask" });
  assert.deepEqual(r.toRemote, { favorite: true });
  assert.deepEqual(r.toPhotos, { caption: "from Immich" });
  const first = reconcile({ photos, remote: { ...immichBase, caption: "from Immich" }, prefer: "ask" });
  assert.equal(first.toPhotos.caption, undefined, "without a base, an unread field moves nothing");
  assert.equal(first.agreed.caption, "from Immich");
});
