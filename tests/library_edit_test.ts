/**
 * `_library_edit.ts` edits a library copy the way Photos does: every edit must come out of
 * `source.photoslibrary` afterwards, with the asset's modification date moved to the edit's time.
 * Run on copies of the four real libraries (with Photos' own triggers) and of the sample library.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { Asset } from "../core/model/asset.ts";
import photoslibrary from "../plugins/source/photoslibrary/mod.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { createTestContext } from "../plugins/source/photoslibrary/_test_context.ts";
import { copyLibrary, type LibraryEdit, openLibraryEdit } from "./_library_edit.ts";
import { LIBRARIES } from "./shared_data.ts";

const REAL = join(LIBRARIES, "Test-26.1.photoslibrary");

async function list(library: string): Promise<Map<string, Asset>> {
  const ctx = await createTestContext();
  try {
    const session = await photoslibrary.open({ library }, ctx);
    try {
      const assets = new Map<string, Asset>();
      for await (const asset of session.list()) assets.set(asset.id, asset);
      return assets;
    } finally {
      await session.close();
    }
  } finally {
    await ctx.dispose();
  }
}

/** One edit and what the listing must show after it. */
interface Step {
  name: string;
  edit(e: LibraryEdit): void;
  check(asset: Asset, all: Map<string, Asset>): void;
  /** False for an album's own edit: the asset's row is not saved. */
  bumps?: false;
}

function steps(uuid: string, album: { id: string; title: string }): Step[] {
  const inAlbum = (a: Asset) => a.albums.find((x) => x.id === album.id);
  const captured = new Date("2019-03-04T05:06:07Z");
  return [
    {
      name: "favorite",
      edit: (e) => e.setFavorite(uuid, true),
      check: (a) => assert.equal(a.favorite, true),
    },
    { name: "hidden", edit: (e) => e.setHidden(uuid, true), check: (a) => assert.equal(a.hidden, true) },
    {
      name: "visible again",
      edit: (e) => e.setHidden(uuid, false),
      check: (a) => assert.equal(a.hidden, false),
    },
    {
      name: "title",
      edit: (e) => e.setTitle(uuid, "Harbour at dawn"),
      check: (a) => assert.equal(a.title, "Harbour at dawn"),
    },
    {
      name: "caption",
      edit: (e) => e.setCaption(uuid, "First light"),
      check: (a) => assert.equal(a.caption, "First light"),
    },
    {
      name: "caption again",
      edit: (e) => e.setCaption(uuid, "Second light"),
      check: (a) => assert.equal(a.caption, "Second light"),
    },
    {
      name: "keywords added",
      edit: (e) => (e.addKeyword(uuid, "zz-new-keyword"), e.addKeyword(uuid, "zz-other")),
      check: (a) => assert.ok(a.keywords.includes("zz-new-keyword") && a.keywords.includes("zz-other")),
    },
    {
      name: "keyword removed",
      edit: (e) => e.removeKeyword(uuid, "zz-other"),
      check: (a) => assert.ok(a.keywords.includes("zz-new-keyword") && !a.keywords.includes("zz-other")),
    },
    {
      name: "added to album",
      edit: (e) => e.addToAlbum(uuid, album.id),
      check: (a) => assert.ok(inAlbum(a)),
    },
    {
      name: "album renamed",
      edit: (e) => e.renameAlbum(album.id, "Renamed album"),
      check: (a) => assert.equal(inAlbum(a)?.title, "Renamed album"),
      bumps: false,
    },
    {
      name: "removed from album",
      edit: (e) => e.removeFromAlbum(uuid, album.id),
      check: (a) => assert.equal(inAlbum(a), undefined),
    },
    {
      name: "location",
      edit: (e) => e.setLocation(uuid, { latitude: 48.8584, longitude: 2.2945 }),
      check: (a) => assert.deepEqual(a.location, { latitude: 48.8584, longitude: 2.2945 }),
    },
    {
      name: "location removed",
      edit: (e) => e.setLocation(uuid, null),
      check: (a) => assert.equal(a.location, undefined),
    },
    {
      name: "capture date",
      edit: (e) => e.setCaptured(uuid, captured, 3600),
      check: (a) => {
        assert.equal(a.captured?.utc, captured.toISOString());
        assert.equal(a.captured?.offsetSeconds, 3600);
        assert.equal(a.captured?.timeZone, "GMT+0100");
      },
    },
    {
      name: "trashed",
      edit: (e) => e.setTrashed(uuid, true),
      check: (a) => {
        assert.equal(a.trashed, true);
        assert.ok(a.sourceData?.trashedDate, "Photos records when it was trashed");
      },
    },
    {
      name: "put back",
      edit: (e) => e.setTrashed(uuid, false),
      check: (a) => assert.equal([a.trashed, a.sourceData?.trashedDate].join(), "false,"),
    },
  ];
}

/** Runs every step on `library`, listing after each; `album` is one the asset is not in. */
async function editAndRead(library: string) {
  const before = await list(library);
  const asset = [...before.values()].find((a) => !a.trashed && !a.favorite && !a.hidden && a.added)!;
  const album = [...before.values()].flatMap((a) => a.albums).find((x) =>
    !x.shared && !asset.albums.some((y) => y.id === x.id)
  )!;
  assert.ok(asset && album, "the library has an asset to edit and an album it is not in");
  let clock = Date.parse("2030-01-01T00:00:00Z");
  let modified = asset.modified;
  for (const step of steps(asset.id, album)) {
    clock += 60_000;
    const at = new Date(clock);
    const edit = openLibraryEdit(library, () => at);
    try {
      step.edit(edit);
    } finally {
      edit.close();
    }
    const after = await list(library);
    const edited = after.get(asset.id)!;
    step.check(edited, after);
    if (step.bumps !== false) modified = at.toISOString();
    assert.equal(edited.modified, modified, `${step.name}: the modification date is the last save's`);
    assert.equal(after.size, before.size, `${step.name}: no asset appeared or vanished`);
  }
}

const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

// Test-26.1 is the one the brief names; the three older schemas (ZGENERICASSET on 10.15, no WAL
// on Cloud-13.1) come along for the price of a copy.
for (const name of ["Test-26.1", "Test-10.15.7", "Test-Cloud-13.1", "Test-Media-Types-15.7.2"]) {
  const library = join(LIBRARIES, `${name}.photoslibrary`);
  Deno.test({
    name: `every edit on a copy of ${name} is read back, and the fixture stays as it was`,
    ignore: !existsSync(library),
    async fn() {
      const database = join(library, "database", "Photos.sqlite");
      const hash = sha256(database);
      const dir = await Deno.makeTempDir({ prefix: "library-edit-" });
      try {
        assert.throws(() => openLibraryEdit(library), /shared fixture/);
        await editAndRead(copyLibrary(library, dir));
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
      assert.equal(sha256(database), hash);
    },
  });
}

Deno.test("every edit on a copy of the sample library is read back", async () => {
  const dir = await Deno.makeTempDir({ prefix: "library-edit-" });
  try {
    const sample = await writeSampleLibrary(join(dir, "made", "Sample.photoslibrary"));
    await editAndRead(copyLibrary(sample.path, join(dir, "copy")));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "Photos' triggers run on an edit: hiding an asset updates its faces' visibility",
  ignore: !existsSync(REAL),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "library-edit-" });
    try {
      const library = copyLibrary(REAL, dir);
      const uuid = "E9BC5C36-7CD1-40A1-A72B-8B8FAC227D51";
      const edit = openLibraryEdit(library);
      try {
        edit.setHidden(uuid, true);
      } finally {
        edit.close();
      }
      const db = new DatabaseSync(join(library, "database", "Photos.sqlite"), { readOnly: true });
      try {
        const row = db.prepare(
          "SELECT f.ZASSETVISIBLE AS visible FROM ZDETECTEDFACE f JOIN ZASSET a ON a.Z_PK = f.ZASSETFORFACE WHERE a.ZUUID = ?",
        ).get(uuid);
        assert.equal(row?.visible, 0);
      } finally {
        db.close();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
