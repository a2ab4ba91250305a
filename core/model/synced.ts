/**
 * The metadata both sides of a sync keep of an asset, in one comparable shape. The tracker keeps
 * the values both sides last agreed on; a sync compares each side with them, field by field, to tell
 * who changed what (see `core/engine/reconcile.ts`).
 *
 * @example
 * ```ts
 * import { fieldsOf, sameValue } from "./synced.ts";
 * import { assetFixture } from "../plugin/testing/fixtures.ts";
 *
 * const now = fieldsOf(assetFixture({ favorite: true, keywords: ["b", "a"] }));
 * sameValue("keywords", now.keywords, ["a", "b"]); // true: order does not matter
 * ```
 * @module
 */
import type { Asset, Location, PersonInAsset } from "./asset.ts";

/** A capture instant with its offset, as both sides compare it. */
export interface SyncedDate {
  utc: string;
  /** Seconds east of UTC, null when the side does not know it. */
  offsetSeconds: number | null;
}

/** Every field a sync keeps in step. Null: the asset has no value. */
export interface SyncedFields {
  favorite: boolean;
  hidden: boolean;
  title: string | null;
  caption: string | null;
  /** Sorted, without duplicates. */
  keywords: string[];
  location: Location | null;
  captured: SyncedDate | null;
  /** 0 to 5 stars; null: not rated. */
  rating: number | null;
  /** The albums the asset is in, by the source's album id, sorted. */
  albums: string[];
  /** Sorted by name. */
  people: PersonInAsset[];
}

export type SyncedField = keyof SyncedFields;

/** The fields in the order reports list them. */
export const SYNCED_FIELDS: readonly SyncedField[] = [
  "favorite",
  "hidden",
  "title",
  "caption",
  "keywords",
  "location",
  "captured",
  "rating",
  "albums",
  "people",
];

/** Fields that apply to every member of a group (original, edit, RAW, motion video); the others to the primary. */
export const GROUP_FIELDS: ReadonlySet<SyncedField> = new Set([
  "captured",
  "location",
  "caption",
  "title",
  "hidden",
]);

/** What a side holds of an asset: only the fields it keeps (Immich keeps no title, a folder nothing). */
export type SideFields = Partial<SyncedFields>;

/** The source's view of an asset in the synced shape (on every listed asset of a sync: kept cheap). */
export function fieldsOf(asset: Asset): SyncedFields {
  const people = asset.people ?? [];
  return {
    favorite: asset.favorite,
    hidden: asset.hidden,
    title: blankless(asset.title),
    caption: blankless(asset.caption),
    keywords: asset.keywords.length < 2 ? [...asset.keywords] : [...new Set(asset.keywords)].sort(),
    location: asset.location ?? null,
    captured: asset.captured
      ? { utc: isoUtc(asset.captured.utc), offsetSeconds: asset.captured.offsetSeconds ?? null }
      : null,
    rating: asset.rating ?? null,
    albums: albumIds(asset),
    people: people.length < 2 ? [...people] : people.slice().sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** An instant as `toISOString()` writes it; one already written so passes through without a Date. */
function isoUtc(text: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(text) ? text : new Date(text).toISOString();
}

function albumIds(asset: Asset): string[] {
  const ids: string[] = [];
  for (const a of asset.albums) if (!a.shared) ids.push(a.id);
  return ids.length < 2 ? ids : ids.sort();
}

/** The fields of an asset that its source reads (all when it does not say). */
export function fieldsRead(asset: Asset, read?: readonly SyncedField[]): SideFields {
  const all = fieldsOf(asset);
  if (!read) return all;
  const out: Record<string, unknown> = {};
  for (const f of read) out[f] = all[f];
  return out as SideFields;
}

/**
 * Only the fields a destination keeps (all of them when it does not say): what the tracker may
 * record as agreed, and all a sync compares. A field it does not keep was never sent there.
 */
export function keptOnly(fields: SideFields, keep?: readonly SyncedField[]): SideFields {
  if (!keep) return fields;
  const out: Record<string, unknown> = {};
  for (const f of keep) if (f in fields) out[f] = fields[f];
  return out as SideFields;
}

/**
 * The fields as one JSON text, keys in {@link SYNCED_FIELDS} order: how the tracker stores agreed
 * values, so an unchanged asset is told by comparing two strings, without parsing a row per asset.
 */
export function canonicalJson(fields: SideFields): string {
  const ordered: Record<string, unknown> = {};
  for (const f of SYNCED_FIELDS) if (f in fields) ordered[f] = fields[f];
  return JSON.stringify(ordered);
}

/** An empty or blank text is no text: Immich stores a cleared caption as "". */
export function blankless(text: string | undefined | null): string | null {
  return text === undefined || text === null || text.trim() === "" ? null : text;
}

/** Locations closer than this (degrees, about 1 m) are the same place: each side rounds its own way. */
const SAME_PLACE = 1e-5;

/** Whether two values of one field mean the same, as each side stores it. */
export function sameValue<F extends SyncedField>(field: F, a: SyncedFields[F], b: SyncedFields[F]): boolean {
  if (a === null || b === null) return a === b;
  switch (field) {
    case "location": {
      const [p, q] = [a as Location, b as Location];
      return Math.abs(p.latitude - q.latitude) < SAME_PLACE &&
        Math.abs(p.longitude - q.longitude) < SAME_PLACE;
    }
    case "captured": {
      const [p, q] = [a as SyncedDate, b as SyncedDate];
      // A side that does not keep the offset agrees with any offset at the same instant.
      const offsets = p.offsetSeconds === null || q.offsetSeconds === null ||
        p.offsetSeconds === q.offsetSeconds;
      return Date.parse(p.utc) === Date.parse(q.utc) && offsets;
    }
    case "keywords":
    case "albums":
      return JSON.stringify([...a as string[]].sort()) === JSON.stringify([...b as string[]].sort());
    case "people":
      // Names decide; face boxes are placed by each side and travel only with a new name.
      return JSON.stringify((a as PersonInAsset[]).map((x) => x.name)) ===
        JSON.stringify((b as PersonInAsset[]).map((x) => x.name));
    default:
      return JSON.stringify(a) === JSON.stringify(b);
  }
}
