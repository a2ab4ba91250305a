/**
 * Named people and face boxes: the conversion from Photos' centre and size, and what the reader
 * lists for the four real libraries (read from copies of their databases). The expected people were
 * read with the `sqlite3` tool from `ZDETECTEDFACE` and `ZPERSON`; the boxes were checked by drawing
 * them on the fixtures' images (Pumkins1, wedding, and the orientation-6 selfie of Test-Cloud-13.1).
 */
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { SHARED } from "../../../tests/shared_data.ts";
import type { Asset } from "../../../core/model/asset.ts";
import { openPhotosDatabase } from "./_database.ts";
import { faceBox, peopleOf } from "./_people.ts";
import { readAssets } from "./_reader.ts";
import { withSampleLibrary } from "./_test_context.ts";

const LIBRARIES = join(SHARED, "testdata", "photoslibraries");
const ignore = !existsSync(LIBRARIES);

const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} is not ${expected}`);

Deno.test("faceBox() turns Photos' bottom-left centre and longer-side size into a top-left box of the shown image", () => {
  // Pumkins1.jpg (2048×1365, orientation 1), Suzy in Test-26.1: centre (0.3171, 0.6631), size 0.0662.
  const box = faceBox(
    { name: "Suzy", centerX: 0.317090578377247, centerY: 0.663117829710245, size: 0.0661932379007339 },
    2048,
    1365,
  )!;
  const side = 0.0661932379007339 * 2048;
  near(box.width, side / 2048, "width");
  near(box.height, side / 1365, "height");
  near(box.x, 0.317090578377247 - side / 2 / 2048, "x");
  near(box.y, 1 - 0.663117829710245 - side / 2 / 1365, "y");
});

Deno.test("faceBox() needs no turn for orientation: ZWIDTH and ZHEIGHT and the centre are of the shown image", () => {
  // AB9D5F55 of Test-Cloud-13.1: stored 1280×960 with orientation 6, shown 960×1280 (its ZWIDTH/ZHEIGHT).
  const box = faceBox(
    { name: "x", centerX: 0.465726405382156, centerY: 0.414420381188393, size: 0.312921971082687 },
    960,
    1280,
  )!;
  // The drawn box sat on the face: left 0.257, top 0.429 of the shown portrait image.
  near(box.x, 0.465726405382156 - 0.312921971082687 * 1280 / 2 / 960, "x");
  near(box.y, 1 - 0.414420381188393 - 0.312921971082687 / 2, "y");
  assert.ok(box.width > box.height, "a square on a portrait image is a wider fraction of the width");
});

Deno.test("faceBox() clips to the image and gives up without a size", () => {
  const box = faceBox({ name: "x", centerX: 0.02, centerY: 0.98, size: 0.1 }, 1000, 1000)!;
  assert.deepEqual([box.x, box.y], [0, 0]);
  near(box.width, 0.07, "width");
  near(box.height, 0.07, "height");
  assert.equal(faceBox({ name: "x", centerX: 0.5, centerY: 0.5, size: 0 }, 100, 100), undefined);
  assert.equal(faceBox({ name: "x", centerX: 0.5, centerY: 0.5, size: 0.1 }, 0, 100), undefined);
  assert.deepEqual(peopleOf([{ name: "Ann", centerX: 0.5, centerY: 0.5, size: 0.1 }], 0, 0), [{
    name: "Ann",
  }]);
});

Deno.test("peopleOf() sorts by name, then left to right", () => {
  const face = (name: string, centerX: number) => ({ name, centerX, centerY: 0.5, size: 0.1 });
  const people = peopleOf([face("Suzy", 0.3), face("Katie", 0.8), face("Katie", 0.2)], 100, 100);
  assert.deepEqual(people.map((p) => [p.name, Math.round(p.face!.x * 100)]), [["Katie", 15], ["Katie", 75], [
    "Suzy",
    25,
  ]]);
});

/** The listing of a copy of library `name`'s database. */
async function listCopy(name: string): Promise<Map<string, Asset>> {
  const bundle = join(LIBRARIES, `${name}.photoslibrary`);
  const dir = await Deno.makeTempDir({ prefix: "photoslibrary-people-" });
  try {
    for (const file of ["Photos.sqlite", "Photos.sqlite-wal", "Photos.sqlite-shm"]) {
      if (!existsSync(join(bundle, "database", file))) continue;
      copyFileSync(join(bundle, "database", file), join(dir, file));
      chmodSync(join(dir, file), 0o644);
    }
    const database = openPhotosDatabase(bundle, { database: join(dir, "Photos.sqlite") });
    try {
      return new Map([...readAssets(database)].map((a) => [a.id, a]));
    } finally {
      database.db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Named people per asset, as `ZDETECTEDFACE` joined with named `ZPERSON` rows gives them. */
const NAMED = {
  "F12384F6-CD17-4151-ACBA-AE0E3688539E": ["Katie", "Suzy"],
  "1EB2B765-0765-43BA-A90C-0D0580E6172C": ["Katie", "Suzy"],
  "E9BC5C36-7CD1-40A1-A72B-8B8FAC227D51": ["Maria"],
  "D79B8D77-BFFC-460B-9312-034F2877D35B": ["Katie"],
  "6FD38366-3BF2-407D-81FE-7153EB6125B6": ["Maria"],
};

for (const name of ["Test-26.1", "Test-10.15.7"]) {
  Deno.test({
    name: `${name}: Katie, Suzy and Maria are listed where Photos named them, with their faces`,
    ignore,
    async fn() {
      const assets = await listCopy(name);
      const named = [...assets.values()].filter((a) => a.people);
      assert.deepEqual(
        Object.fromEntries(named.map((a) => [a.id, a.people!.map((p) => p.name)])),
        NAMED,
      );
      for (const asset of named) {
        for (const { face } of asset.people!) {
          assert.ok(face, `${asset.id} has a face box`);
          assert.ok(face.x >= 0 && face.y >= 0 && face.x + face.width <= 1 && face.y + face.height <= 1);
        }
      }
      // Pumkins1: Suzy stands left of Katie, both faces in the upper half.
      const [katie, suzy] = assets.get("F12384F6-CD17-4151-ACBA-AE0E3688539E")!.people!;
      assert.ok(suzy.face!.x < katie.face!.x && katie.face!.y < 0.5 && suzy.face!.y < 0.5);
    },
  });
}

for (const name of ["Test-Cloud-13.1", "Test-Media-Types-15.7.2"]) {
  Deno.test({
    name: `${name}: unnamed face clusters (or none) give no people`,
    ignore,
    async fn() {
      const assets = await listCopy(name);
      assert.deepEqual([...assets.values()].filter((a) => a.people), []);
    },
  });
}

Deno.test("named, shown faces only: display names count, hidden faces and nameless people do not", async () => {
  await withSampleLibrary((info) => {
    const { live, video } = info.uuids;
    const edit = new DatabaseSync(info.database);
    try {
      // The columns of macOS 13 and earlier (ZASSET, ZPERSON), as in Test-Cloud-13.1.
      edit.exec(`CREATE TABLE ZPERSON ( Z_PK INTEGER PRIMARY KEY, ZDISPLAYNAME VARCHAR, ZFULLNAME VARCHAR );
        CREATE TABLE ZDETECTEDFACE ( Z_PK INTEGER PRIMARY KEY, ZHIDDEN INTEGER, ZASSET INTEGER, ZPERSON INTEGER,
          ZCENTERX FLOAT, ZCENTERY FLOAT, ZSIZE FLOAT );
        INSERT INTO ZPERSON VALUES (1, 'Ann', NULL), (2, NULL, 'Bob Stone'), (3, ' ', ''), (4, 'Cy', 'Cyrus');`);
      const pk = (uuid: string) =>
        Number(edit.prepare("SELECT Z_PK FROM ZASSET WHERE ZUUID = ?").get(uuid)!.Z_PK);
      const face = edit.prepare("INSERT INTO ZDETECTEDFACE VALUES (NULL, ?, ?, ?, 0.5, 0.5, 0.1)");
      face.run(0, pk(live), 1);
      face.run(1, pk(live), 2); // hidden
      face.run(0, pk(live), 3); // nameless
      face.run(0, pk(video), 4);
      face.run(0, pk(video), 2);
      face.run(0, null, 1); // a face crop Photos keeps for training, on no asset
    } finally {
      edit.close();
    }
    const database = openPhotosDatabase(info.path);
    try {
      const people = new Map([...readAssets(database)].map((a) => [a.id, a.people?.map((p) => p.name)]));
      assert.deepEqual(people.get(live), ["Ann"]);
      assert.deepEqual(people.get(video), ["Bob Stone", "Cyrus"]);
      assert.equal([...people.values()].filter(Boolean).length, 2);
    } finally {
      database.db.close();
    }
  });
});

Deno.test("a library without face tables lists no people", async () => {
  await withSampleLibrary((info) => {
    const database = openPhotosDatabase(info.path);
    try {
      assert.ok([...readAssets(database)].every((a) => a.people === undefined));
    } finally {
      database.db.close();
    }
  });
});
