/**
 * Named people and their faces: `ZDETECTEDFACE` rows (not hidden) whose `ZPERSON` has a name, loaded once per
 * listing into a map by asset, so no asset costs a query of its own. Unnamed face clusters (people
 * Photos found but the user never named) are left out: they mean nothing outside this library.
 *
 * Photos stores a face as a centre and a size, normalised, in the image as shown (orientation
 * applied) with the origin at the bottom left; the size is the side of a square face box as a
 * fraction of the longer side. Sources: osxphotos `FaceInfo` (`personinfo.py`: `size_pixels` is
 * `size × max(width, height)`, `face_rect` centres a square of that side, `_fix_orientation` flips
 * y for orientation 1), and neilpa/phace `draw.go` `makePoint`, whose mapping to the stored pixels
 * (`x, y = 1-y, 1-x` for orientation 6) is what a centre in the shown image gives. Checked by
 * drawing the boxes on the fixtures' images, an orientation-6 one among them (see
 * `people_test.ts`).
 *
 * @example
 * ```ts
 * const faces = loadFaces(db, schema);
 * peopleOf(faces.get(assetPk), width, height); // [{ name: "Katie", face: { x, y, width, height } }]
 * ```
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { FaceBox, PersonInAsset } from "../../../core/model/asset.ts";
import type { LibrarySchema } from "./_database.ts";

/** One named face as Photos stores it. */
export interface StoredFace {
  name: string;
  centerX: number;
  centerY: number;
  size: number;
}

/** The named faces of every asset, by the asset's Z_PK; empty when the library has no face tables. */
export function loadFaces(db: DatabaseSync, schema: LibrarySchema): Map<number, StoredFace[]> {
  const faces = new Map<number, StoredFace[]>();
  const face = schema.columns.get("ZDETECTEDFACE");
  const person = schema.columns.get("ZPERSON");
  // The foreign keys were renamed in macOS 14 (model 17xxx): ZASSET/ZPERSON before, *FORFACE after.
  const [assetKey, personKey] = face?.has("ZASSETFORFACE")
    ? ["ZASSETFORFACE", "ZPERSONFORFACE"]
    : ["ZASSET", "ZPERSON"];
  const needed = [assetKey, personKey, "ZCENTERX", "ZCENTERY", "ZSIZE"];
  if (!face || !person || !needed.every((c) => face.has(c))) return faces;
  const name = (column: string) => person.has(column) ? `nullif(trim(p.${column}), '')` : "NULL";
  // Photos' own face counts (its ZPERSON.ZFACECOUNT triggers) skip hidden faces: so does the reader.
  const shown = face.has("ZHIDDEN") ? "AND ifnull(f.ZHIDDEN, 0) = 0" : "";
  const rows = db.prepare(
    `SELECT f.${assetKey} AS asset, coalesce(${name("ZFULLNAME")}, ${name("ZDISPLAYNAME")}) AS name,
       f.ZCENTERX AS x, f.ZCENTERY AS y, f.ZSIZE AS size
     FROM ZDETECTEDFACE f JOIN ZPERSON p ON p.Z_PK = f.${personKey}
     WHERE f.${assetKey} IS NOT NULL AND name IS NOT NULL ${shown}
     ORDER BY f.Z_PK`,
  ).all();
  for (const row of rows) {
    const list = faces.get(Number(row.asset)) ?? [];
    list.push({
      name: String(row.name),
      centerX: Number(row.x),
      centerY: Number(row.y),
      size: Number(row.size),
    });
    faces.set(Number(row.asset), list);
  }
  return faces;
}

/**
 * The face's box in the image as shown, top-left origin, as fractions of the shown width and
 * height (`width` and `height` are the shown size: Photos' `ZWIDTH`/`ZHEIGHT` have orientation
 * applied). Clipped to the image; undefined without a size or a face.
 */
export function faceBox(face: StoredFace, width: number, height: number): FaceBox | undefined {
  if (!(width > 0 && height > 0 && face.size > 0)) return undefined;
  const side = face.size * Math.max(width, height);
  const half = { x: side / 2 / width, y: side / 2 / height };
  const center = { x: face.centerX, y: 1 - face.centerY };
  const left = clip(center.x - half.x);
  const top = clip(center.y - half.y);
  return {
    x: left,
    y: top,
    width: clip(center.x + half.x) - left,
    height: clip(center.y + half.y) - top,
  };
}

const clip = (value: number) => Math.min(1, Math.max(0, value));

/** The asset's named people, by name (then left to right), each with their face box where it can be placed. */
export function peopleOf(faces: StoredFace[] | undefined, width: number, height: number): PersonInAsset[] {
  if (!faces) return [];
  const people = faces.map((face) => {
    const person: PersonInAsset = { name: face.name };
    const box = faceBox(face, width, height);
    if (box) person.face = box;
    return person;
  });
  return people.sort((a, b) => a.name.localeCompare(b.name) || (a.face?.x ?? 0) - (b.face?.x ?? 0));
}
