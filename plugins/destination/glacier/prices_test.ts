import assert from "node:assert/strict";
import { PRICES_AS_OF, RESTORE_PRICES, restoreEstimate } from "./_prices.ts";

const GB = 2 ** 30;

Deno.test("a restore estimate is the table's per-GB price plus its per-request price, with the tier's wait", () => {
  // 100 GB in 2,000 objects, each tier by hand from the table's figures.
  const cases = [
    ["GLACIER", "Expedited", 100 * 0.03 + 2 * 10, 5 / 60],
    ["GLACIER", "Standard", 100 * 0.01 + 2 * 0.05, 5],
    ["GLACIER", "Bulk", 0, 12],
    ["DEEP_ARCHIVE", "Standard", 100 * 0.02 + 2 * 0.10, 12],
    ["DEEP_ARCHIVE", "Bulk", 100 * 0.0025 + 2 * 0.025, 48],
  ] as const;
  for (const [storageClass, tier, cost, hours] of cases) {
    const e = restoreEstimate({ storageClass, tier, bytes: 100 * GB, objects: 2000 });
    assert.ok(Math.abs(e.costUsd - cost) < 1e-9, `${storageClass} ${tier}: ${e.costUsd} vs ${cost}`);
    assert.equal(e.hours, hours, `${storageClass} ${tier}`);
  }
});

Deno.test("AWS's own worked example matches the table (Flexible Retrieval, 15 million objects, 100 TB)", () => {
  // re:Post s3-manage-data-retrieval: Standard $750 + $1,024; Expedited $150,000 in requests alone.
  const standard = restoreEstimate({
    storageClass: "GLACIER",
    tier: "Standard",
    bytes: 102_400 * GB,
    objects: 15e6,
  });
  assert.equal(Math.round(standard.costUsd), 1774);
  const expedited = restoreEstimate({ storageClass: "GLACIER", tier: "Expedited", bytes: 0, objects: 15e6 });
  assert.equal(Math.round(expedited.costUsd), 150_000);
});

Deno.test("Deep Archive has no Expedited tier, and every price says its source; unchecked ones say so", () => {
  assert.throws(
    () => restoreEstimate({ storageClass: "DEEP_ARCHIVE", tier: "Expedited", bytes: GB, objects: 1 }),
    /DEEP_ARCHIVE has no Expedited retrieval; it has Standard, Bulk/,
  );
  assert.match(PRICES_AS_OF, /^\d{4}-\d\d-\d\d$/);
  for (const tiers of Object.values(RESTORE_PRICES)) {
    for (const price of Object.values(tiers)) assert.ok(price!.source.length > 10);
  }
  assert.equal(RESTORE_PRICES.DEEP_ARCHIVE.Bulk!.unverified, true);
  assert.equal(RESTORE_PRICES.GLACIER.Standard!.unverified, undefined);
});
