/**
 * The table of hostile cases: bad input a user can meet, each run through the real CLI in a fresh
 * copy of one small world (a sample library already imported once into a folder destination).
 * Every case asserts the exit code and the first line of the message, and that the library, the
 * tracker and the destination are unchanged where nothing should change.
 *
 * Cases live in `tests/hostile/<area>.ts`, one table per area, each run by its own
 * `tests/hostile_<area>_test.ts` so areas run in parallel; `hostile_count_test.ts` holds the whole
 * table to its size.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { hashFile } from "../core/engine/hash.ts";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { cli, type CliResult, folderRun } from "./_cli.ts";

/** The paths of one case's world. `home` holds the tracker; `dest` the folder destination. */
export interface World {
  dir: string;
  library: string;
  home: string;
  dest: string;
  /** How many assets the sample library has. */
  assets: number;
  /** The arguments that point a command at this world's home, library and folder destination. */
  run: string[];
}

/** What a case's setup hands back: the call to make, and anything it needs around it. */
export interface HostileCall {
  args: string[];
  env?: Record<string, string>;
  /** Runs instead of the plain CLI call (for a server, a signal, a second process). */
  custom?: () => Promise<CliResult>;
  /** Undoes what setup started (a server), after the call. */
  cleanup?: () => Promise<void>;
}

export type Part = "library" | "tracker" | "destination";

export interface HostileCase {
  name: string;
  /** Changes the fresh world as the case needs (break a file, stop a disk) and says what to run. */
  setup(world: World): Promise<HostileCall> | HostileCall;
  /** The exit code expected. */
  code: number;
  /** Matches the first non-empty line of standard error (or of standard output when stderr is empty). */
  firstLine: RegExp;
  /** Parts of the world that must not change (default: all three). */
  unchanged?: Part[];
  /** Extra assertions on the result and the world. */
  check?: (result: CliResult, world: World) => Promise<void> | void;
  /** Start from a world with nothing imported yet (an empty home and destination). */
  fresh?: boolean;
}

let template: Promise<{ imported: string; fresh: string; assets: number }> | undefined;

/** Builds the two template worlds once per test process; cases get copies of them. */
function templates() {
  template ??= (async () => {
    const root = await Deno.makeTempDir({ prefix: "photos-sync-hostile-template-" });
    const fresh = join(root, "fresh");
    const imported = join(root, "imported");
    const sample = await writeSampleLibrary(join(fresh, "lib.photoslibrary"));
    await Deno.mkdir(join(fresh, "home"), { recursive: true });
    await Deno.mkdir(join(fresh, "dest"), { recursive: true });
    await copyTree(fresh, imported);
    const w = worldAt(imported, sample.assets);
    const r = await cli(["import", ...w.run]);
    assert.equal(r.code, 0, `the template import failed: ${r.stderr}`);
    globalThis.addEventListener("unload", () => Deno.removeSync(root, { recursive: true }));
    return { imported, fresh, assets: sample.assets };
  })();
  return template;
}

/**
 * The tracker of a copied world still names the template's paths (a folder destination is keyed by
 * its absolute path): point every text value that holds the template's folder at the copy's.
 */
function repoint(home: string, from: string, to: string): void {
  const db = new DatabaseSync(join(home, "tracker.db"));
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    for (const { name } of tables) {
      const columns = db.prepare(`SELECT name, type FROM pragma_table_info('${name}')`).all() as {
        name: string;
        type: string;
      }[];
      for (const col of columns.filter((c) => c.type.toUpperCase() === "TEXT" || c.type === "")) {
        db.prepare(
          `UPDATE "${name}" SET "${col.name}" = replace("${col.name}", ?, ?) WHERE instr("${col.name}", ?) > 0`,
        )
          .run(from, to, from);
      }
    }
  } finally {
    db.close();
  }
}

function worldAt(dir: string, assets: number): World {
  const library = join(dir, "lib.photoslibrary");
  const home = join(dir, "home");
  const dest = join(dir, "dest");
  return { dir, library, home, dest, assets, run: folderRun(home, library, dest) };
}

async function copyTree(from: string, to: string): Promise<void> {
  const r = await new Deno.Command("cp", { args: ["-a", from, to] }).output();
  if (r.code !== 0) throw new Error(`cp -a ${from} ${to}: ${new TextDecoder().decode(r.stderr)}`);
}

/** A fingerprint of every file below `path` (relative path, size, SHA-1); "" when it is absent. */
async function treePrint(path: string): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(path);
  } catch {
    return "";
  }
  if (info.isFile) return `${info.size} ${(await hashFile(path)).sha1}`;
  const lines: string[] = [];
  const walk = async (dir: string, rel: string) => {
    const entries = [];
    for await (const e of Deno.readDir(dir)) entries.push(e);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      // SQLite's shared-memory index is rewritten by any reader; it holds no data.
      if (e.name.endsWith("-shm")) continue;
      if (e.isDirectory) {
        lines.push(`${r}/`);
        await walk(p, r);
      } else if (e.isFile) lines.push(`${r} ${(await Deno.stat(p)).size} ${(await hashFile(p)).sha1}`);
      else lines.push(`${r} @`);
    }
  };
  await walk(path, "");
  return lines.join("\n");
}

/** The tracker's rows, table by table (not its bytes: opening a database may checkpoint its WAL). */
async function trackerPrint(home: string): Promise<string> {
  const file = join(home, "tracker.db");
  try {
    Deno.statSync(file);
  } catch {
    return "";
  }
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly: true });
  } catch {
    return await treePrint(file);
  }
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[];
    return tables.map(({ name }) => {
      const rows = db.prepare(`SELECT * FROM "${name}"`).all().map((r) => JSON.stringify(r)).sort();
      return `${name}\n${rows.join("\n")}`;
    }).join("\n");
  } catch {
    // A damaged tracker cannot be read as rows; its bytes must still not change.
    return await treePrint(file);
  } finally {
    db.close();
  }
}

async function prints(world: World): Promise<Record<Part, string>> {
  return {
    library: await treePrint(world.library),
    tracker: await trackerPrint(world.home),
    destination: await treePrint(world.dest),
  };
}

export function firstLineOf(r: CliResult): string {
  const text = r.stderr.trim() ? r.stderr : r.stdout;
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
}

/** Registers one `Deno.test` per case. */
export function hostileTests(area: string, cases: readonly HostileCase[]): void {
  for (const c of cases) {
    Deno.test(`hostile (${area}): ${c.name}`, async () => {
      const t = await templates();
      const dir = await Deno.makeTempDir({ prefix: "photos-sync-hostile-" });
      try {
        const root = join(dir, "w");
        await copyTree(c.fresh ? t.fresh : t.imported, root);
        if (!c.fresh) repoint(join(root, "home"), t.imported, root);
        const world = worldAt(root, t.assets);
        const call = await c.setup(world);
        const before = await prints(world);
        let result: CliResult;
        try {
          result = call.custom ? await call.custom() : await cli(call.args, call.env);
        } finally {
          await call.cleanup?.();
        }
        const context = `exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;
        assert.equal(result.code, c.code, context);
        assert.match(firstLineOf(result), c.firstLine, context);
        const after = await prints(world);
        for (const part of c.unchanged ?? ["library", "tracker", "destination"]) {
          assert.equal(after[part], before[part], `the ${part} changed\n${context}`);
        }
        await c.check?.(result, world);
      } finally {
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
    });
  }
}
