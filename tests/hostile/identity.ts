/**
 * Hostile cases: a destination that vanished or was emptied, a second library in the same data
 * folder, refused syncs, and later commands that must remember the import's settings.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { writeSampleLibrary } from "../../plugins/source/photoslibrary/sample_library.ts";
import type { HostileCase, World } from "../_hostile.ts";
import { cli } from "../_cli.ts";

/** Removes every file below the destination but keeps the folder (a disk emptied, not unmounted). */
async function emptyFolder(dir: string): Promise<void> {
  for await (const e of Deno.readDir(dir)) await Deno.remove(join(dir, e.name), { recursive: true });
}

/** Deletes asset rows of the world's library (all of them: it lists nothing, a broken library). */
function emptyLibrary(w: World, keep = 0): void {
  const db = new DatabaseSync(join(w.library, "database", "Photos.sqlite"));
  try {
    db.exec(`DELETE FROM ZASSET WHERE Z_PK NOT IN (SELECT Z_PK FROM ZASSET ORDER BY Z_PK LIMIT ${keep})`);
  } finally {
    db.close();
  }
}

function count(w: World, sql: string): number {
  const db = new DatabaseSync(join(w.home, "tracker.db"), { readOnly: true });
  try {
    return Number((db.prepare(sql).get() as { n: number }).n);
  } finally {
    db.close();
  }
}

/**
 * Points the copied tracker at this world: the template was imported at another path, and a
 * tracker keys destinations (and remembers the library and folder) by path.
 */
function rebase(w: World): World {
  const db = new DatabaseSync(join(w.home, "tracker.db"));
  try {
    const row = db.prepare("SELECT value FROM remembered WHERE name = 'PHOTOS_SYNC_LIBRARY'").get() as
      | { value: string }
      | undefined;
    if (!row) throw new Error("the template tracker remembers no library");
    const from = dirname(row.value);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    for (const { name } of tables) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info('${name}') WHERE type = 'TEXT'`)
        .all() as {
          name: string;
        }[];
      for (const c of columns) {
        db.prepare(`UPDATE "${name}" SET "${c.name}" = replace("${c.name}", ?, ?)`).run(from, w.dir);
      }
    }
  } finally {
    db.close();
  }
  return w;
}

export const CASES: HostileCase[] = [
  {
    name: "a folder destination whose disk is not mounted",
    setup: async (w) => {
      rebase(w);
      await Deno.remove(w.dest, { recursive: true });
      return { args: ["import", ...w.run] };
    },
    code: 1,
    firstLine: /destination folder .*dest held imports but is now missing or empty/,
  },
  {
    name: "a folder destination emptied behind the tool's back",
    setup: async (w) => {
      rebase(w);
      await emptyFolder(w.dest);
      return { args: ["sync", ...w.run] };
    },
    code: 1,
    firstLine: /dest held imports but is now missing or empty.*forget-destination/,
  },
  {
    name: "a folder destination that holds none of the imported files",
    setup: async (w) => {
      rebase(w);
      await emptyFolder(w.dest);
      await Deno.writeTextFile(join(w.dest, ".DS_Store"), "");
      return { args: ["import", ...w.run] };
    },
    code: 1,
    firstLine: /holds none of \d+ sampled assets .*forget-destination/,
  },
  {
    name: "a second library in the same data folder",
    setup: async (w) => {
      rebase(w);
      const other = join(w.dir, "other.photoslibrary");
      await writeSampleLibrary(other, { seed: 2 });
      return { args: ["sync", ...w.run.map((a) => a === w.library ? other : a)] };
    },
    code: 2,
    firstLine: /other\.photoslibrary is not the library this data folder tracks .*lib\.photoslibrary.*--home/,
  },
  {
    name: "a sync of a library that lists nothing",
    setup: (w) => {
      rebase(w);
      emptyLibrary(w);
      return { args: ["sync", ...w.run] };
    },
    code: 1,
    firstLine: /sync into folder/,
    // The run is recorded; no asset may be marked gone.
    unchanged: ["destination"],
    check: (r, w) => {
      assert.match(r.stdout, /sync refused: the source listed no assets/);
      assert.equal(count(w, "SELECT COUNT(*) AS n FROM assets WHERE gone_at IS NOT NULL"), 0);
      assert.equal(
        count(w, "SELECT COUNT(*) AS n FROM runs WHERE command = 'sync' AND status = 'failed'"),
        1,
      );
    },
  },
  {
    name: "a sync asked to propagate deletions into a folder, which has no trash",
    setup: (w) => {
      rebase(w);
      emptyLibrary(w, 2);
      return { args: ["sync", ...w.run, "--propagate-deletions"] };
    },
    code: 1,
    firstLine: /sync into folder/,
    unchanged: ["destination"],
    check: (r) => assert.match(r.stdout, /sync refused: the destination cannot move assets to a trash/),
  },
  {
    name: "an import from a second library in the same data folder",
    setup: async (w) => {
      rebase(w);
      const other = join(w.dir, "other.photoslibrary");
      await writeSampleLibrary(other, { seed: 3 });
      return { args: ["import", "--home", w.home, "--library", other] };
    },
    code: 2,
    firstLine: /other\.photoslibrary is not the library this data folder tracks/,
  },
  {
    name: "review after a folder import, given only the data folder",
    setup: (w) => ({ args: ["review", "--home", rebase(w).home] }),
    code: 0,
    firstLine: /^no problems$/,
  },
  {
    name: "cleanup after a folder import, given only the data folder",
    setup: (w) => ({ args: ["cleanup", "--home", rebase(w).home, "--dry-run"] }),
    code: 0,
    firstLine: /assets in the source, \d+ tracked/,
    // A dry run records only the run itself.
    unchanged: ["library", "destination"],
  },
  {
    name: "status after a folder import, given only the data folder",
    setup: (w) => ({ args: ["status", "--home", rebase(w).home] }),
    code: 0,
    firstLine: /./,
    check: (r) => {
      assert.doesNotMatch(r.stdout + r.stderr, /immich/i);
      assert.match(r.stdout, /destination folder:.*reachable/);
    },
  },
  {
    name: "forget-destination without --yes",
    setup: (w) => ({ args: ["forget-destination", "--home", rebase(w).home] }),
    code: 2,
    firstLine: /this would forget \d+ assets recorded at folder:.*--yes/,
  },
  {
    name: "forget-destination --yes, then an import into the emptied folder",
    setup: async (w) => {
      rebase(w);
      await emptyFolder(w.dest);
      return {
        args: [],
        custom: async () => {
          const forgot = await cli(["forget-destination", "--home", w.home, "--yes"]);
          assert.equal(forgot.code, 0, forgot.stderr);
          assert.equal(count(w, "SELECT COUNT(*) AS n FROM transfers"), 0);
          return await cli(["import", "--home", w.home]);
        },
      };
    },
    code: 0,
    firstLine: /import into folder/,
    unchanged: ["library"],
    check: (r, w) => {
      assert.match(r.stdout, /imported [1-9]/);
      assert.ok(count(w, "SELECT COUNT(*) AS n FROM transfers") > 0);
    },
  },
];
