/**
 * `GET /api/assets?query=EXPR&after=CURSOR&limit=N`: the tiers of each asset (as `status --assets
 * --json` prints them), a page at a time. `next` is the cursor of the following page, or null after
 * the last; `query` is `archive --query`'s language.
 * @module
 */
import { parseQuery } from "../engine/archive_query.ts";
import { messageOf } from "../plugin/errors.ts";
import { type AssetTierCursor, assetTierPage, type AssetTiers, cursorAfter } from "../tracker/asset_tiers.ts";
import type { Tracker } from "../tracker/mod.ts";

export const ASSET_PAGE_DEFAULT = 100;
export const ASSET_PAGE_MAX = 1000;

export type AssetPage = { assets: AssetTiers[]; next: string | null } | { error: string };

/** One page of the tiers, or an error to answer with 400. */
export function assetPage(
  tracker: Tracker,
  params: { query?: string; after?: string; limit?: string },
): AssetPage {
  const limit = params.limit === undefined ? ASSET_PAGE_DEFAULT : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > ASSET_PAGE_MAX) {
    return { error: `limit must be a whole number from 1 to ${ASSET_PAGE_MAX}, got ${params.limit}` };
  }
  const after = params.after ? cursorOf(params.after) : undefined;
  if (after === null) return { error: "after must be the next cursor of a previous page" };
  let query;
  try {
    query = params.query ? parseQuery(params.query) : undefined;
  } catch (e) {
    return { error: messageOf(e) };
  }
  const assets = assetTierPage(tracker, { query }, after, limit);
  return { assets, next: assets.length === limit ? JSON.stringify(cursorAfter(assets)) : null };
}

/** The cursor a page handed out (three strings as JSON), or null for anything else. */
function cursorOf(text: string): AssetTierCursor | null {
  try {
    const value = JSON.parse(text);
    const ok = Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === "string");
    return ok ? value as AssetTierCursor : null;
  } catch {
    return null;
  }
}
