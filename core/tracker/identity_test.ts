import assert from "node:assert/strict";
import { join } from "node:path";
import type { Asset } from "../model/asset.ts";
import { bindLibrary, remember, remembered } from "./identity.ts";
import { MIGRATIONS } from "./migrations.ts";
import { Tracker } from "./mod.ts";
import { execute, query } from "./_testing.ts";

const IDS = { source: "photos", destination: "folder:/x" };

function asset(id: string): Asset {
  return {
    id,
    kind: "photo",
    filename: `${id}.jpg`,
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: [],
    resources: [{ role: "original", filename: `${id}.jpg`, present: true, path: `/lib/${id}.jpg` }],
  };
}

async function withPath(fn: (path: string) => void | Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(join(dir, "tracker.db"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A tracker at schema 5 (before libraries had ids) holding one asset. */
function oldTracker(path: string): void {
  const old = Tracker.open(path, { migrations: MIGRATIONS.slice(0, 5) });
  execute(
    old,
    `INSERT INTO assets (source, asset_id, filename, media_kind, first_seen_at, last_seen_at)
     VALUES ('photos', 'x', 'x.jpg', 'photo', '2024-01-01', '2024-01-01')`,
  );
  old.close();
}

const libraryOf = (t: Tracker, id: string) =>
  query<{ library_id: string | null }>(t, `SELECT library_id FROM assets WHERE asset_id = ?`, id)[0]
    ?.library_id;

Deno.test("assets are recorded under the library bound to their source", () =>
  withPath((path) => {
    const t = Tracker.open(path);
    try {
      bindLibrary(t, { source: "photos", libraryId: "photos:A", location: "/a" }, { dryRun: false });
      t.recordSkipped(IDS, asset("x"), "policy");
      assert.equal(libraryOf(t, "x"), "photos:A");
      // The same library, moved: still accepted.
      bindLibrary(t, { source: "photos", libraryId: "photos:A", location: "/moved" }, { dryRun: false });
    } finally {
      t.close();
    }
  }));

Deno.test("a second library under the same source is refused, naming the first", () =>
  withPath((path) => {
    const t = Tracker.open(path);
    try {
      bindLibrary(t, { source: "photos", libraryId: "photos:A", location: "/a.photoslibrary" }, {
        dryRun: false,
      });
      t.recordSkipped(IDS, asset("x"), "policy");
      t.libraryIds.clear();
      assert.throws(
        () => bindLibrary(t, { source: "photos", libraryId: "photos:B", location: "/b" }, { dryRun: false }),
        (e: Error & { kind?: string }) =>
          e.kind === "config" &&
          /\/b is not the library .*\/a\.photoslibrary.*1 assets.*--home/.test(e.message),
      );
      // Another source key (a folder source) is a different namespace: not refused.
      bindLibrary(t, { source: "folder:/f", libraryId: "photos:B", location: "/b" }, { dryRun: false });
    } finally {
      t.close();
    }
  }));

Deno.test("rows from before migration 6 adopt the first library seen", () =>
  withPath((path) => {
    oldTracker(path);
    const t = Tracker.open(path);
    try {
      assert.equal(libraryOf(t, "x"), null);
      bindLibrary(t, { source: "photos", libraryId: "photos:A", location: "/a" }, { dryRun: false });
      assert.equal(libraryOf(t, "x"), "photos:A");
      t.libraryIds.clear();
      assert.throws(() =>
        bindLibrary(t, { source: "photos", libraryId: "photos:B", location: "/b" }, { dryRun: false })
      );
    } finally {
      t.close();
    }
  }));

Deno.test("a dry run binds in memory and writes nothing", () =>
  withPath((path) => {
    oldTracker(path);
    const t = Tracker.open(path);
    try {
      bindLibrary(t, { source: "photos", libraryId: "photos:A", location: "/a" }, { dryRun: true });
      assert.equal(libraryOf(t, "x"), null);
      assert.equal(query(t, `SELECT * FROM libraries`).length, 0);
    } finally {
      t.close();
    }
  }));

Deno.test("remember replaces what the last import ran with", () =>
  withPath((path) => {
    const t = Tracker.open(path);
    try {
      remember(t, { PHOTOS_SYNC_TO: "immich", PHOTOS_SYNC_IMMICH_URL: "http://nas" });
      remember(t, { PHOTOS_SYNC_TO: "folder" });
      assert.deepEqual(remembered(t), { PHOTOS_SYNC_TO: "folder" });
    } finally {
      t.close();
    }
  }));
