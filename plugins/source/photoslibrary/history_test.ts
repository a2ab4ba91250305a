/**
 * The reader's change history (`_history.ts`) on copies of the shared libraries, edited as Photos
 * saves (tests/_library_edit.ts records each save in Core Data's history as Photos does).
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { copyLibrary, openLibraryEdit } from "../../../tests/_library_edit.ts";
import { HAS_SHARED, LIBRARIES } from "../../../tests/shared_data.ts";
import { openPhotosDatabase } from "./_database.ts";
import { LISTING_TABLES, readHistory } from "./_history.ts";
import { readAlbums, readAssets } from "./_reader.ts";
import { withSampleLibrary } from "./_test_context.ts";

const ignore = !HAS_SHARED;
const NAMES = ["Test-10.15.7", "Test-Cloud-13.1", "Test-Media-Types-15.7.2", "Test-26.1"];

/** The history answer of the library at `path` since `token`. */
function history(path: string, token: string | undefined) {
  const database = openPhotosDatabase(path);
  try {
    return readHistory(database, token);
  } finally {
    database.db.close();
  }
}

/** Runs `body` on a fresh copy of a shared library. */
async function withCopy(name: string, body: (library: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "photos-sync-history-" });
  try {
    await body(copyLibrary(`${LIBRARIES}${name}.photoslibrary`, dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "history: the listing reads no entity table the history leaves out, on every shared library",
  ignore,
  fn() {
    for (const name of NAMES) {
      const database = openPhotosDatabase(`${LIBRARIES}${name}.photoslibrary`);
      try {
        const tables = new Set(
          database.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) =>
            String(r.name)
          ),
        );
        const read = new Set<string>();
        const prepare = database.db.prepare.bind(database.db);
        // Every statement the listing and the album list prepare, and the tables they name.
        database.db.prepare = ((sql: string) => {
          for (const [word] of sql.matchAll(/\bZ_?[A-Z0-9_]+\b/g)) if (tables.has(word)) read.add(word);
          return prepare(sql);
        }) as typeof database.db.prepare;
        const listed = [...readAssets(database)].length;
        readAlbums(database);
        assert.ok(listed > 0 && read.size > 5, `${name}: the listing was watched`);
        // Join tables (Z_<n>…) are not entities: Core Data records their changes on the objects joined.
        const missed = [...read].filter((t) => !t.startsWith("Z_") && !LISTING_TABLES.has(t));
        assert.deepEqual(missed, [], `${name}: tables read but not watched in the history`);
      } finally {
        database.db.close();
      }
    }
  },
});

Deno.test({
  name: "history: nothing since the token is [], an asset edit or an album rename is all, others' work is []",
  ignore,
  async fn() {
    for (const name of NAMES) {
      await withCopy(name, (library) => {
        const first = history(library, undefined);
        assert.equal(first.changed, "all", `${name}: no token yet`);
        assert.match(first.token, /^coredata:[0-9A-F-]{36}:\d+:/);
        assert.deepEqual(history(library, first.token), { changed: [], token: first.token }, name);

        // Photos' own work on what no listing reads (a moment recomputed) changes nothing listed.
        const edit = openLibraryEdit(library);
        try {
          edit.touchEntity("Moment");
        } finally {
          edit.close();
        }
        const moment = history(library, first.token);
        assert.deepEqual(moment.changed, [], `${name}: a Moment's change is not the listing's`);
        assert.notEqual(moment.token, first.token, `${name}: the token moves past it`);

        const database = openPhotosDatabase(library);
        const [asset] = readAssets(database);
        const [album] = readAlbums(database);
        database.db.close();
        const editing = openLibraryEdit(library);
        try {
          editing.setFavorite(asset.id, !asset.favorite);
        } finally {
          editing.close();
        }
        const favorite = history(library, moment.token);
        assert.equal(favorite.changed, "all", `${name}: a favorite changed`);
        assert.deepEqual(history(library, favorite.token).changed, [], `${name}: and then nothing`);
        if (album) {
          const renaming = openLibraryEdit(library);
          try {
            renaming.renameAlbum(album.id, "Renamed by the test");
          } finally {
            renaming.close();
          }
          assert.equal(history(library, favorite.token).changed, "all", `${name}: an album renamed`);
        }
      });
    }
  },
});

Deno.test({
  name: "history: a token the history cannot vouch for is all (purged, rewritten, another store, garbage)",
  ignore,
  async fn() {
    await withCopy("Test-26.1", (library) => {
      const { token } = history(library, undefined);
      const [, , pk] = token.split(":");
      const database = openPhotosDatabase(library);
      const [asset] = readAssets(database);
      database.db.close();
      const db = new DatabaseSync(`${library}/database/Photos.sqlite`);
      try {
        const edit = openLibraryEdit(library);
        try {
          edit.setHidden(asset.id, !asset.hidden);
          edit.touchEntity("Moment");
        } finally {
          edit.close();
        }
        assert.equal(
          history(library, token).changed,
          "all",
          "a Moment after the hidden edit: the edit counts",
        );

        // Another store's token, a token of another kind: nothing to compare against.
        assert.equal(history(library, token.replace(/coredata:[^:]+/, "coredata:OTHER")).changed, "all");
        assert.equal(history(library, "12345").changed, "all");

        // History purged past the token: the transaction after it is gone, so is what it said.
        db.prepare("DELETE FROM ATRANSACTION WHERE Z_PK = ?").run(Number(pk) + 1);
        assert.equal(history(library, token).changed, "all", "a gap after the token");

        // The token's own transaction rewritten (a library restored from a backup, then edited).
        db.prepare("UPDATE ATRANSACTION SET ZTIMESTAMP = ZTIMESTAMP + 1 WHERE Z_PK = ?").run(Number(pk));
        assert.equal(history(library, token).changed, "all", "the token's transaction is not as it was");
        db.prepare("DELETE FROM ATRANSACTION WHERE Z_PK = ?").run(Number(pk));
        assert.equal(history(library, token).changed, "all", "the token's transaction purged");
      } finally {
        db.close();
      }
    });
  },
});

Deno.test("history: a library without Core Data's history tables is all, every time", async () => {
  await withSampleLibrary((info) => {
    const db = new DatabaseSync(info.database);
    try {
      db.exec("DROP TABLE IF EXISTS ACHANGE; DROP TABLE IF EXISTS ATRANSACTION");
    } finally {
      db.close();
    }
    const first = history(info.path, undefined);
    assert.deepEqual(first, { changed: "all", token: "none" });
    assert.deepEqual(history(info.path, first.token), { changed: "all", token: "none" });
  });
});
