/**
 * What a restore from Glacier costs and how long it takes, per storage class and retrieval tier,
 * from a price table kept here with its date and source. AWS changes prices; the table says when
 * each number was read and where, and which ones could not be checked against AWS itself.
 *
 * Prices are AWS's US East (N. Virginia) list prices in USD; other regions differ. A restore is
 * billed per GB retrieved (the stored, encrypted bytes) plus per 1,000 restore requests (one per
 * object); downloading the restored copy afterwards adds data transfer out, which is not in here.
 *
 * @example
 * ```ts
 * const e = restoreEstimate({ storageClass: "DEEP_ARCHIVE", tier: "Bulk", bytes: 50 * 2 ** 30, objects: 1000 });
 * // e.costUsd ≈ 0.15, e.hours = 48
 * ```
 * @module
 */

export type RestoreTier = "Bulk" | "Standard" | "Expedited";
export type ArchiveClass = "DEEP_ARCHIVE" | "GLACIER";

export interface TierPrice {
  /** USD per GB (2^30 bytes, as AWS bills) retrieved. */
  perGb: number;
  /** USD per 1,000 restore requests. */
  per1000Requests: number;
  /** The longest a restore in this tier typically takes, in hours (AWS's "typically within"). */
  hours: number;
  /** Where the numbers come from; `unverified` when no AWS page for them was found. */
  source: string;
  unverified?: true;
}

/** When the table was last read against its sources. */
export const PRICES_AS_OF = "2026-12-03";

const GUIDE = "AWS S3 User Guide, Archive retrieval options (restoring-objects-retrieval-options.html)";
const REPOST = "AWS re:Post knowledge center, s3-manage-data-retrieval (worked example of retrieval charges)";

/**
 * The table. Times: AWS's user guide for every tier. Flexible Retrieval prices: AWS's own pages.
 * Deep Archive prices: only a third-party copy of the AWS price list was found (awsnegotiations.com,
 * "US East, May 2026 list") for the per-GB figures, and nothing for the request figures, which are
 * AWS's list prices as last known to the author: both are marked unverified.
 */
export const RESTORE_PRICES: Record<ArchiveClass, Partial<Record<RestoreTier, TierPrice>>> = {
  GLACIER: {
    Expedited: {
      perGb: 0.03,
      per1000Requests: 10,
      hours: 5 / 60,
      source: `${REPOST}; ${GUIDE} (1-5 minutes)`,
    },
    Standard: { perGb: 0.01, per1000Requests: 0.05, hours: 5, source: `${REPOST}; ${GUIDE} (3-5 hours)` },
    Bulk: { perGb: 0, per1000Requests: 0, hours: 12, source: `${GUIDE} (free, 5-12 hours)` },
  },
  DEEP_ARCHIVE: {
    // Deep Archive has no Expedited tier (AWS user guide).
    Standard: {
      perGb: 0.02,
      per1000Requests: 0.10,
      hours: 12,
      source: `awsnegotiations.com copy of the AWS list (per GB); ${GUIDE} (within 12 hours)`,
      unverified: true,
    },
    Bulk: {
      perGb: 0.0025,
      per1000Requests: 0.025,
      hours: 48,
      source: `awsnegotiations.com copy of the AWS list (per GB); ${GUIDE} (within 48 hours)`,
      unverified: true,
    },
  },
};

export interface RestoreEstimate {
  costUsd: number;
  /** The longest wait, in hours. */
  hours: number;
  price: TierPrice;
}

/**
 * Cost and waiting time of restoring `bytes` stored in `objects` objects. Throws for a tier the
 * class does not have (Expedited from Deep Archive), saying which it has.
 */
export function restoreEstimate(
  request: { storageClass: ArchiveClass; tier: RestoreTier; bytes: number; objects: number },
): RestoreEstimate {
  const tiers = RESTORE_PRICES[request.storageClass];
  const price = tiers[request.tier];
  if (!price) {
    throw new Error(
      `${request.storageClass} has no ${request.tier} retrieval; it has ${Object.keys(tiers).join(", ")}`,
    );
  }
  const costUsd = (request.bytes / 2 ** 30) * price.perGb + (request.objects / 1000) * price.per1000Requests;
  return { costUsd, hours: price.hours, price };
}
