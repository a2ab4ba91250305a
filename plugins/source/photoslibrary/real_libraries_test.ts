/**
 * The reader against the four real libraries in `../shared/testdata/photoslibraries`: every fact
 * their README lists (read from the README itself) must come out of the reader. The databases
 * are copied (with WAL and index) to a temp dir and opened there; media files are resolved in the
 * read-only original bundle, which is never opened for writing.
 */
import { SHARED as SHARED_ROOT } from "../../../tests/shared_data.ts";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Asset, Resource } from "../../../core/model/asset.ts";
import { PlanBuilder } from "../../../core/model/plan.ts";
import { PermanentError } from "../../../core/plugin/errors.ts";
import { createTestContext } from "./_test_context.ts";
import photoslibrary from "./mod.ts";
import { openPhotosDatabase } from "./_database.ts";
import { libraryInfo } from "./_info.ts";
import { readAssets } from "./_reader.ts";
import { checkLibraryFacts } from "./_readme_checks.ts";
import { type Listing, readmeFacts } from "./_readme_facts.ts";

const SHARED = `${SHARED_ROOT}testdata/`;
const LIBRARIES = join(SHARED, "photoslibraries");
const README = join(LIBRARIES, "README.md");
const ignore = !existsSync(README);
if (ignore) console.warn(`real-library tests skipped: ${README} is not there`);

/** Reads library `name` from a copy of its database; the bundle's files stay where they are. */
async function listCopy(name: string): Promise<Listing> {
  const bundle = join(LIBRARIES, `${name}.photoslibrary`);
  const dir = await Deno.makeTempDir({ prefix: "photoslibrary-real-" });
  try {
    for (const file of ["Photos.sqlite", "Photos.sqlite-wal", "Photos.sqlite-shm"]) {
      const from = join(bundle, "database", file);
      if (!existsSync(from)) continue;
      copyFileSync(from, join(dir, file));
      chmodSync(join(dir, file), 0o644);
    }
    const database = openPhotosDatabase(bundle, { database: join(dir, "Photos.sqlite") });
    try {
      const assets = [...readAssets(database)];
      const facts = readmeFacts(await Deno.readTextFile(README), name);
      return {
        bundle,
        assets,
        byId: new Map(assets.map((a) => [a.id, a])),
        info: libraryInfo(database),
        facts,
      };
    } finally {
      database.db.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const resources = (asset: Asset, role: Resource["role"]) => asset.resources.filter((r) => r.role === role);

for (const name of ["Test-Media-Types-15.7.2", "Test-26.1", "Test-10.15.7", "Test-Cloud-13.1"]) {
  Deno.test({
    name: `the reader agrees with every fact the README lists for ${name}`,
    ignore,
    fn: async (t) => await checkLibraryFacts(t, await listCopy(name)),
  });
}

/** Runs `fn` on the listing of `name`, unless the shared fixtures are not there. */
function withLibrary(name: string, title: string, fn: (listing: Listing) => void | Promise<void>) {
  Deno.test({ name: title, ignore, fn: async () => await fn(await listCopy(name)) });
}

withLibrary("Test-10.15.7", "file names are kept byte for byte, NFD accents included", ({ assets }) => {
  const nfd = assets.filter((a) => a.filename === "Fri\u0301test.jpg");
  assert.equal(nfd.length, 4, "four assets carry the decomposed name");
  for (const asset of nfd) assert.equal(resources(asset, "original")[0].filename, "Fri\u0301test.jpg");
});

withLibrary("Test-10.15.7", "the asset's type and its original's are reported apart", ({ byId }) => {
  const heic = byId.get("7783E8E6-9CAC-40F3-BE22-81FB7051C266")!;
  assert.equal(heic.uti, "public.jpeg", "the asset row names the JPEG render");
  assert.equal(resources(heic, "original")[0].uti, "public.heic", "the resource row names the HEIC");
  assert.equal(resources(heic, "edited")[0].uti, "public.jpeg", "Photos 5 renders HEIC edits as JPEG");
});

for (const name of ["Test-26.1", "Test-10.15.7"]) {
  withLibrary(name, `${name}: an absurd capture date makes an undated asset, listed last`, ({ assets }) => {
    const last = assets.at(-1)!;
    assert.equal(last.id, "8846E3E6-8AC8-4857-8448-E3D025784410");
    assert.equal(last.captured, undefined);
    assert.equal(last.sourceData!.dateCreated, 123456789012345);
    assert.ok(last.added, "its other dates are kept");
    const dated = assets.slice(0, -1).map((a) => a.captured!.utc);
    assert.deepEqual(dated, dated.toSorted().reverse(), "the dated ones come newest first");
  });
}

withLibrary("Test-26.1", "titles, captions, keywords, locations and time zones", ({ byId }) => {
  const wedding = byId.get("E9BC5C36-7CD1-40A1-A72B-8B8FAC227D51")!;
  assert.equal(wedding.caption, "Bride Wedding day");
  const park = byId.get("DC99FBDD-7A52-4100-A5BB-344131646C30")!;
  assert.equal(park.title, "St. James's Park");
  assert.ok(park.keywords.includes("London 2018"));
  assert.deepEqual(park.location, { latitude: 51.50357167, longitude: -0.1318055 });
  assert.deepEqual(byId.get("3DD2C897-F19E-4CA6-8C22-B027D5A71907")!.captured, {
    utc: "2017-06-20T07:48:56.518Z",
    offsetSeconds: 34200,
    timeZone: "Australia/Adelaide",
  });
  assert.equal(
    byId.get("1EB2B765-0765-43BA-A90C-0D0580E6172C")!.location,
    undefined,
    "-180/-180 is no place",
  );
  // ZORIGINALRESOURCECHOICE 1: Photos shows the RAW of this pair as the original.
  assert.equal(byId.get("4D521201-92AC-43E5-8F7C-59BC41C37A96")!.rawPrimary, true);
  assert.equal(byId.get("A92D9C26-3A50-4197-9388-CB5F7DB9FA91")!.rawPrimary, false);
});

withLibrary("Test-Cloud-13.1", "iCloud state, shared album and missing time zones", ({ assets, byId }) => {
  assert.equal(assets.filter((a) => a.captured && !a.captured.timeZone).length, 24);
  // ZTIMEZONEOFFSET null, ZINFERREDTIMEZONEOFFSET -28800: Photos shows it at 12:41 local time.
  assert.deepEqual(byId.get("A67D1DD2-B304-4F6E-BD3B-2838AD50E878")!.captured, {
    utc: "2020-01-05T20:41:41.273Z",
    offsetSeconds: -28800,
  });
  assert.equal(assets.filter((a) => a.captured?.offsetSeconds === undefined).length, 9);
  const shared = assets.filter((a) => a.sharing!.sharedAlbum);
  assert.equal(shared.length, 9);
  for (const asset of shared) {
    assert.deepEqual(asset.albums.map((a) => [a.title, a.shared]), [["osxphotos", true]]);
  }
  // The database says the original is here, the disk disagrees: missing, not in iCloud.
  const missing = byId.get("8DEB54E9-F892-48C6-9A45-02D81CD3EC0E")!;
  assert.deepEqual(missing.cloud, { synced: true, originalLocal: true });
  assert.equal(resources(missing, "original")[0].present, false);
  const poster = resources(byId.get("1589DB35-1E27-456D-AF6A-597786EE5B9E")!, "sidecar")[0];
  assert.deepEqual([poster.filename, poster.present], [
    "30716CBB-9783-4346-9CE4-6142D05076DB.poster.jpg",
    true,
  ]);
});

withLibrary(
  "Test-Media-Types-15.7.2",
  "Live Photo pairs resolve to the very files of ../media",
  async ({ assets }) => {
    const media = join(SHARED, "media");
    const readme = await Deno.readTextFile(join(media, "README.md"));
    const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
    const row =
      /\| `(IMG_\d+)\.HEIC` \| [\d,]+ \| `([0-9A-F-]{36})` \| iOS [\d.]+, \d+×\d+, (?:taken )?(\S+) (\S+)([-+]\d\d:\d\d) \|/g;
    const pairs = [...readme.matchAll(row)];
    assert.equal(pairs.length, 3);
    for (const [, name, contentId, day, time, zone] of pairs) {
      const asset = assets.find((a) => a.liveContentId === contentId)!;
      assert.equal(asset.filename, `${name}.HEIC`);
      const [hours, minutes] = zone.split(":").map(Number);
      assert.equal(asset.captured!.offsetSeconds, hours * 3600 + Math.sign(hours) * minutes * 60);
      assert.equal(Date.parse(asset.captured!.utc), Date.parse(`${day}T${time}${zone}`), `${name} taken`);
      assert.equal(sha(resources(asset, "original")[0].path!), sha(join(media, `${name}.HEIC`)));
      assert.equal(sha(resources(asset, "motion")[0].path!), sha(join(media, `${name}.mov`)));
    }
    for (const aae of ["IMG_O3582.aae", "IMG_O3932.aae", "IMG_O5747.aae"]) {
      const asset = assets.find((a) => a.filename.startsWith(`IMG_${aae.slice(5, 9)}.`))!;
      const [sidecar] = resources(asset, "adjustment");
      assert.equal(sidecar.filename, aae.replace(".aae", ".AAE"));
      assert.equal(sha(sidecar.path!), sha(join(media, aae)));
    }
  },
);

/** Every file below `dir` with its SHA-256, by path relative to `dir`. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[path.slice(dir.length + 1)] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

for (const name of ["Test-Media-Types-15.7.2", "Test-Cloud-13.1"]) {
  Deno.test({
    name: `${name}: listing and exporting in place leave every file of the bundle as it was`,
    ignore,
    fn: async () => {
      const root = await Deno.makeTempDir({ prefix: "photoslibrary-inplace-" });
      try {
        const bundle = join(root, `${name}.photoslibrary`);
        cpSync(join(LIBRARIES, `${name}.photoslibrary`), bundle, { recursive: true });
        const before = snapshot(bundle);
        const ctx = await createTestContext();
        try {
          const session = await photoslibrary.open({ library: bundle }, ctx);
          try {
            let listed = 0;
            for await (const asset of session.list()) {
              listed++;
              const plan = new PlanBuilder(asset);
              asset.resources.forEach((r, i) => r.present && plan.add(`r${i}`, r));
              await session.export({ asset, plan: plan.build(), dir: ctx.tempDir, allowNetwork: false })
                .catch((e) => assert.ok(e instanceof PermanentError, String(e)));
            }
            assert.ok(listed > 0);
          } finally {
            await session.close();
          }
        } finally {
          await ctx.dispose();
        }
        assert.deepEqual(snapshot(bundle), before, "no file changed, appeared or vanished");
      } finally {
        await Deno.remove(root, { recursive: true });
      }
    },
  });
}
