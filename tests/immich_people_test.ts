/**
 * End to end against the Immich emulator: the named people of the real `Test-26.1` library (Katie,
 * Suzy and Maria, with face rectangles) reach Immich with the import itself, on the asset's
 * primary, and a following `sync` has nothing left to send. A key made for imports, without the
 * people permissions, still imports everything; the people then wait for the `sync` of a key that
 * has them. The expected names are read straight from the library's database, not through the
 * reader under test.
 */
import { LIBRARIES } from "./shared_data.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { cli, withTempDir } from "./_cli.ts";
import { type RunningEmulator, startEmulator } from "./immich_emulator/mod.ts";
import { env, importArgs, summaryOf, trackerRows } from "./_immich.ts";
import { requiredPermissions } from "../plugins/destination/immich/_check.ts";

const NAME = "Test-26.1";

/** Each asset's named people with a face, from Photos' own tables. */
function namedFaces(library: string): Map<string, string[]> {
  const db = new DatabaseSync(join(library, "database/Photos.sqlite"), { readOnly: true });
  try {
    const rows = db.prepare(
      `SELECT a.ZUUID AS uuid, p.ZFULLNAME AS name
         FROM ZDETECTEDFACE f JOIN ZASSET a ON a.Z_PK = f.ZASSETFORFACE
         JOIN ZPERSON p ON p.Z_PK = f.ZPERSONFORFACE
        WHERE p.ZFULLNAME IS NOT NULL AND p.ZFULLNAME != '' AND a.ZTRASHEDSTATE = 0`,
    ).all() as { uuid: string; name: string }[];
    const byAsset = new Map<string, string[]>();
    for (const r of rows) byAsset.set(r.uuid, [...(byAsset.get(r.uuid) ?? []), r.name].sort());
    return byAsset;
  } finally {
    db.close();
  }
}

/** The names of the people each remote asset has faces of, in the emulator. */
function remoteNames(server: RunningEmulator): Map<string, string[]> {
  const { people } = server.emulator.state.people;
  const byAsset = new Map<string, string[]>();
  for (const face of server.emulator.state.people.faces.values()) {
    const name = face.personId ? people.get(face.personId)?.name : undefined;
    if (name) byAsset.set(face.assetId, [...(byAsset.get(face.assetId) ?? []), name].sort());
  }
  return byAsset;
}

/** Photos' named people by asset, against what the emulator has on each asset's primary. */
function compare(library: string, home: string, server: RunningEmulator) {
  const rows = trackerRows(home);
  // The edit is the primary where there is one.
  const primary = (id: string) =>
    (rows.find((r) => r.asset_id === id && r.key === "edited") ??
      rows.find((r) => r.asset_id === id && r.key === "original"))?.remote_id;
  const expected = namedFaces(library);
  const remote = remoteNames(server);
  const got = new Map([...expected.keys()].map((id) => [id, remote.get(primary(id) ?? "") ?? []]));
  return { expected, got };
}

async function copyLibrary(dir: string): Promise<string> {
  const library = join(dir, `${NAME}.photoslibrary`);
  await Deno.mkdir(library);
  const copy = await new Deno.Command("cp", { args: ["-R", `${LIBRARIES}${NAME}.photoslibrary/.`, library] })
    .output();
  assert.equal(copy.code, 0, "copy the fixture (it is read-only)");
  return library;
}

Deno.test("an import names Photos' people in Immich on each asset's primary; a sync then sends none", async () => {
  await withTempDir(async (dir) => {
    const library = await copyLibrary(dir);
    const storeDir = join(dir, "store");
    await Deno.mkdir(storeDir);
    await using server = await startEmulator({ version: "1.135.3", storeDir });
    const home = join(dir, "home");
    const run = await cli(importArgs(home, library), env(server));
    assert.equal(summaryOf(run.stdout).failed, 2, run.stdout);
    assert.ok(summaryOf(run.stdout).imported >= 10, run.stdout);
    const { expected, got } = compare(library, home, server);
    assert.ok(expected.size >= 4, `the library names people on ${expected.size} assets`);
    assert.deepEqual(got, expected);
    const people = [...server.emulator.state.people.people.values()].map((p) => p.name).sort();
    assert.deepEqual(people, ["Katie", "Maria", "Suzy"], "one Immich person per name");

    const faces = server.emulator.state.people.faces.size;
    const sync = await cli(["sync", "--home", home, "--to", "immich", "--library", library], env(server));
    assert.equal(sync.code, 0, sync.stderr);
    assert.equal(server.emulator.state.people.faces.size, faces, "the sync added no face");
  });
});

Deno.test("a key without the people permissions imports everything; the people wait for a sync that may", async () => {
  await withTempDir(async (dir) => {
    const library = await copyLibrary(dir);
    await using server = await startEmulator({ version: "1.135.3" });
    const state = server.emulator.state;
    // Exactly what an import needs with albums and tags on, and no person or face permission.
    const upload = state.createApiKey(
      state.admin.id,
      requiredPermissions({ albums: "path", tags: "keywords" }),
    );
    const home = join(dir, "home");
    const run = await cli(importArgs(home, library), { ...env(server), IMMICH_API_KEY: upload.secret });
    // Two originals of this library are not on disk: those two fail, whatever the key.
    assert.equal(summaryOf(run.stdout).failed, 2, run.stdout);
    assert.ok(summaryOf(run.stdout).imported >= 10, run.stdout);
    assert.equal(state.people.faces.size, 0);
    // --json: warnings are events on stdout.
    const warnings = run.stdout.split("\n").filter((l) => l.includes("naming its people failed"));
    assert.equal(warnings.length, 1, `one warning, not one per asset:\n${run.stderr}`);
    assert.match(warnings[0], /person\.(read|create)/);

    const sync = await cli(["sync", "--home", home, "--to", "immich", "--library", library], env(server));
    assert.equal(sync.code, 0, sync.stderr);
    const { expected, got } = compare(library, home, server);
    assert.deepEqual(got, expected);
  });
});
