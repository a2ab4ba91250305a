/** Hostile cases: bad flags and values, bad homes, damaged files and hostile file names. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { HostileCase, World } from "../_hostile.ts";
import { listFiles } from "../_cli.ts";
import { canMakeReadOnly, cliWithReadOnly, takesNonUtf8Names } from "./_machine.ts";

/** The world's run arguments with `--flag`'s value replaced. */
function withValue(w: World, flag: string, value: string): string[] {
  const i = w.run.indexOf(flag);
  return [...w.run.slice(0, i + 1), value, ...w.run.slice(i + 2)];
}

/** The world's run arguments without `--flag` and its value. */
function without(w: World, flag: string): string[] {
  const i = w.run.indexOf(flag);
  return [...w.run.slice(0, i), ...w.run.slice(i + 2)];
}

/** A plain import of the world, with `extra` flags after it. */
const importWith = (...extra: string[]) => (w: World) => ({ args: ["import", ...w.run, ...extra] });

const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, ...new TextEncoder().encode("pixels")]);

/** A folder library beside the world (`files`: name -> bytes), and the arguments that import it. */
async function folderLibrary(w: World, files: Record<string, Uint8Array>): Promise<string[]> {
  const library = join(w.dir, "card");
  await Deno.mkdir(library, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await Deno.writeFile(join(library, name), bytes);
  return ["import", "--source", "folder", ...withValue(w, "--library", library)];
}

/** Overwrites the first byte of every page but the first: what `quick_check` calls malformed. */
function damage(file: string): void {
  const bytes = Deno.readFileSync(file);
  for (let page = 1; page * 4096 < bytes.length; page++) bytes[page * 4096] = 0x41;
  Deno.writeFileSync(file, bytes);
  // As a writer coming after photos-sync's last close would: the test is quicker than a file date's millisecond.
  const later = new Date(Date.now() + 2000);
  Deno.utimeSync(file, later, later);
}

/** Folds the tracker's WAL into its main file, so damaging the main file damages what is read. */
function checkpoint(file: string): void {
  const db = new DatabaseSync(file);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
}

const stderrHas = (pattern: RegExp) => (r: { stderr: string }) => assert.match(r.stderr, pattern);

const ALL: HostileCase[] = [
  {
    name: "an unknown command",
    setup: (w) => ({ args: ["frobnicate", "--home", w.home] }),
    code: 2,
    firstLine: /unknown command 'frobnicate'/,
  },
  {
    name: "a library that is not there",
    setup: (w) => ({
      args: ["import", ...w.run.map((a) => a === w.library ? `${w.dir}/nope.photoslibrary` : a)],
    }),
    code: 2,
    firstLine: /nope\.photoslibrary/,
  },
  {
    name: "--limit 0 (once: no limit at all)",
    setup: importWith("--limit", "0"),
    code: 2,
    firstLine: /--limit <n>' argument '0' is invalid\. give a whole number 1 or more/,
  },
  {
    name: "--limit that is not a number",
    setup: importWith("--limit", "ten"),
    code: 2,
    firstLine: /--limit <n>' argument 'ten' is invalid/,
  },
  {
    name: "sync --limit 0",
    setup: (w) => ({ args: ["sync", ...w.run, "--limit", "0"] }),
    code: 2,
    firstLine: /--limit <n>' argument '0' is invalid/,
  },
  {
    name: "--concurrency 0",
    setup: importWith("--concurrency", "0"),
    code: 2,
    firstLine: /concurrency must be a whole number from 1 to 64, got "0"/,
  },
  {
    name: "--concurrency 100000",
    setup: importWith("--concurrency", "100000"),
    code: 2,
    firstLine: /concurrency must be a whole number from 1 to 64, got "100000"/,
  },
  {
    name: "PHOTOS_SYNC_CONCURRENCY that is not a number",
    setup: (w) => ({ args: ["import", ...w.run], env: { PHOTOS_SYNC_CONCURRENCY: "many" } }),
    code: 2,
    firstLine: /concurrency must be a number, got "many"/,
  },
  {
    name: "an empty --home",
    setup: (w) => ({ args: ["import", ...withValue(w, "--home", "")] }),
    code: 2,
    firstLine: /^photos-sync: --home is empty; give the data directory as a path/,
  },
  {
    name: "an empty PHOTOS_SYNC_HOME",
    setup: (w) => ({ args: ["import", ...without(w, "--home")], env: { PHOTOS_SYNC_HOME: "" } }),
    code: 2,
    firstLine: /^photos-sync: PHOTOS_SYNC_HOME is empty/,
  },
  {
    name: "an empty HOME and no other home",
    setup: (w) => ({ args: ["import", ...without(w, "--home")], env: { HOME: "" } }),
    code: 2,
    firstLine: /^photos-sync: HOME is empty, so there is no data directory to use/,
  },
  {
    name: "--home that is a file",
    setup: async (w) => {
      const file = join(w.dir, "home-file");
      await Deno.writeTextFile(file, "");
      return { args: ["import", ...withValue(w, "--home", file)] };
    },
    code: 2,
    firstLine: /home-file is a file, not a folder; set --home to a folder/,
  },
  {
    name: "a damaged tracker",
    setup: (w) => {
      checkpoint(join(w.home, "tracker.db"));
      damage(join(w.home, "tracker.db"));
      return { args: ["import", ...w.run] };
    },
    code: 2,
    firstLine:
      /the tracker .*home\/tracker\.db is damaged \(database disk image is malformed\); nothing was changed/,
    check: stderrHas(/Restore it from a backup .* or move it away to start over/),
  },
  {
    name: "a tracker that is not a database",
    setup: async (w) => {
      await Deno.writeTextFile(
        join(w.home, "tracker.db"),
        "these are my notes, not a database\n".repeat(200),
      );
      return { args: ["status", ...w.run] };
    },
    code: 2,
    firstLine: /tracker\.db is damaged \(file is not a database\)/,
  },
  {
    name: "--folder-path naming a file",
    setup: async (w) => {
      const file = join(w.dir, "photos.txt");
      await Deno.writeTextFile(file, "not a folder");
      return { args: ["import", ...withValue(w, "--folder-path", file)] };
    },
    code: 2,
    firstLine: /photos\.txt is a file, not a folder; give --folder-path a folder/,
  },
  {
    name: "--folder-path below a file",
    setup: async (w) => {
      const file = join(w.dir, "photos.txt");
      await Deno.writeTextFile(file, "not a folder");
      return { args: ["import", ...withValue(w, "--folder-path", join(file, "inside"))] };
    },
    code: 2,
    firstLine: /photos\.txt is a file, not a folder/,
  },
  {
    name: "serve --host that is not a host name",
    setup: (w) => ({ args: ["serve", "--home", w.home, "--host", "bad host!"] }),
    code: 2,
    firstLine: /--host "bad host!" is not a valid host name or address/,
  },
  {
    name: "serve --port that is not a number",
    setup: (w) => ({ args: ["serve", "--home", w.home, "--port", "http"] }),
    code: 2,
    firstLine: /--port must be a whole number from 0 to 65535, got http/,
  },
  {
    name: "a zero-byte file and a text file named .jpg in a folder library",
    fresh: true,
    setup: async (w) => ({
      args: await folderLibrary(w, {
        "empty.jpg": new Uint8Array(),
        "note.jpg": new TextEncoder().encode("hi"),
      }),
    }),
    code: 1,
    firstLine: /^import into folder /,
    unchanged: ["library", "destination"],
    check: (r) => {
      assert.match(r.stderr, /empty\.jpg is empty \(0 bytes\)/);
      assert.match(r.stderr, /note\.jpg does not hold JPEG data, although its name says so/);
      assert.match(r.stdout, /imported 0, already there 0, failed 2/);
    },
  },
  {
    name: "a file name that is not UTF-8 in a folder library",
    fresh: true,
    setup: async (w) => {
      const args = await folderLibrary(w, { "good.jpg": JPEG });
      const r = await new Deno.Command("sh", {
        args: ["-c", `printf 'x' > "$(printf 'caf\\351.jpg')"`],
        cwd: join(w.dir, "card"),
      }).output();
      assert.equal(r.code, 0);
      return { args };
    },
    code: 1,
    firstLine: /^import into folder /,
    unchanged: ["library"],
    check: (r) => {
      assert.match(r.stderr, /the name of .*caf\?\.jpg is not valid UTF-8/);
      assert.match(r.stdout, /imported 1, already there 0, failed 1/);
    },
  },
  {
    name: "a file name of 250 bytes in a folder library",
    fresh: true,
    setup: async (w) => ({ args: await folderLibrary(w, { [`${"n".repeat(246)}.jpg`]: JPEG }) }),
    code: 0,
    firstLine: /^import into folder /,
    unchanged: ["library"],
    check: async (_r, w) => {
      const found = await listFiles(w.dest);
      assert.equal(found.length, 1, found.join("\n"));
      assert.ok(found[0].endsWith(`/${"n".repeat(246)}.jpg`), found[0]);
    },
  },
  {
    name: "zero-byte originals in a Photos library",
    fresh: true,
    setup: async (w) => {
      const originals = join(w.library, "originals");
      for (const file of await listFiles(originals)) await Deno.truncate(join(originals, file), 0);
      return { args: ["import", ...w.run] };
    },
    code: 1,
    firstLine: /^import into folder /,
    // Not "library": the first reader of a freshly written library updates its -shm (SQLite's WAL index).
    unchanged: ["destination"],
    check: (r) => {
      assert.match(r.stderr, /is empty \(0 bytes\); nothing of .* was sent/);
      assert.match(r.stdout, /^imported 0, already there 0, failed [1-9]/);
    },
  },
  {
    name: "a dry run with a damaged tracker",
    setup: (w) => {
      checkpoint(join(w.home, "tracker.db"));
      damage(join(w.home, "tracker.db"));
      return { args: ["import", "--dry-run", ...w.run] };
    },
    code: 2,
    firstLine: /tracker\.db is damaged \(database disk image is malformed\)/,
  },
  {
    name: "review with a damaged tracker",
    setup: (w) => {
      checkpoint(join(w.home, "tracker.db"));
      damage(join(w.home, "tracker.db"));
      return { args: ["review", ...without(w, "--library")] };
    },
    code: 2,
    firstLine: /tracker\.db is damaged/,
  },
  {
    name: "status with an empty --home",
    setup: (w) => ({ args: ["status", ...withValue(w, "--home", "")] }),
    code: 2,
    firstLine: /^photos-sync: --home is empty/,
  },
  {
    name: "a negative --limit",
    setup: importWith("--limit", "-3"),
    code: 2,
    firstLine: /--limit <n>' argument '-3' is invalid/,
  },
  {
    name: "--concurrency 0 from the .env file",
    setup: async (w) => {
      await Deno.writeTextFile(join(w.home, ".env"), "PHOTOS_SYNC_CONCURRENCY=0\n");
      return { args: ["import", ...w.run] };
    },
    code: 2,
    firstLine: /concurrency must be a whole number from 1 to 64, got "0"/,
  },
  {
    name: "an unknown --to",
    setup: (w) => ({ args: ["import", ...withValue(w, "--to", "nowhere")] }),
    code: 2,
    firstLine: /unknown destination "nowhere"; known: folder, immich/,
  },
  {
    // A fresh data folder: after an import, the folder it used is remembered and would be the default.
    name: "--to folder without --folder-path",
    fresh: true,
    // The data folder's empty tracker is made before the destination's options are checked.
    unchanged: ["library", "destination"],
    setup: (w) => ({ args: ["import", ...without(w, "--folder-path")] }),
    code: 2,
    firstLine: /destination\.folder needs path \(--folder-path or PHOTOS_SYNC_FOLDER_PATH\)/,
  },
  {
    name: "an unknown --source",
    setup: importWith("--source", "nope"),
    code: 2,
    firstLine: /unknown source "nope"; known: photokit, photoslibrary, folder/,
  },
  {
    name: "a library that is a file",
    setup: async (w) => {
      const file = join(w.dir, "lib.txt");
      await Deno.writeTextFile(file, "");
      return { args: ["import", ...withValue(w, "--library", file)] };
    },
    code: 2,
    firstLine: /lib\.txt is a file, not a Photos library bundle/,
  },
  {
    name: "a library folder without Photos.sqlite",
    setup: async (w) => {
      const dir = join(w.dir, "empty.photoslibrary");
      await Deno.mkdir(dir);
      return { args: ["import", ...withValue(w, "--library", dir)] };
    },
    code: 2,
    firstLine: /empty\.photoslibrary is not a Photos library: database\/Photos\.sqlite is missing/,
  },
  {
    name: "a corrupt Photos.sqlite",
    setup: async (w) => {
      const db = join(w.library, "database", "Photos.sqlite");
      for (const side of ["-wal", "-shm"]) await Deno.remove(db + side).catch(() => {});
      await Deno.writeTextFile(db, "garbage ".repeat(1000));
      return { args: ["import", ...w.run] };
    },
    code: 2,
    firstLine: /Photos\.sqlite is damaged or not an SQLite database/,
  },
  {
    name: "--edited with a value it does not know",
    setup: importWith("--edited", "newest"),
    code: 2,
    firstLine: /edited must be one of both, originals, edited, got "newest"/,
  },
  {
    name: "--bursts with a value it does not know",
    setup: importWith("--bursts", "some"),
    code: 2,
    firstLine: /bursts must be one of picked, all, got "some"/,
  },
  {
    name: "--hidden-visibility with a value it does not know",
    setup: importWith("--hidden-visibility", "secret"),
    code: 2,
    firstLine: /hidden-visibility must be one of archive, locked, hidden, timeline, got "secret"/,
  },
  {
    name: "a negative --delay",
    setup: importWith("--delay", "-1"),
    code: 2,
    firstLine: /--delay must be seconds, got -1/,
  },
  {
    name: "an unknown flag",
    setup: importWith("--frobnicate"),
    code: 2,
    firstLine: /unknown option '--frobnicate'/,
  },
  {
    name: "a plugin file that is not there",
    setup: (w) => ({ args: ["import", ...w.run, "--plugin", join(w.dir, "nope.js")] }),
    code: 2,
    firstLine: /plugin .*nope\.js cannot be read .*; check the path/,
  },
  {
    name: "a plugin file that is not a plugin",
    setup: async (w) => {
      const file = join(w.dir, "not_a_plugin.js");
      await Deno.writeTextFile(file, "export const x = 1;\n");
      return { args: ["import", ...w.run, "--plugin", file] };
    },
    code: 2,
    firstLine: /not_a_plugin\.js: a plugin must be an object \(the module's default export\)/,
  },
  {
    name: "an --env-file that is not there",
    setup: (w) => ({ args: ["status", ...w.run, "--env-file", join(w.dir, "nope.env")] }),
    code: 2,
    firstLine: /the \.env file .*nope\.env does not exist; check the path/,
  },
  {
    name: "a read-only home",
    setup: (w) => ({ args: [], custom: () => cliWithReadOnly(w.home, ["import", ...w.run]) }),
    code: 2,
    firstLine: /the data directory .*home cannot be written \(.*\); make it writable, or set --home/,
  },
  {
    name: "a read-only library is read, never written",
    setup: (w) => ({ args: [], custom: () => cliWithReadOnly(w.library, ["import", ...w.run]) }),
    code: 0,
    firstLine: /^import into folder /,
    unchanged: ["library", "destination"],
    check: (r) => assert.match(r.stdout, /imported 0, already there \d+, failed 0/),
  },
  {
    name: "reclassify --repair-limit that is negative",
    setup: (w) => ({ args: ["reclassify", ...w.run, "--repair", "--repair-limit", "-1"] }),
    code: 2,
    firstLine: /--repair-limit must be a whole number, got -1/,
  },
  {
    name: "cleanup --max-share that is not a share",
    setup: (w) => ({ args: ["cleanup", ...w.run, "--max-share", "half"] }),
    code: 2,
    firstLine: /--max-share must be between 0 and 1, got half/,
  },
];

/** Cases this machine cannot set up (a read-only folder as root without mounts, APFS names) are left out. */
const NEEDS: Record<string, () => boolean> = {
  "a read-only home": canMakeReadOnly,
  "a read-only library is read, never written": canMakeReadOnly,
  "a file name that is not UTF-8 in a folder library": takesNonUtf8Names,
};

export const CASES: HostileCase[] = ALL.filter((c) => NEEDS[c.name]?.() ?? true);
