/**
 * Who contributed each asset of an iCloud Shared Photo Library, loaded once per listing into a map
 * by asset. `ZASSETCONTRIBUTOR` links an asset to a `ZSHAREPARTICIPANT`; its asset column is named
 * after the Asset entity's number (`Z3LIBRARYSCOPEASSETCONTRIBUTORS`: Z_PRIMARYKEY gives Asset 3
 * on 11+), so it holds the asset's Z_PK. iLEAPP joins it that way; osxphotos joins it to the
 * attributes' Z_PK, which is usually the same number. No fixture has a Shared Library: the joins
 * follow the schema of the four real libraries, whose tables are empty.
 *
 * A participant is named by their name (`ZNAMECOMPONENTS`, an archived `NSPersonNameComponents`),
 * else their e-mail address, else their phone number.
 *
 * @example
 * ```ts
 * loadContributors(db, schema).get(assetPk); // "Jane Appleseed"
 * ```
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import type { LibrarySchema } from "./_database.ts";
import { decodeBinaryPlist } from "./_bplist.ts";

/** The contributor's name of every Shared Library asset that records one, by the asset's Z_PK. */
export function loadContributors(db: DatabaseSync, schema: LibrarySchema): Map<number, string> {
  const contributors = new Map<number, string>();
  const link = schema.columns.get("ZASSETCONTRIBUTOR");
  const participant = schema.columns.get("ZSHAREPARTICIPANT");
  const assetKey = [...link ?? []].find((c) => /^Z\d+LIBRARYSCOPEASSETCONTRIBUTORS$/.test(c));
  if (!link?.has("ZPARTICIPANT") || !participant || !assetKey) return contributors;
  const col = (name: string) => participant.has(name) ? `s.${name}` : "NULL";
  const rows = db.prepare(
    `SELECT c.${assetKey} AS asset, ${col("ZNAMECOMPONENTS")} AS names, ${col("ZEMAILADDRESS")} AS email,
       ${col("ZPHONENUMBER")} AS phone
     FROM ZASSETCONTRIBUTOR c JOIN ZSHAREPARTICIPANT s ON s.Z_PK = c.ZPARTICIPANT
     WHERE c.${assetKey} IS NOT NULL ORDER BY c.Z_PK`,
  ).all();
  for (const row of rows) {
    const name = personName(row.names) ?? text(row.email) ?? text(row.phone);
    // The first contributor recorded is the one who added the asset.
    if (name && !contributors.has(Number(row.asset))) contributors.set(Number(row.asset), name);
  }
  return contributors;
}

const text = (value: unknown) => typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;

/**
 * "Given Family" of an archived `NSPersonNameComponents` (an `NSKeyedArchiver` binary plist: the
 * object is in `$objects`, its values referenced by UID); undefined when unreadable or empty.
 */
export function personName(blob: unknown): string | undefined {
  if (!(blob instanceof Uint8Array)) return undefined;
  let archive: unknown;
  try {
    archive = decodeBinaryPlist(blob);
  } catch (error) {
    // A blob this reader cannot read costs the name only; the e-mail address stands in.
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  const objects = (archive as { $objects?: unknown[] } | null)?.$objects;
  if (!Array.isArray(objects)) return undefined;
  // UID 0 is the archive's "$null".
  const resolve = (value: unknown) =>
    typeof value === "object" && value !== null && "UID" in value
      ? Number(value.UID) === 0 ? undefined : objects[Number(value.UID)]
      : value;
  for (const object of objects) {
    if (typeof object !== "object" || object === null || Array.isArray(object)) continue;
    const entries = Object.entries(object as Record<string, unknown>);
    const part = (pattern: RegExp) => text(resolve(entries.find(([key]) => pattern.test(key))?.[1]));
    const name = [part(/givenName$/i), part(/familyName$/i)].filter(Boolean).join(" ");
    if (name) return name;
  }
  return undefined;
}
