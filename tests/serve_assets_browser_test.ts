/**
 * The dashboard's "Assets by tier" in a real headless Chromium: it loads the tiers a page of 50 at a
 * time ("More" until the last page), narrows them by an `archive --query` expression, shows a cold
 * copy with its class, and says what is wrong with a query it cannot read.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { startServer } from "../core/server/mod.ts";
import { assetFixture } from "../core/plugin/testing/mod.ts";
import { ColdStore } from "../core/tracker/cold_state.ts";
import { Tracker } from "../core/tracker/mod.ts";
import { Chromium, chromiumPath } from "./_chromium.ts";
import { withTempDir } from "./_cli.ts";

const TOKEN = "assets-by-tier-token-7c2f19";
const ASSETS = 120;
const DEST = "immich:http://nas";

/** ASSETS imported assets, every tenth a video; A007 kept cold and removed from Immich. */
function seed(home: string): void {
  const tracker = Tracker.open(join(home, "tracker.db"));
  const db = new DatabaseSync(join(home, "tracker.db"));
  for (let i = 0; i < ASSETS; i++) {
    const id = `A${String(i).padStart(3, "0")}`;
    db.prepare(
      `INSERT INTO assets (source, asset_id, filename, media_kind, first_seen_at, last_seen_at)
       VALUES ('photos', ?, ?, ?, '2026-01-01', '2026-01-01')`,
    ).run(id, `IMG_${id}.HEIC`, i % 10 === 7 ? "video" : "photo");
    db.prepare(
      `INSERT INTO transfers (source, asset_id, destination, status, size) VALUES ('photos', ?, ?, 'imported', 1000)`,
    ).run(id, DEST);
  }
  db.close();
  const ids = { source: "photos", target: "glacier:bucket/photos-sync" };
  const cold = new ColdStore(tracker);
  cold.recordFile(ids, "A007", {
    key: "original",
    remoteId: "r",
    objectKey: "o",
    storageClass: "DEEP_ARCHIVE",
    size: 1000,
    storedBytes: 1048,
    sha1: "b".repeat(40),
  });
  cold.recordVerified(ids, "A007", [{ key: "original", storageClass: "DEEP_ARCHIVE" }]);
  cold.recordStored(ids, "A007", { destination: DEST, bytes: 1000, asset: assetFixture({ id: "A007" }) });
  cold.markRemovedFromDestination(ids, ["A007"]);
  tracker.close();
}

const rows = "document.querySelectorAll('#assets tbody tr[data-asset]').length";

Deno.test({
  name: "the dashboard pages through the assets by tier and narrows them by a query",
  // Where Chromium is not installed the test cannot run; CI installs it, so there it must.
  ignore: chromiumPath() === undefined && !Deno.env.get("CI"),
  async fn() {
    await withTempDir(async (home) => {
      seed(home);
      const server = await startServer({ home, port: 0, token: TOKEN, pollMs: 200 });
      const browser = await Chromium.launch();
      try {
        const page = await browser.newPage({ width: 1200, height: 900 });
        const errors = page.collectErrors();
        await page.goto(`${server.url}?token=${TOKEN}`);
        await page.waitFor(`${rows} === 50`, { what: "the first page of 50" });
        assert.equal(await page.evaluate("document.getElementById('assets-more').hidden"), false);
        await page.evaluate("document.getElementById('assets-more').click()");
        await page.waitFor(`${rows} === 100`, { what: "the second page" });
        await page.evaluate("document.getElementById('assets-more').click()");
        await page.waitFor(`${rows} === ${ASSETS}`, { what: "the last page" });
        assert.equal(await page.evaluate("document.getElementById('assets-more').hidden"), true);
        const ids = await page.evaluate<string[]>(
          "[...document.querySelectorAll('#assets tbody tr[data-asset]')].map((r) => r.dataset.asset)",
        );
        assert.equal(new Set(ids).size, ASSETS, "no asset twice");

        const ask = (query: string) =>
          page.evaluate(`(() => { document.getElementById('assets-query').value = ${JSON.stringify(query)};
            document.getElementById('assets-form').requestSubmit(); })()`);
        await ask("kind = video");
        await page.waitFor(`${rows} === ${ASSETS / 10}`, { what: "only the videos" });
        const cold = await page.evaluate<string>(
          "document.querySelector('#assets tr[data-asset=\"A007\"]').innerText",
        );
        assert.match(cold, /glacier:bucket\/photos-sync \(DEEP_ARCHIVE, verified/);
        assert.match(cold, /no\s+immich:http:\/\/nas/, "no longer in Immich");

        assert.deepEqual(errors, [], "no script error, no failed request");

        await ask("kind = ");
        await page.waitFor("document.getElementById('assets-error').textContent.includes('--query')", {
          what: "the query's fault shown",
        });
      } finally {
        await browser.close();
        await server.stop();
      }
    });
  },
});
