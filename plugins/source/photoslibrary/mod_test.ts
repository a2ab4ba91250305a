import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Asset } from "../../../core/model/asset.ts";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { ConfigError, PermanentError } from "../../../core/plugin/errors.ts";
import { sourceSuite } from "../../../core/plugin/testing/mod.ts";
import type { SourceSession } from "../../../core/plugin/types.ts";
import { createTestContext, withSampleLibrary } from "./_test_context.ts";
import photoslibrary from "./mod.ts";

/** Opens `library`, hands the session to `fn`, and always closes both session and context. */
async function withSession<T>(library: string, fn: (session: SourceSession) => Promise<T>): Promise<T> {
  const ctx = await createTestContext();
  try {
    const session = await photoslibrary.open({ library }, ctx);
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  } finally {
    await ctx.dispose();
  }
}

async function listAll(session: SourceSession): Promise<Asset[]> {
  const assets: Asset[] = [];
  for await (const asset of session.list()) assets.push(asset);
  return assets;
}

async function openError(library: string): Promise<Error> {
  const ctx = await createTestContext();
  try {
    await photoslibrary.open({ library }, ctx);
  } catch (error) {
    return error as Error;
  } finally {
    await ctx.dispose();
  }
  throw new Error(`opening ${library} should have failed`);
}

const sha1 = (path: string) => createHash("sha1").update(readFileSync(path)).digest("hex");

Deno.test("source.photoslibrary passes the source conformance suite", async (t) => {
  await withSampleLibrary((info) => sourceSuite(t, photoslibrary, { options: { library: info.path } }));
});

Deno.test("list() reports exactly the sample's facts", async () => {
  await withSampleLibrary(async (info) => {
    const assets = await withSession(info.path, listAll);
    assert.equal(assets.length, info.assets);
    const byId = new Map(assets.map((a) => [a.id, a]));
    const { uuids, facts } = info;

    const live = byId.get(uuids.live)!;
    assert.deepEqual(live.subtypes, ["live"]);
    assert.equal(live.liveContentId, facts.liveContentId);
    assert.deepEqual(live.resources.map((r) => [r.role, r.filename, r.present]), [
      ["original", "IMG_0001.PNG", true],
      ["motion", "IMG_0001.MOV", true],
    ]);
    assert.equal(live.resources[1].path, join(info.path, "originals", uuids.live[0], `${uuids.live}_3.mov`));
    assert.equal(live.resources[0].path, join(info.path, "originals", uuids.live[0], `${uuids.live}.png`));

    const video = byId.get(uuids.video)!;
    assert.equal(video.kind, "video");
    assert.equal(video.uti, "com.apple.quicktime-movie");
    assert.equal(video.durationSeconds, 3.2);
    assert.deepEqual(video.resources.map((r) => r.role), ["original"]);

    const favorite = byId.get(uuids.favorite)!;
    assert.equal(favorite.favorite, true, "the favourite flag lives in the WAL");
    assert.deepEqual(favorite.albums, [
      { id: facts.favoriteAlbum.uuid, title: "Family", folders: [], position: 1024 },
    ]);
    assert.equal(byId.get(uuids.hidden)!.hidden, true);
    assert.equal(byId.get(uuids.trashed)!.trashed, true);

    // The trashed album "Old" and the built-in progress album are not user albums.
    assert.deepEqual(byId.get(uuids.inAlbum)!.albums, [
      { id: facts.album.uuid, title: "Paris", folders: ["Trips", "2024"], position: 2048 },
    ]);
    assert.deepEqual(live.albums.map((a) => a.title), ["Paris"]);

    const captioned = byId.get(uuids.captioned)!;
    assert.equal(captioned.caption, facts.caption);
    assert.equal(captioned.title, facts.title);
    assert.deepEqual(captioned.keywords.toSorted(), facts.keywords.toSorted());

    const located = byId.get(uuids.located)!;
    assert.deepEqual(located.location, facts.location);
    assert.deepEqual(located.captured, {
      utc: facts.locatedCaptured,
      offsetSeconds: facts.timeZone.offsetSeconds,
      timeZone: facts.timeZone.name,
    });

    for (const asset of assets) {
      const special = [uuids.favorite, uuids.hidden, uuids.trashed];
      if (!special.includes(asset.id)) {
        assert.deepEqual([asset.favorite, asset.hidden, asset.trashed], [false, false, false]);
      }
      if (asset.id !== uuids.located) assert.equal(asset.location, undefined, `${asset.id} has no location`);
      assert.ok(asset.resources.every((r) => r.present), `${asset.id} files are present`);
      assert.equal(asset.edited, false);
      assert.equal(asset.referenced, false);
    }
  });
});

Deno.test("list() yields the newest capture first", async () => {
  await withSampleLibrary(async (info) => {
    const dates = (await withSession(info.path, listAll)).map((a) => a.captured!.utc);
    assert.deepEqual(dates, dates.toSorted().reverse());
  }, { assets: 200, files: false });
});

Deno.test("list() marks resources absent when the files are missing or not downloaded", async () => {
  await withSampleLibrary(async (info) => {
    const db = new DatabaseSync(info.database);
    db.prepare(
      "UPDATE ZINTERNALRESOURCE SET ZLOCALAVAILABILITY = -1 WHERE ZDATASTORESUBTYPE = 18 AND ZASSET = (SELECT Z_PK FROM ZASSET WHERE ZUUID = ?)",
    ).run(info.uuids.live);
    db.close();
    rmSync(join(info.path, "originals", info.uuids.video[0], `${info.uuids.video}.mov`));
    const assets = await withSession(info.path, listAll);
    const live = assets.find((a) => a.id === info.uuids.live)!;
    assert.deepEqual(live.resources.map((r) => r.present), [true, false], "file on disk but not available");
    const video = assets.find((a) => a.id === info.uuids.video)!;
    assert.equal(video.resources[0].present, false, "available but file gone");
  });
});

Deno.test("with files: false every resource is reported absent", async () => {
  await withSampleLibrary(async (info) => {
    const assets = await withSession(info.path, listAll);
    assert.equal(assets.length, 60);
    assert.ok(assets.every((a) => a.resources.every((r) => !r.present)));
  }, { assets: 60, files: false });
});

Deno.test("export() returns the library's own files for the planned resources", async () => {
  await withSampleLibrary(async (info) => {
    await withSession(info.path, async (session) => {
      const live = (await listAll(session)).find((a) => a.id === info.uuids.live)!;
      const plan = new PlanBuilder(live).add("motion", live.resources[1], { hidden: true }).build();
      const dir = await Deno.makeTempDir();
      try {
        const files = await session.export({ asset: live, plan, dir, allowNetwork: false });
        assert.deepEqual(files, [
          { key: "original", path: live.resources[0].path },
          { key: "motion", path: live.resources[1].path },
        ]);
        assert.equal((await Deno.readDir(dir)[Symbol.asyncIterator]().next()).done, true, "nothing copied");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    });
  });
});

Deno.test("export() throws PermanentError naming the asset and file when a planned file is missing", async () => {
  await withSampleLibrary(async (info) => {
    await withSession(info.path, async (session) => {
      const live = (await listAll(session)).find((a) => a.id === info.uuids.live)!;
      const motion = live.resources[1].path!;
      rmSync(motion);
      const plan = new PlanBuilder(live).add("motion", live.resources[1]).build();
      const error = await session.export({ asset: live, plan, dir: "/nonexistent", allowNetwork: false })
        .then(() => undefined, (e) => e);
      assert.ok(error instanceof PermanentError, `got ${error}`);
      assert.match(error.message, new RegExp(info.uuids.live));
      assert.match(error.message, /IMG_0001\.PNG/);
      assert.ok(error.message.includes(motion), "names the missing file");
    });
  });
});

Deno.test("listing and exporting leave the library's database and WAL byte-identical", async () => {
  await withSampleLibrary(async (info) => {
    const files = [info.database, `${info.database}-wal`];
    const before = files.map(sha1);
    await withSession(info.path, async (session) => {
      for (const asset of await listAll(session)) {
        await session.export({
          asset,
          plan: new PlanBuilder(asset).build(),
          dir: "/unused",
          allowNetwork: false,
        });
      }
    });
    assert.deepEqual(files.map(sha1), before);
  });
});

Deno.test("list() stops with an error when the run is cancelled", async () => {
  await withSampleLibrary(async (info) => {
    const ctx = await createTestContext();
    try {
      const session = await photoslibrary.open({ library: info.path }, ctx);
      try {
        const seen: string[] = [];
        await assert.rejects(async () => {
          for await (const asset of session.list()) {
            seen.push(asset.id);
            ctx.abort.abort(new Error("cancelled by test"));
          }
        }, /cancelled by test/);
        assert.equal(seen.length, 1);
      } finally {
        await session.close();
      }
    } finally {
      await ctx.dispose();
    }
  });
});

Deno.test("open() explains a missing path, a folder without a database and a missing option", async () => {
  const root = await Deno.makeTempDir();
  try {
    const missing = await openError(join(root, "Nope.photoslibrary"));
    assert.ok(missing instanceof ConfigError);
    assert.match(missing.message, /not found: .*Nope\.photoslibrary does not exist.*--library/);

    mkdirSync(join(root, "Empty.photoslibrary"));
    const empty = await openError(join(root, "Empty.photoslibrary"));
    assert.ok(empty instanceof ConfigError);
    assert.match(empty.message, /not a Photos library: database\/Photos\.sqlite is missing/);

    mkdirSync(join(root, "Old.photoslibrary", "database"), { recursive: true });
    writeFileSync(join(root, "Old.photoslibrary", "database", "photos.db"), "");
    assert.match((await openError(join(root, "Old.photoslibrary"))).message, /Photos 4 or older/);

    writeFileSync(join(root, "file.txt"), "x");
    assert.match((await openError(join(root, "file.txt"))).message, /is a file, not a Photos library/);

    // Without a library the host refuses before open(), with what the source declares it needs.
    assert.match(photoslibrary.needsLibrary, /^the library: set --library or PHOTOS_SYNC_LIBRARY/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("open() tells an SQLite file that is not Photos, a garbage file and a locked database apart", async () => {
  const root = await Deno.makeTempDir();
  try {
    const library = (name: string) => {
      mkdirSync(join(root, name, "database"), { recursive: true });
      return join(root, name);
    };
    const other = library("Other.photoslibrary");
    const db = new DatabaseSync(join(other, "database", "Photos.sqlite"));
    db.exec("CREATE TABLE notes (text TEXT)");
    db.close();
    const notPhotos = await openError(other);
    assert.ok(notPhotos instanceof ConfigError);
    assert.match(notPhotos.message, /not a Photos library's: it has no ZASSET or ZGENERICASSET table/);

    const garbage = library("Garbage.photoslibrary");
    writeFileSync(
      join(garbage, "database", "Photos.sqlite"),
      "this is not a database, just text ".repeat(200),
    );
    const broken = await openError(garbage);
    assert.ok(broken instanceof ConfigError);
    assert.match(broken.message, /damaged or not an SQLite database.*restore it from a backup/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }

  await withSampleLibrary(async (info) => {
    const writer = new DatabaseSync(info.database);
    try {
      writer.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE ZASSET SET Z_OPT = Z_OPT;");
      const locked = await openError(info.path);
      assert.ok(locked instanceof ConfigError);
      assert.match(locked.message, /is locked by another program.*Quit Photos/);
    } finally {
      writer.exec("ROLLBACK");
      writer.close();
    }
  });
});

Deno.test("two listings of one session may overlap, and each sees every asset", async () => {
  await withSampleLibrary(async (info) => {
    await withSession(info.path, async (session) => {
      let outer = 0;
      let inner = 0;
      for await (const _ of session.list()) {
        if (++outer === 3) inner = (await listAll(session)).length;
      }
      assert.deepEqual([outer, inner], [info.assets, info.assets]);
    });
  }, { assets: 1200, files: false });
});

Deno.test("list() pages through equal capture dates without losing or repeating an asset", async () => {
  await withSampleLibrary(async (info) => {
    const db = new DatabaseSync(info.database);
    // 700 assets share one instant, across page boundaries; one more has no date at all.
    db.exec("UPDATE ZASSET SET ZDATECREATED = 700000000 WHERE Z_PK BETWEEN 300 AND 999");
    db.exec("UPDATE ZASSET SET ZDATECREATED = NULL WHERE Z_PK = 1100");
    const expected = db.prepare(
      "SELECT ZUUID FROM ZASSET WHERE ZDATECREATED IS NOT NULL ORDER BY ZDATECREATED DESC, Z_PK DESC",
    ).all().map((r) => r.ZUUID);
    const undated = db.prepare("SELECT ZUUID FROM ZASSET WHERE Z_PK = 1100").get()!.ZUUID;
    db.close();
    const ids = (await withSession(info.path, listAll)).map((a) => a.id);
    assert.equal(new Set(ids).size, 1200);
    assert.deepEqual(ids.slice(0, -1), expected);
    assert.equal(ids.at(-1), undated, "the undated asset comes last");
  }, { assets: 1200, files: false });
});

Deno.test("a listing stopped early ends its read, and the next listing sees later changes", async () => {
  await withSampleLibrary(async (info) => {
    await withSession(info.path, async (session) => {
      for await (const _ of session.list()) break;
      // Photos changes the library between two listings of one session.
      const writer = new DatabaseSync(info.database);
      writer.prepare("UPDATE ZASSET SET ZHIDDEN = 1 WHERE ZUUID = ?").run(info.uuids.video);
      writer.close();
      const video = (await listAll(session)).find((a) => a.id === info.uuids.video)!;
      assert.equal(video.hidden, true, "a read left open would still show the old snapshot");
    });
  });
});
