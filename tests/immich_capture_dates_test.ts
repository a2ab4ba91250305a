/**
 * End to end against the Immich emulator, which extracts metadata as Immich 1.135.3 was recorded
 * doing (transcript 14): a file's EXIF date without an offset is read as UTC. Importing a copy of
 * the real `Test-Cloud-13.1` library must still give every asset the instant Photos has and the
 * offset Photos has (`ZTIMEZONEOFFSET`, else `ZINFERREDTIMEZONEOFFSET`). The expected facts are
 * read straight from the library's database, not through the reader under test. Captions the
 * same way (transcript 15): a camera's blank ImageDescription must not hide Photos' caption.
 */
import { LIBRARIES } from "./shared_data.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { cli, withTempDir } from "./_cli.ts";
import { startEmulator } from "./immich_emulator/mod.ts";
import { env, importArgs, summaryOf, trackerRows } from "./_immich.ts";

/** Seconds from 1970 to 2001, Core Data's epoch. */
const APPLE_EPOCH = 978307200;

interface PhotosDate {
  uuid: string;
  utc: string;
  offset: number | null;
}

function photosDates(library: string): PhotosDate[] {
  const db = new DatabaseSync(join(library, "database/Photos.sqlite"), { readOnly: true });
  try {
    const rows = db.prepare(
      `SELECT a.ZUUID AS uuid, a.ZDATECREATED AS created,
              COALESCE(t.ZTIMEZONEOFFSET, t.ZINFERREDTIMEZONEOFFSET) AS offset
         FROM ZASSET a JOIN ZADDITIONALASSETATTRIBUTES t ON t.ZASSET = a.Z_PK`,
    ).all() as { uuid: string; created: number; offset: number | null }[];
    return rows.map((r) => ({
      uuid: r.uuid,
      utc: new Date(Math.round((r.created + APPLE_EPOCH) * 1000)).toISOString(),
      offset: r.offset,
    }));
  } finally {
    db.close();
  }
}

/** Immich's name for a fixed offset, as the recordings show it (`UTC-8`, `UTC+5:30`). */
function zoneName(seconds: number): string {
  const abs = Math.abs(seconds);
  const minutes = Math.floor((abs % 3600) / 60);
  return `UTC${seconds < 0 ? "-" : "+"}${Math.floor(abs / 3600)}${
    minutes ? `:${String(minutes).padStart(2, "0")}` : ""
  }`;
}

Deno.test("importing Test-Cloud-13.1 into Immich gives every asset the instant and offset Photos has", async () => {
  await withTempDir(async (dir) => {
    const library = join(dir, "Test-Cloud-13.1.photoslibrary");
    await Deno.mkdir(library);
    const shared = `${LIBRARIES}Test-Cloud-13.1.photoslibrary`;
    const copy = await new Deno.Command("cp", { args: ["-R", `${shared}/.`, library] }).output();
    assert.equal(copy.code, 0, "copy the fixture (it is read-only)");
    // Kept originals: the emulator reads each file's own metadata as Immich does.
    const storeDir = join(dir, "store");
    await Deno.mkdir(storeDir);
    await using server = await startEmulator({ version: "1.135.3", storeDir });
    const home = join(dir, "home");
    const run = await cli(importArgs(home, library), env(server));
    const summary = summaryOf(run.stdout);
    const originals = new Map(
      trackerRows(home).filter((r) => r.key === "original" && !r.remote_id.startsWith("unsupported:"))
        .map((r) => [r.asset_id, r.remote_id]),
    );
    const dates = photosDates(library);
    assert.ok(originals.size >= summary.imported && summary.imported >= 20, `imported ${summary.imported}`);
    // Byte-identical originals (two pairs here) are one Immich asset, which has one date.
    const holders = new Map<string, number>();
    for (const id of originals.values()) holders.set(id, (holders.get(id) ?? 0) + 1);
    const alone = dates.filter((d) => originals.has(d.uuid) && holders.get(originals.get(d.uuid)!) === 1);
    assert.equal(alone.length, originals.size - 4);
    const wrong: string[] = [];
    for (const photos of alone) {
      const remote = server.emulator.state.assets.get(originals.get(photos.uuid)!)!;
      const expected = {
        instant: photos.utc,
        timeZone: photos.offset === null ? null : zoneName(photos.offset),
        local: new Date(Date.parse(photos.utc) + (photos.offset ?? 0) * 1000).toISOString(),
      };
      const actual = {
        instant: new Date(remote.fileCreatedAt).toISOString(),
        timeZone: remote.exif.timeZone,
        local: new Date(remote.localDateTime).toISOString(),
      };
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        wrong.push(
          `${photos.uuid} ${remote.originalFileName}: ${JSON.stringify(actual)}, Photos ${
            JSON.stringify(expected)
          }`,
        );
      }
    }
    assert.deepEqual(wrong, [], `${wrong.length} assets have another capture time than in Photos`);
  });
});

/** A copy of a shared library in `dir`, imported into a fresh emulator; the run's summary and ids. */
async function importCopy(dir: string, name: string) {
  const library = join(dir, `${name}.photoslibrary`);
  await Deno.mkdir(library);
  const copy = await new Deno.Command("cp", { args: ["-R", `${LIBRARIES}${name}.photoslibrary/.`, library] })
    .output();
  assert.equal(copy.code, 0, "copy the fixture (it is read-only)");
  const storeDir = join(dir, "store");
  await Deno.mkdir(storeDir);
  const server = await startEmulator({ version: "1.135.3", storeDir });
  const home = join(dir, "home");
  const run = await cli(importArgs(home, library), env(server));
  const originals = new Map(
    trackerRows(home).filter((r) => r.key === "original" && !r.remote_id.startsWith("unsupported:"))
      .map((r) => [r.asset_id, r.remote_id]),
  );
  return { library, server, summary: summaryOf(run.stdout), originals };
}

Deno.test("importing Test-26.1 into Immich keeps every caption, also over a camera's blank ImageDescription", async () => {
  await withTempDir(async (dir) => {
    const { library, server, originals } = await importCopy(dir, "Test-26.1");
    await using _ = server;
    const db = new DatabaseSync(join(library, "database/Photos.sqlite"), { readOnly: true });
    const captions = db.prepare(
      `SELECT a.ZUUID AS uuid, d.ZLONGDESCRIPTION AS caption FROM ZASSET a
         JOIN ZADDITIONALASSETATTRIBUTES t ON t.ZASSET = a.Z_PK
         JOIN ZASSETDESCRIPTION d ON d.Z_PK = t.ZASSETDESCRIPTION
        WHERE d.ZLONGDESCRIPTION IS NOT NULL AND d.ZLONGDESCRIPTION != ''`,
    ).all() as { uuid: string; caption: string }[];
    db.close();
    const imported = captions.filter((c) => originals.has(c.uuid));
    assert.ok(imported.some((c) => c.uuid.startsWith("4D521201")), "the Canon JPEG with a blank description");
    const shown = imported.map((
      c,
    ) => [c.uuid, server.emulator.state.assets.get(originals.get(c.uuid)!)!.exif.description]);
    assert.deepEqual(shown, imported.map((c) => [c.uuid, c.caption]));
  });
});
