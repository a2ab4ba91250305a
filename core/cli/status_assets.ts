/**
 * `photos-sync status --assets [--query EXPR] [--json]`: where each asset lives, one line per asset
 * (imported at a destination): in Photos, at the destination (Immich), and each cold copy with its
 * storage class, when it was verified and its restore. `--query` is `archive --query`'s language.
 * With `--json`, one JSON array written an element a line as the pages are read, never held whole.
 * @module
 */
import { parseQuery } from "../engine/archive_query.ts";
import { type AssetColdTier, assetTierPages, type AssetTiers } from "../tracker/asset_tiers.ts";
import type { Tracker } from "../tracker/mod.ts";
import { formatBytes, type Output } from "./output.ts";

/** Prints the tiers of the assets `query` selects (all when undefined); the number printed. */
export function printAssetTiers(
  output: Output,
  tracker: Tracker,
  options: { query?: string; json?: boolean },
): number {
  const query = options.query === undefined ? undefined : parseQuery(options.query);
  let count = 0;
  if (options.json) output.out("[");
  for (const page of assetTierPages(tracker, { query })) {
    for (const asset of page) {
      if (options.json) output.out(`${count > 0 ? "," : ""}${JSON.stringify(asset)}`);
      else output.out(assetLine(asset));
      count++;
    }
  }
  if (options.json) output.out("]");
  else if (count === 0) output.out("no imported asset matches");
  return count;
}

/** `IMG_1.HEIC (A1, 2.0 MB): Photos yes, immich:... no, cold glacier:... (DEEP_ARCHIVE, verified ...)` */
export function assetLine(a: AssetTiers): string {
  const cold = a.cold.length === 0 ? "cold no" : a.cold.map(coldText).join(", ");
  return `${a.filename} (${a.assetId}, ${formatBytes(a.bytes)}): Photos ${yesNo(a.inPhotos)}, ` +
    `${a.destination} ${yesNo(a.atDestination)}, ${cold}`;
}

function coldText(c: AssetColdTier): string {
  const verified = c.verifiedAt ? `verified ${c.verifiedAt}` : "not verified";
  const r = c.restore;
  const restore = r.state === "requested"
    ? `, restore requested (${r.tier}) expected by ${r.expectedBy}`
    : r.state === "readable"
    ? `, restored copy readable until ${r.until}`
    : "";
  return `cold ${c.target} (${c.storageClasses.join("+")}, ${verified}${restore})`;
}

const yesNo = (b: boolean) => b ? "yes" : "no";
