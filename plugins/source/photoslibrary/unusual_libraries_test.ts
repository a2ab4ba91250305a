/**
 * Libraries the reader has never seen: damaged, locked, empty, newer than it knows, with missing
 * originals, and the cases no fixture covers (iCloud-only originals, a Shared Library, ProRAW,
 * screen recordings, shared moments, "Shared with You"), made by editing copies of the real
 * fixtures' databases as the Photos reference suggests.
 */
import { LIBRARIES } from "../../../tests/shared_data.ts";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DatabaseSync } from "node:sqlite";
import type { Asset } from "../../../core/model/asset.ts";
import { ConfigError, FatalError } from "../../../core/plugin/errors.ts";
import type { SourceSession } from "../../../core/plugin/types.ts";
import { encodeBinaryPlist } from "./_bplist.ts";
import { createTestContext, type TestContext } from "./_test_context.ts";
import photoslibrary from "./mod.ts";

const ignore = !existsSync(join(LIBRARIES, "README.md"));

/**
 * A bundle in a temp dir holding a copy of fixture `name`'s database and no media files;
 * `edit` may change the copy with SQL before the reader sees it.
 */
async function withCopy<T>(
  name: string,
  fn: (bundle: string) => Promise<T>,
  edit?: (db: DatabaseSync, bundle: string) => void,
): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "photoslibrary-unusual-" });
  try {
    const bundle = join(root, `${name}.photoslibrary`);
    mkdirSync(join(bundle, "database"), { recursive: true });
    for (const file of ["Photos.sqlite", "Photos.sqlite-wal", "Photos.sqlite-shm"]) {
      const from = join(LIBRARIES, `${name}.photoslibrary`, "database", file);
      if (existsSync(from)) {
        copyFileSync(from, join(bundle, "database", file));
        Deno.chmodSync(join(bundle, "database", file), 0o644);
      }
    }
    if (edit) {
      const db = new DatabaseSync(join(bundle, "database", "Photos.sqlite"));
      try {
        // Core Data's triggers call functions only Photos has; the reader never relies on them.
        for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all()) {
          db.exec(`DROP TRIGGER "${name}"`);
        }
        edit(db, bundle);
      } finally {
        db.close();
      }
    }
    return await fn(bundle);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function listWith(
  library: string,
  ctx?: TestContext,
): Promise<{ assets: Asset[]; session: SourceSession }> {
  const context = ctx ?? await createTestContext();
  try {
    const session = await photoslibrary.open({ library }, context);
    try {
      const assets: Asset[] = [];
      for await (const asset of session.list()) assets.push(asset);
      return { assets, session };
    } finally {
      await session.close();
    }
  } finally {
    if (!ctx) await context.dispose();
  }
}

const byId = (assets: Asset[], id: string) => assets.find((a) => a.id === id)!;
const test = (name: string, fn: () => Promise<void>) => Deno.test({ name, ignore, fn });

test("an empty library lists nothing, without error", async () => {
  await withCopy(
    "Test-26.1",
    async (bundle) => {
      const { assets, session } = await listWith(bundle);
      assert.deepEqual(assets, []);
      assert.equal(session.info?.modelVersion, 19320);
    },
    (db) =>
      db.exec("DELETE FROM ZASSET; DELETE FROM ZADDITIONALASSETATTRIBUTES; DELETE FROM ZINTERNALRESOURCE"),
  );
});

test("a library whose originals are all gone lists every asset with every file absent", async () => {
  await withCopy("Test-Media-Types-15.7.2", async (bundle) => {
    const { assets } = await listWith(bundle);
    assert.equal(assets.length, 18);
    assert.ok(assets.every((a) => a.resources.length > 0 && a.resources.every((r) => !r.present)));
    assert.ok(assets.every((a) => a.cloud?.originalLocal), "Photos still believes they are here");
  });
});

test("a newer, unknown schema is read as discovered, with a warning naming the model", async () => {
  await withCopy("Test-Media-Types-15.7.2", async (bundle) => {
    const ctx = await createTestContext();
    try {
      const { assets, session } = await listWith(bundle, ctx);
      assert.equal(assets.length, 18);
      assert.equal(session.info?.modelVersion, 21000);
      assert.equal(session.info?.release, "a Photos newer than 11.1");
      assert.ok(ctx.logged.some((l) => l.level === "warn" && /newer than any .*model 21000/.test(l.message)));
      // The HDR column is gone: that fact degrades to "not HDR", every other fact stays.
      assert.ok(assets.every((a) => !a.subtypes.includes("hdr")));
      assert.deepEqual((session.info?.columns as Record<string, unknown>).hdr, null);
      assert.equal(assets.filter((a) => a.subtypes.includes("live")).length, 5);
      assert.equal(assets.filter((a) => a.subtypes.includes("spatial")).length, 1);
    } finally {
      await ctx.dispose();
    }
  }, (db) => {
    db.exec(`
      ALTER TABLE ZASSET ADD COLUMN ZFUTUREFLAG INTEGER;
      CREATE TABLE ZFUTURETHING (Z_PK INTEGER PRIMARY KEY, ZASSET INTEGER, ZVALUE VARCHAR);
      DROP INDEX IF EXISTS Z_Asset_byCustomRenderedValueIndex;
      ALTER TABLE ZASSET DROP COLUMN ZHDRTYPE;`);
    db.prepare("UPDATE Z_METADATA SET Z_PLIST = ?").run(encodeBinaryPlist({ PLModelVersion: 21000 }));
  });
});

test("a damaged metadata blob costs the version label only", async () => {
  await withCopy(
    "Test-26.1",
    async (bundle) => {
      const { assets, session } = await listWith(bundle);
      assert.equal(assets.length, 16);
      assert.equal(session.info?.modelVersion, null);
      assert.equal(session.info?.release, "unknown Photos version");
    },
    (db) => db.prepare("UPDATE Z_METADATA SET Z_PLIST = ?").run(new TextEncoder().encode("bplist00 garbage")),
  );
});

test("a truncated database fails with advice to repair, never a crash", async () => {
  await withCopy("Test-26.1", async (bundle) => {
    const database = join(bundle, "database", "Photos.sqlite");
    for (const suffix of ["-wal", "-shm"]) Deno.removeSync(database + suffix);
    truncateSync(database, 1_000_000);
    const error = await listWith(bundle).then(() => undefined, (e) => e);
    assert.ok(error instanceof ConfigError || error instanceof FatalError, `got ${error}`);
    assert.match(error.message, /is damaged or not an SQLite database.*Repair the library/);
  });
});

test("a database locked by another process is a clear error, and nothing is left open", async () => {
  await withCopy("Test-26.1", async (bundle) => {
    const database = join(bundle, "database", "Photos.sqlite");
    // Another process takes the database for itself, as a writer in exclusive mode does.
    const locker = new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        `import { DatabaseSync } from "node:sqlite";
         const db = new DatabaseSync(${JSON.stringify(database)});
         db.exec("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; UPDATE ZASSET SET Z_OPT = Z_OPT;");
         console.log("locked");
         for await (const _ of Deno.stdin.readable) break;
         db.exec("ROLLBACK");`,
      ],
      stdin: "piped",
      stdout: "piped",
    }).spawn();
    try {
      const reader = locker.stdout.pipeThrough(new TextDecoderStream()).getReader();
      assert.match((await reader.read()).value ?? "", /locked/);
      reader.releaseLock();
      const error = await listWith(bundle).then(() => undefined, (e) => e);
      assert.ok(error instanceof ConfigError, `got ${error}`);
      assert.match(error.message, /is locked by another program.*Quit Photos or wait/);
    } finally {
      await locker.stdin.close();
      await locker.stdout.cancel().catch(() => {});
      await locker.status;
    }
    // Once the other process is done, the same library reads normally.
    assert.equal((await listWith(bundle)).assets.length, 16);
  });
});

test("originals kept only in iCloud are absent and marked not local; downloaded ones present", async () => {
  const only = "076244D2-88EE-4E3C-AC89-143641C9A598";
  const local = "2E464E67-3703-4D1A-B9EA-3158B6E03EBC";
  await withCopy("Test-Cloud-13.1", async (bundle) => {
    const { assets } = await listWith(bundle);
    const cloudOnly = byId(assets, only);
    assert.deepEqual(cloudOnly.cloud, { synced: true, originalLocal: false });
    assert.equal(cloudOnly.resources[0].present, false);
    const here = byId(assets, local);
    assert.deepEqual(here.cloud, { synced: true, originalLocal: true });
    assert.equal(here.resources[0].present, true);
  }, (db, bundle) => {
    db.prepare(
      `UPDATE ZINTERNALRESOURCE SET ZLOCALAVAILABILITY = -1, ZREMOTEAVAILABILITY = 1 WHERE ZDATASTORESUBTYPE = 1
       AND ZASSET = (SELECT Z_PK FROM ZASSET WHERE ZUUID = ?)`,
    ).run(only);
    mkdirSync(join(bundle, "originals", "2"), { recursive: true });
    const name = `${local}.jpeg`;
    copyFileSync(
      join(LIBRARIES, "Test-Cloud-13.1.photoslibrary", "originals", "2", name),
      join(bundle, "originals", "2", name),
    );
  });
});

test("assets in an iCloud Shared Photo Library are marked so", async () => {
  const shared = "F1254ED5-A852-47DF-ADA1-971CE04DCBAE";
  await withCopy("Test-Cloud-13.1", async (bundle) => {
    const { assets } = await listWith(bundle);
    assert.deepEqual(byId(assets, shared).sharing, { sharedAlbum: false, sharedLibrary: true });
    assert.equal(assets.filter((a) => a.sharing?.sharedLibrary).length, 1);
  }, (db) => {
    db.prepare(
      "UPDATE ZASSET SET ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE = 1, ZLIBRARYSCOPE = 1 WHERE ZUUID = ?",
    ).run(shared);
  });
});

test("an Apple DNG is ProRAW, a subtype 103 video a screen recording", async () => {
  const dng = "D05A5FE3-15FB-49A1-A15D-AB3DA6F8B068";
  const video = "B391CF7F-A923-41AB-B3E2-D3449CAD6B90";
  await withCopy("Test-26.1", async (bundle) => {
    const { assets } = await listWith(bundle);
    assert.deepEqual(byId(assets, dng).subtypes, ["proraw", "raw"]);
    assert.equal(byId(assets, dng).sourceData?.cameraMake, "Apple");
  }, (db) => {
    db.prepare(
      "UPDATE ZEXTENDEDATTRIBUTES SET ZCAMERAMAKE = 'Apple' WHERE Z_PK = (SELECT ZEXTENDEDATTRIBUTES FROM ZASSET WHERE ZUUID = ?)",
    ).run(dng);
  });
  await withCopy("Test-Cloud-13.1", async (bundle) => {
    const { assets } = await listWith(bundle);
    assert.deepEqual(byId(assets, video).subtypes, ["screen_recording"]);
  }, (db) => db.prepare("UPDATE ZASSET SET ZKINDSUBTYPE = 103 WHERE ZUUID = ?").run(video));
});

test("shared-moment and Shared-with-You originals are found in their scopes", async () => {
  const moment = "8431B727-E7A7-4FE7-BDE1-7CCE448A27CE";
  const syndicated = "4D0887CE-1718-4C7C-A8A6-CEA47445D954";
  await withCopy("Test-Cloud-13.1", async (bundle) => {
    const { assets } = await listWith(bundle);
    const [momentOriginal] = byId(assets, moment).resources;
    assert.equal(momentOriginal.path, join(bundle, "scopes/momentshared/originals/8", `${moment}.jpeg`));
    assert.equal(momentOriginal.present, true);
    const [syndicatedOriginal] = byId(assets, syndicated).resources;
    assert.equal(
      syndicatedOriginal.path,
      join(bundle, "scopes/syndication/originals/4", `${syndicated}.jpeg`),
    );
    assert.equal(syndicatedOriginal.present, true);
  }, (db, bundle) => {
    db.prepare("UPDATE ZASSET SET ZMOMENTSHARE = 1 WHERE ZUUID = ?").run(moment);
    db.prepare(
      `UPDATE ZADDITIONALASSETATTRIBUTES SET ZSYNDICATIONIDENTIFIER = 'x', ZSYNDICATIONHISTORY = 0
       WHERE ZASSET = (SELECT Z_PK FROM ZASSET WHERE ZUUID = ?)`,
    ).run(syndicated);
    for (const [scope, uuid] of [["momentshared", moment], ["syndication", syndicated]]) {
      const dir = join(bundle, "scopes", scope, "originals", uuid[0]);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${uuid}.jpeg`), "jpeg");
    }
  });
});

test("a library without a log is read without creating one, and says so if Photos starts meanwhile", async () => {
  await withCopy("Test-Cloud-13.1", async (bundle) => {
    const log = join(bundle, "database", "Photos.sqlite-wal");
    assert.equal(existsSync(log), false);
    const ctx = await createTestContext();
    try {
      const session = await photoslibrary.open({ library: bundle }, ctx);
      try {
        let listed = 0;
        for await (const _ of session.list()) {
          // Photos opens the library halfway through the listing.
          if (++listed === 10) writeFileSync(log, "");
        }
        assert.equal(listed, 32);
      } finally {
        await session.close();
      }
      assert.ok(
        ctx.logged.some((l) => l.level === "warn" && /Photos opened the library while/.test(l.message)),
      );
    } finally {
      await ctx.dispose();
    }
  });
});

/** Whether this process may make a mount namespace with a read-only bind mount (root on Linux). */
function canMountReadOnly(): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    return new Deno.Command("unshare", { args: ["-m", "true"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "a library on a read-only file system is read whole, its write-ahead log included",
  ignore: ignore || !canMountReadOnly(),
  fn: async () => {
    await withCopy("Test-Media-Types-15.7.2", async (bundle) => {
      const root = join(bundle, "..");
      const readOnly = join(root, "mnt");
      mkdirSync(readOnly);
      const main = fileURLToPath(new URL("../../../main.ts", import.meta.url));
      const library = join(readOnly, "Test-Media-Types-15.7.2.photoslibrary");
      // A private mount namespace: the read-only view exists for this command only.
      const script = `mount --bind -o ro "$1" "$2" && touch "$2/probe" 2>/dev/null && exit 9; ` +
        `exec "$3" run -A "$4" scan --json --home "$5" --library "$6"`;
      const out = await new Deno.Command("unshare", {
        args: [
          "-m",
          "sh",
          "-c",
          script,
          "sh",
          root,
          readOnly,
          Deno.execPath(),
          main,
          join(root, "home"),
          library,
        ],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.notEqual(out.code, 9, "the mount must be read-only");
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      const lines = new TextDecoder().decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(lines.at(-1).summary.total, 18);
      assert.equal(lines.at(-1).source.writeAheadLog, true);
      // The two user albums exist only in the write-ahead log.
      const albums = new Set(lines.flatMap((l) => (l.albums ?? []).map((a: { title: string }) => a.title)));
      assert.deepEqual([...albums].sort(), ["BurstAlbum", "BurstPhotoSelection"]);
    });
  },
});
