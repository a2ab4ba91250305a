/**
 * End to end: `sync` into a folder laid out for Photos' import rewrites the XMP sidecars, since that
 * layout keeps every synced field: a caption changed in Photos reaches the asset's sidecars, and a
 * renamed album reaches the sidecar of every member, not only one.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, withTempDir } from "./_cli.ts";
import { summaryOf } from "./_immich.ts";
import { openLibraryEdit } from "./_library_edit.ts";

/** Every sidecar under `root`, by path. */
async function sidecars(root: string, dir = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const entry of Deno.readDir(join(root, dir))) {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory) { for (const [p, t] of await sidecars(root, path)) out.set(p, t); }
    else if (entry.name.endsWith(".xmp")) out.set(path, await Deno.readTextFile(join(root, path)));
  }
  return out;
}

Deno.test("sync into the Photos-import folder layout rewrites the sidecars: a caption, an album renamed on every member", async () => {
  await withTempDir(async (dir) => {
    const sample = await writeSampleLibrary(join(dir, "Sample.photoslibrary"));
    const home = join(dir, "home");
    const dest = join(dir, "dest");
    const args = (command: string) => [
      command,
      "--home",
      home,
      "--source",
      "photoslibrary",
      "--library",
      sample.path,
      "--to",
      "folder",
      "--folder-path",
      dest,
      "--folder-layout",
      "photos-import",
      "--json",
    ];
    const family = sample.facts.favoriteAlbum;
    const joining = openLibraryEdit(sample.path);
    try {
      for (const id of [sample.uuids.video, sample.uuids.located]) joining.addToAlbum(id, family.uuid);
    } finally {
      joining.close();
    }
    const imported = await cli(args("import"));
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal((await cli(args("sync"))).code, 0);
    const old = `<rdf:li>${family.title}</rdf:li>`;
    const members = [...(await sidecars(dest)).values()].filter((t) => t.includes(old)).length;
    assert.ok(members >= 3, `the album has several members in the folder (${members})`);

    const edit = openLibraryEdit(sample.path);
    try {
      edit.setCaption(sample.uuids.located, "Said in Photos");
      edit.renameAlbum(family.uuid, "Family, renamed");
    } finally {
      edit.close();
    }
    const run = await cli(args("sync"));
    assert.equal(run.code, 0, run.stderr);
    const s = summaryOf(run.stdout);
    assert.deepEqual([s.unsupported, s.albumsRenamed, s.toRemote.fields.caption], [0, 1, 1]);
    const after = [...(await sidecars(dest)).values()];
    assert.equal(after.filter((t) => t.includes(old)).length, 0, "no sidecar keeps the old name");
    assert.equal(after.filter((t) => t.includes("<rdf:li>Family, renamed</rdf:li>")).length, members);
    const captioned = after.filter((t) => t.includes(`<photos-sync:AssetId>${sample.uuids.located}<`));
    assert.ok(captioned.length > 0);
    for (const t of captioned) {
      assert.match(t, /<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Said in Photos</);
    }

    const again = summaryOf((await cli(args("sync"))).stdout);
    assert.deepEqual([again.toRemote.assets, again.albumsRenamed], [0, 0], "a second sync does nothing");
  });
});
