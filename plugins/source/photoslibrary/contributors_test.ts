/**
 * Shared Library scope and contributors. No real fixture has an iCloud Shared Photo Library, so a
 * sample library is given one here: `ZSHARE`, `ZSHAREPARTICIPANT` and `ZASSETCONTRIBUTOR` with the
 * columns Test-26.1 has, the asset's `ZLIBRARYSCOPE` pointing at the share.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { encodeBinaryPlist, PlistUid } from "./_bplist.ts";
import { personName } from "./_contributors.ts";
import { openPhotosDatabase } from "./_database.ts";
import { readAssets } from "./_reader.ts";
import { withSampleLibrary } from "./_test_context.ts";

/** An `NSKeyedArchiver` archive of `NSPersonNameComponents`, shaped as Foundation writes one. */
function nameComponents(given: string, family: string): Uint8Array {
  return encodeBinaryPlist({
    $version: 100000,
    $archiver: "NSKeyedArchiver",
    $top: { root: new PlistUid(1) },
    $objects: [
      "$null",
      {
        $class: new PlistUid(4),
        "NS.givenName": new PlistUid(2),
        "NS.familyName": new PlistUid(3),
        "NS.middleName": new PlistUid(0),
      },
      given,
      family,
      { $classname: "NSPersonNameComponents", $classes: ["NSPersonNameComponents", "NSObject"] },
    ],
  });
}

Deno.test("personName() reads given and family name from an archived NSPersonNameComponents", () => {
  assert.equal(personName(nameComponents("Jane", "Appleseed")), "Jane Appleseed");
  assert.equal(personName(nameComponents("", "Appleseed")), "Appleseed");
  assert.equal(personName(new TextEncoder().encode("not a plist")), undefined);
  assert.equal(personName(null), undefined);
});

const SHARE_TABLES = `
CREATE TABLE ZSHARE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZTITLE VARCHAR );
CREATE TABLE ZSHAREPARTICIPANT ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZISCURRENTUSER INTEGER, ZSHARE INTEGER, ZEMAILADDRESS VARCHAR, ZPHONENUMBER VARCHAR,
  ZNAMECOMPONENTS BLOB );
CREATE TABLE ZASSETCONTRIBUTOR ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER,
  ZPARTICIPANT INTEGER, Z3LIBRARYSCOPEASSETCONTRIBUTORS INTEGER );
INSERT INTO ZSHARE VALUES (1, 66, 1, 'Family Library');`;

Deno.test("Shared Library assets carry their scope and who contributed them", async () => {
  await withSampleLibrary((info) => {
    const { live, video, favorite, hidden } = info.uuids;
    const edit = new DatabaseSync(info.database);
    try {
      edit.exec(SHARE_TABLES);
      const participant = edit.prepare(
        "INSERT INTO ZSHAREPARTICIPANT (Z_PK, ZISCURRENTUSER, ZSHARE, ZEMAILADDRESS, ZPHONENUMBER, ZNAMECOMPONENTS) VALUES (?, ?, 1, ?, ?, ?)",
      );
      participant.run(1, 1, "me@example.com", null, nameComponents("Jane", "Appleseed"));
      participant.run(2, 0, "john@example.com", null, null);
      participant.run(3, 0, null, "+15555550123", null);
      const scoped = edit.prepare(
        "UPDATE ZASSET SET ZLIBRARYSCOPE = 1, ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE = 1 WHERE ZUUID = ? RETURNING Z_PK",
      );
      const contribute = edit.prepare(
        "INSERT INTO ZASSETCONTRIBUTOR (ZPARTICIPANT, Z3LIBRARYSCOPEASSETCONTRIBUTORS) VALUES (?, ?)",
      );
      [live, video, favorite].forEach((uuid, i) => contribute.run(i + 1, Number(scoped.get(uuid)!.Z_PK)));
      // In the Shared Library, but no contributor recorded.
      scoped.get(hidden);
    } finally {
      edit.close();
    }
    const database = openPhotosDatabase(info.path);
    try {
      const sharing = new Map([...readAssets(database)].map((a) => [a.id, a.sharing]));
      assert.deepEqual(sharing.get(live), {
        sharedAlbum: false,
        sharedLibrary: true,
        contributor: "Jane Appleseed",
      });
      assert.equal(sharing.get(video)?.contributor, "john@example.com");
      assert.equal(sharing.get(favorite)?.contributor, "+15555550123");
      assert.deepEqual(sharing.get(hidden), { sharedAlbum: false, sharedLibrary: true });
      assert.deepEqual(sharing.get(info.uuids.located), { sharedAlbum: false, sharedLibrary: false });
    } finally {
      database.db.close();
    }
  });
});
