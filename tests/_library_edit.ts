/**
 * Test helper: edits a *copy* of a Photos library the way Photos does, for the sync tests. Each
 * edit is a plain UPDATE or INSERT on `database/Photos.sqlite`, and each one on an asset bumps its
 * `ZMODIFICATIONDATE` and `Z_OPT`, as Core Data does when it saves a changed object. Photos'
 * triggers call Core Data functions (`NSCoreDataTriggerUpdateAffectedObjectValue` and the `DA`
 * twins, which report derived values to the running app); stand-ins that answer NULL are registered
 * on the connection, so a trashed or hidden asset's face triggers run as they do in Photos.
 *
 * New rows take their Z_PK from `Z_PRIMARYKEY.Z_MAX` of their entity, and raise it, as Core Data
 * does. Each edit is one save and, where the library keeps Core Data's persistent history (every
 * shared library does), is recorded there as a save is: one `ATRANSACTION` row and an `ACHANGE` row
 * per object inserted, updated or deleted. Album and keyword join tables are found as the reader finds them (entity numbers vary).
 *
 * Unverified against Photos itself: whether Photos bumps an asset's modification date when it only
 * joins or leaves an album (done here, every asset edit bumps it), and the spacing of the manual
 * order (`Z_FOK_…`) of an appended album member (1024 past the last, here).
 *
 * @example
 * ```ts
 * const library = copyLibrary(`${LIBRARIES}Test-26.1.photoslibrary`, tempDir);
 * const edit = openLibraryEdit(library);
 * try { edit.setFavorite(uuid, true); edit.addKeyword(uuid, "beach"); } finally { edit.close(); }
 * ```
 * @module
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, realpathSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type LibrarySchema, openPhotosDatabase } from "../plugins/source/photoslibrary/_database.ts";
import { LIBRARIES } from "./shared_data.ts";

/** Seconds between the Unix epoch and Core Data's reference date 2001-01-01 UTC. */
const CORE_DATA_EPOCH = 978_307_200;

/** Core Data seconds of a date. */
export const coreDataSeconds = (date: Date) => date.getTime() / 1000 - CORE_DATA_EPOCH;

/** Photos' "no location". */
const NO_PLACE = -180;

/** Core Data's functions that Photos' triggers call; they tell the app what changed, nothing more. */
const CORE_DATA_TRIGGER_FUNCTIONS = [
  "NSCoreDataTriggerUpdateAffectedObjectValue",
  "NSCoreDataDATriggerUpdatedAffectedObjectValue",
  "NSCoreDataDATriggerInsertUpdatedAffectedObjectValue",
];

/**
 * Copies `library` into `dir` for editing: the database files are copied, everything else (the
 * media) is linked, since edits touch the database only. Returns the new bundle's path.
 */
export function copyLibrary(library: string, dir: string): string {
  const copy = join(dir, library.split("/").filter(Boolean).pop()!);
  mkdirSync(join(copy, "database"), { recursive: true });
  for (const entry of readdirSync(library, { withFileTypes: true })) {
    if (entry.name !== "database") symlinkSync(join(library, entry.name), join(copy, entry.name));
  }
  for (const file of ["Photos.sqlite", "Photos.sqlite-wal", "Photos.sqlite-shm"]) {
    const from = join(library, "database", file);
    if (existsSync(from)) copyFileSync(from, join(copy, "database", file));
  }
  return copy;
}

/** Edits of one library copy, each as Photos makes it. Dates are the clock's unless given. */
export interface LibraryEdit {
  setFavorite(uuid: string, favorite: boolean): void;
  setHidden(uuid: string, hidden: boolean): void;
  /** Into Recently Deleted, with the date Photos records; `false` puts it back. */
  setTrashed(uuid: string, trashed: boolean): void;
  setTitle(uuid: string, title: string | null): void;
  setCaption(uuid: string, caption: string | null): void;
  addKeyword(uuid: string, keyword: string): void;
  removeKeyword(uuid: string, keyword: string): void;
  /** Appends the asset to the album (by the album's ZUUID) in its manual order. */
  addToAlbum(uuid: string, album: string): void;
  removeFromAlbum(uuid: string, album: string): void;
  renameAlbum(album: string, title: string): void;
  /** As Photos deletes an album: its members leave it, and the album goes to its trashed state. */
  deleteAlbum(album: string): void;
  /** Null: no location (Photos' -180, -180). */
  setLocation(uuid: string, location: { latitude: number; longitude: number } | null): void;
  /** The capture instant, and the offset east of UTC Photos keeps beside it (seconds) with its `GMT±hhmm` name. */
  setCaptured(uuid: string, captured: Date, offsetSeconds?: number): void;
  /**
   * A save that changes only one object of `entity` (its first row), as Photos' own work does
   * (a Moment or a highlight recomputed): no asset is edited.
   */
  touchEntity(entity: string): void;
  close(): void;
}

/**
 * Opens `library`'s database for editing. Refuses the shared fixtures themselves: edit a
 * {@link copyLibrary} copy. `now` is the clock for modification and trash dates.
 */
export function openLibraryEdit(library: string, now: () => Date = () => new Date()): LibraryEdit {
  const real = realpathSync(join(library, "database"));
  if (existsSync(LIBRARIES) && real.startsWith(realpathSync(LIBRARIES))) {
    throw new Error(`openLibraryEdit: ${library} is a shared fixture; edit a copyLibrary() copy`);
  }
  const schema = schemaOf(library);
  const db = new DatabaseSync(join(real, "Photos.sqlite"));
  for (const name of CORE_DATA_TRIGGER_FUNCTIONS) db.function(name, { varargs: true }, () => null);
  const rows = new Rows(db, schema, now);
  return {
    setFavorite: (uuid, favorite) => rows.asset(uuid, { ZFAVORITE: favorite ? 1 : 0 }),
    setHidden: (uuid, hidden) => rows.asset(uuid, { ZHIDDEN: hidden ? 1 : 0 }),
    setTrashed: (uuid, trashed) =>
      rows.asset(uuid, {
        ZTRASHEDSTATE: trashed ? 1 : 0,
        ZTRASHEDDATE: trashed ? coreDataSeconds(now()) : null,
      }),
    setTitle: (uuid, title) => rows.attributes(uuid, { ZTITLE: title }),
    setCaption: (uuid, caption) => rows.caption(uuid, caption),
    addKeyword: (uuid, keyword) => rows.keyword(uuid, keyword, true),
    removeKeyword: (uuid, keyword) => rows.keyword(uuid, keyword, false),
    addToAlbum: (uuid, album) => rows.membership(uuid, album, true),
    removeFromAlbum: (uuid, album) => rows.membership(uuid, album, false),
    renameAlbum: (album, title) => rows.renameAlbum(album, title),
    deleteAlbum: (album) => rows.deleteAlbum(album),
    setLocation: (uuid, place) =>
      rows.asset(uuid, { ZLATITUDE: place?.latitude ?? NO_PLACE, ZLONGITUDE: place?.longitude ?? NO_PLACE }),
    setCaptured: (uuid, captured, offsetSeconds) => {
      rows.asset(uuid, { ZDATECREATED: coreDataSeconds(captured) });
      if (offsetSeconds !== undefined) {
        rows.attributes(uuid, { ZTIMEZONEOFFSET: offsetSeconds, ZTIMEZONENAME: gmtName(offsetSeconds) });
      }
    },
    touchEntity: (entity) => rows.touchEntity(entity),
    close: () => db.close(),
  };
}

/** The zone name Photos writes for a bare offset, as in Test-26.1: `GMT-0400`. */
function gmtName(offsetSeconds: number): string {
  const minutes = Math.abs(offsetSeconds) / 60;
  const hhmm = `${Math.floor(minutes / 60)}`.padStart(2, "0") + `${minutes % 60}`.padStart(2, "0");
  return `GMT${offsetSeconds < 0 ? "-" : "+"}${hhmm}`;
}

/** The schema as the reader learns it (read-only, closed again at once). */
function schemaOf(library: string): LibrarySchema {
  const database = openPhotosDatabase(library);
  try {
    return database.schema;
  } finally {
    database.db.close();
  }
}

type Values = Record<string, string | number | null>;

/** `ACHANGE.ZCHANGETYPE`: Core Data's NSPersistentHistoryChangeType. */
type ChangeType = 0 | 1 | 2;
const [INSERTED, UPDATED, DELETED] = [0, 1, 2] as const;

/** The row-level edits, each in its own transaction like one save of Photos. */
class Rows {
  constructor(readonly db: DatabaseSync, readonly schema: LibrarySchema, readonly now: () => Date) {}

  /** Sets asset columns and bumps the asset as a save does. */
  asset(uuid: string, values: Values): void {
    this.save(() => this.touch(this.assetPk(uuid), values));
  }

  attributes(uuid: string, values: Values): void {
    this.save(() => {
      const attributes = this.attributesPk(uuid);
      this.update("ZADDITIONALASSETATTRIBUTES", attributes, values);
      this.touch(this.assetPk(uuid));
    });
  }

  caption(uuid: string, caption: string | null): void {
    this.save(() => {
      const attributes = this.attributesPk(uuid);
      const row = this.db.prepare(
        "SELECT ZASSETDESCRIPTION AS d FROM ZADDITIONALASSETATTRIBUTES WHERE Z_PK = ?",
      )
        .get(attributes);
      let description = row?.d as number | null;
      if (description === null && caption !== null) {
        description = this.insert("ZASSETDESCRIPTION", "AssetDescription", { ZASSETATTRIBUTES: attributes });
        this.update("ZADDITIONALASSETATTRIBUTES", attributes, { ZASSETDESCRIPTION: description });
      }
      if (description !== null) this.update("ZASSETDESCRIPTION", description, { ZLONGDESCRIPTION: caption });
      this.touch(this.assetPk(uuid));
    });
  }

  keyword(uuid: string, title: string, add: boolean): void {
    const join = this.schema.keywordJoin;
    if (!join) throw new Error("this library has no keyword table");
    this.save(() => {
      const attributes = this.attributesPk(uuid);
      const found = this.db.prepare("SELECT Z_PK FROM ZKEYWORD WHERE ZTITLE = ?").get(title);
      let keyword = found ? Number(found.Z_PK) : undefined;
      if (add) {
        keyword ??= this.insert("ZKEYWORD", "Keyword", {
          ZTITLE: title,
          ZUUID: crypto.randomUUID().toUpperCase(),
        });
        this.db.prepare(`INSERT OR IGNORE INTO ${join.table} (${join.owner}, ${join.member}) VALUES (?, ?)`)
          .run(attributes, keyword);
      } else if (keyword !== undefined) {
        this.db.prepare(`DELETE FROM ${join.table} WHERE ${join.owner} = ? AND ${join.member} = ?`)
          .run(attributes, keyword);
      }
      this.touch(this.assetPk(uuid));
    });
  }

  membership(uuid: string, album: string, add: boolean): void {
    const join = this.schema.albumJoin;
    if (!join) throw new Error("this library has no album table");
    this.save(() => {
      const [asset, albumPk] = [this.assetPk(uuid), this.albumPk(album)];
      const { table, owner, member, order } = join;
      if (!add) {
        this.db.prepare(`DELETE FROM ${table} WHERE ${owner} = ? AND ${member} = ?`).run(albumPk, asset);
      } else if (order) {
        // Appended to the manual order, past the album's last member.
        this.db.prepare(
          `INSERT OR IGNORE INTO ${table} (${owner}, ${member}, ${order})
           SELECT ?1, ?2, ifnull(max(${order}), 0) + 1024 FROM ${table} WHERE ${owner} = ?1`,
        ).run(albumPk, asset);
      } else {
        this.db.prepare(`INSERT OR IGNORE INTO ${table} (${owner}, ${member}) VALUES (?, ?)`).run(
          albumPk,
          asset,
        );
      }
      const cached = this.has("ZGENERICALBUM", "ZCACHEDCOUNT");
      const count = this.db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${owner} = ?`).get(albumPk)!.n;
      this.update("ZGENERICALBUM", albumPk, cached ? { ZCACHEDCOUNT: Number(count) } : {});
      this.touch(asset);
    });
  }

  renameAlbum(album: string, title: string): void {
    this.save(() => this.update("ZGENERICALBUM", this.albumPk(album), { ZTITLE: title }));
  }

  deleteAlbum(album: string): void {
    const join = this.schema.albumJoin;
    if (!join) throw new Error("this library has no album table");
    this.save(() => {
      const albumPk = this.albumPk(album);
      const { table, owner, member } = join;
      const members = this.db.prepare(`SELECT ${member} AS pk FROM ${table} WHERE ${owner} = ?`).all(albumPk);
      this.db.prepare(`DELETE FROM ${table} WHERE ${owner} = ?`).run(albumPk);
      for (const row of members) this.touch(Number(row.pk));
      if (this.has("ZGENERICALBUM", "ZTRASHEDSTATE")) {
        this.update("ZGENERICALBUM", albumPk, { ZTRASHEDSTATE: 1 });
      } else {
        this.note("ZGENERICALBUM", albumPk, DELETED);
        this.db.prepare("DELETE FROM ZGENERICALBUM WHERE Z_PK = ?").run(albumPk);
      }
    });
  }

  touchEntity(entity: string): void {
    const row = this.db.prepare("SELECT Z_ENT, Z_SUPER FROM Z_PRIMARYKEY WHERE Z_NAME = ?").get(entity);
    if (!row || Number(row.Z_SUPER) !== 0) throw new Error(`${entity} is not a root entity of this library`);
    const table = `Z${entity.toUpperCase()}`;
    const first = this.db.prepare(`SELECT Z_PK FROM ${table} ORDER BY Z_PK LIMIT 1`).get();
    if (!first) throw new Error(`${table} has no row to change`);
    this.save(() => this.update(table, Number(first.Z_PK), {}));
  }

  /** The objects the current save changed: entity number, Z_PK, and Core Data's change type. */
  private changes: [entity: number, pk: number, type: ChangeType][] = [];

  /** One save: all of `edit` or nothing, recorded in the persistent history as one transaction. */
  private save(edit: () => void): void {
    this.db.exec("BEGIN IMMEDIATE");
    this.changes = [];
    try {
      edit();
      this.recordTransaction();
      this.db.exec("COMMIT");
    } catch (error) {
      this.db.exec("ROLLBACK");
      throw error;
    }
  }

  /** Notes a change of one row (read before a deletion, since the row's entity number goes with it). */
  private note(table: string, pk: number, type: ChangeType): void {
    const row = this.db.prepare(`SELECT Z_ENT FROM ${table} WHERE Z_PK = ?`).get(pk);
    if (row && !this.changes.some(([e, p, t]) => e === Number(row.Z_ENT) && p === pk && t === type)) {
      this.changes.push([Number(row.Z_ENT), pk, type]);
    }
  }

  /** The save's transaction and changes, numbered after the last ones as Core Data numbers them. */
  private recordTransaction(): void {
    const tables = this.db.prepare(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name IN ('ATRANSACTION', 'ACHANGE')",
    ).get();
    if (Number(tables?.n) !== 2 || this.changes.length === 0) return;
    const entity = (name: string) =>
      Number(this.db.prepare("SELECT Z_ENT FROM Z_PRIMARYKEY WHERE Z_NAME = ?").get(name)?.Z_ENT ?? 0);
    const next = (table: string) =>
      Number(this.db.prepare(`SELECT ifnull(max(Z_PK), 0) + 1 AS n FROM ${table}`).get()!.n);
    const transaction = next("ATRANSACTION");
    this.db.prepare("INSERT INTO ATRANSACTION (Z_PK, Z_ENT, Z_OPT, ZTIMESTAMP) VALUES (?, ?, 1, ?)")
      .run(transaction, entity("TRANSACTION"), coreDataSeconds(this.now()));
    const change = this.db.prepare(
      `INSERT INTO ACHANGE (Z_PK, Z_ENT, Z_OPT, ZCHANGETYPE, ZENTITY, ZENTITYPK, ZTRANSACTIONID)
       VALUES (?, ?, 1, ?, ?, ?, ?)`,
    );
    let pk = next("ACHANGE");
    for (const [ent, row, type] of this.changes) {
      change.run(pk++, entity("CHANGE"), type, ent, row, transaction);
    }
    this.db.prepare("UPDATE Z_PRIMARYKEY SET Z_MAX = ? WHERE Z_NAME = 'TRANSACTION'").run(transaction);
    this.db.prepare("UPDATE Z_PRIMARYKEY SET Z_MAX = ? WHERE Z_NAME = 'CHANGE'").run(pk - 1);
  }

  /** Sets `values` on the asset, with the new modification date. */
  private touch(asset: number, values: Values = {}): void {
    this.update(this.schema.assetTable, asset, { ...values, ZMODIFICATIONDATE: coreDataSeconds(this.now()) });
  }

  /** Sets `values` on one row and bumps its Z_OPT (Core Data's optimistic-locking version). */
  private update(table: string, pk: number, values: Values): void {
    const columns = Object.keys(values);
    const sets = [...columns.map((c) => `${c} = ?`), "Z_OPT = ifnull(Z_OPT, 0) + 1"];
    this.db.prepare(`UPDATE ${table} SET ${sets.join(", ")} WHERE Z_PK = ?`).run(
      ...Object.values(values),
      pk,
    );
    this.note(table, pk, UPDATED);
  }

  /** Inserts a row of `entity` with the next Z_PK of its Z_PRIMARYKEY counter; returns the Z_PK. */
  private insert(table: string, entity: string, values: Values): number {
    const counter = this.db.prepare("SELECT Z_ENT, Z_MAX FROM Z_PRIMARYKEY WHERE Z_NAME = ?").get(entity);
    if (!counter) throw new Error(`Z_PRIMARYKEY has no entity ${entity}`);
    const pk = Math.max(
      Number(counter.Z_MAX ?? 0),
      Number(this.db.prepare(`SELECT ifnull(max(Z_PK), 0) AS m FROM ${table}`).get()!.m),
    ) + 1;
    this.db.prepare("UPDATE Z_PRIMARYKEY SET Z_MAX = ? WHERE Z_NAME = ?").run(pk, entity);
    const columns = ["Z_PK", "Z_ENT", "Z_OPT", ...Object.keys(values)];
    this.db.prepare(
      `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    )
      .run(pk, Number(counter.Z_ENT), 1, ...Object.values(values));
    this.changes.push([Number(counter.Z_ENT), pk, INSERTED]);
    return pk;
  }

  private has(table: string, column: string): boolean {
    return this.schema.columns.get(table)?.has(column) ?? false;
  }

  private assetPk(uuid: string): number {
    return this.pkOf(`SELECT Z_PK FROM ${this.schema.assetTable} WHERE ZUUID = ?`, uuid, "asset");
  }

  private attributesPk(uuid: string): number {
    return this.pkOf(
      `SELECT t.Z_PK FROM ZADDITIONALASSETATTRIBUTES t JOIN ${this.schema.assetTable} a ON a.Z_PK = t.ZASSET
       WHERE a.ZUUID = ?`,
      uuid,
      "asset attributes",
    );
  }

  private albumPk(uuid: string): number {
    return this.pkOf("SELECT Z_PK FROM ZGENERICALBUM WHERE ZUUID = ?", uuid, "album");
  }

  private pkOf(sql: string, uuid: string, what: string): number {
    const row = this.db.prepare(sql).get(uuid);
    if (!row) throw new Error(`no ${what} ${uuid} in this library`);
    return Number(row.Z_PK);
  }
}
