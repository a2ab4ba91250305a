/**
 * The dashboard in a real headless Chromium (Debian's), beside an import running in another
 * process: the numbers on the page move as the import goes, match what the tracker records, and
 * settle on the final totals. Screenshots (desktop, and a phone in dark mode) are checked and,
 * with PHOTOS_SYNC_UPDATE_SCREENSHOTS=1, saved under docs/ for the README.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { startServer } from "../core/server/mod.ts";
import type { Snapshot } from "../core/server/mod.ts";
import { Chromium, chromiumPath, type Page } from "./_chromium.ts";
import { cliCommand, importFixture, removeOriginals, seedBackupRuns } from "./_serve_fixtures.ts";

const TOKEN = "dashboard-test-token-4e1d2c";
const ASSETS = 1500;
const DOCS = fileURLToPath(new URL("../docs/", import.meta.url));
const available = chromiumPath() !== undefined;

/** The number shown in the first live card's field, or 0. */
const liveNumber = (key: string) =>
  `(() => { const n = document.querySelector('[data-live-run] [data-k="${key}"]');
            return n ? Number(n.textContent.replace(/[^0-9]/g, "")) : 0; })()`;

function pngSize(png: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...png.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "a PNG");
  const view = new DataView(png.buffer, png.byteOffset);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

async function live(url: string): Promise<Snapshot["live"]> {
  const res = await fetch(`${url}api/runs`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return (await res.json()).live;
}

async function waitForNumber(page: Page, key: string, predicate: string, what: string): Promise<number> {
  return await page.waitFor<number>(
    `(() => { const v = ${liveNumber(key)}; return (${predicate}) ? v : 0; })()`,
    {
      what,
      timeoutMs: 60_000,
    },
  );
}

Deno.test({
  name: "the dashboard in Chromium follows an import in another process and shows its live numbers",
  // Where Chromium is not installed the test cannot run; CI installs it, so there it must.
  ignore: !available && !Deno.env.get("CI"),
  async fn() {
    const fx = await importFixture({ assets: ASSETS });
    await removeOriginals(fx.library, 12); // a few failures, so problems show
    const server = await startServer({ home: fx.home, port: 0, token: TOKEN, pollMs: 200 });
    seedBackupRuns(fx.home);
    const browser = await Chromium.launch();
    let child: Deno.ChildProcess | undefined;
    let stopped = false;
    try {
      const page = await browser.newPage({ width: 1200, height: 900 });
      const errors = page.collectErrors();
      child = cliCommand(fx.importArgs, { stdout: "null" }).spawn();

      await page.goto(`${server.url}?token=${TOKEN}`);
      assert.equal(await page.evaluate("location.search"), "", "the token left the address bar");
      await page.waitFor("document.getElementById('conn').dataset.state === 'live'", { what: "the stream" });

      const first = await waitForNumber(page, "done", "v > 0", "a live import on the page");
      await waitForNumber(page, "done", `v > ${first}`, "the live numbers to move without a reload");
      // Far enough in for the picture to show some of everything.
      await waitForNumber(page, "done", `v >= ${ASSETS / 5}`, "a fifth of the import done");

      // Hold the import still, so the page and the tracker can be compared and photographed.
      child.kill("SIGSTOP");
      stopped = true;
      let recorded = (await live(server.url))[0];
      // A progress write may have been in flight; read until two reads agree.
      for (
        let again = (await live(server.url))[0];
        again.done !== recorded.done;
        again = (await live(server.url))[0]
      ) {
        recorded = again;
      }
      await waitForNumber(page, "done", `v === ${recorded.done}`, `the page to show ${recorded.done} done`);
      const text = await page.evaluate<string>("document.querySelector('[data-live-run]').innerText");
      assert.ok(recorded.total, "the run knows its total");
      assert.match(text, new RegExp(`of ${recorded.total!.toLocaleString("en-US")} assets`));
      assert.match(text, /assets\/s/);
      assert.doesNotMatch(
        await page.evaluate<string>("document.querySelector('[data-live-run] [data-k=\"eta\"]').textContent"),
        /unknown|—/,
        "an ETA is shown",
      );

      // The backup in progress and the failures, as the tracker holds them.
      assert.equal(await page.evaluate("document.querySelectorAll('#live [data-backup-job]').length"), 2);
      assert.equal(await page.evaluate("document.querySelectorAll('#backups [data-backup-job]').length"), 2);
      const failed =
        (await (await fetch(`${server.url}api/status`, { headers: { authorization: `Bearer ${TOKEN}` } }))
          .json()).destinations[0].failed as number;
      assert.ok(failed > 0);
      await page.waitFor(
        `document.getElementById("problems-count").textContent.replace(/[^0-9]/g, "") === "${failed}"`,
        { what: `${failed} problems on the page` },
      );

      const desktop = await page.screenshot();
      assert.equal(pngSize(desktop).width, 1200);

      const phone = await browser.newPage({ width: 390, height: 844, scale: 2, mobile: true, dark: true });
      const phoneErrors = phone.collectErrors();
      await phone.goto(server.url); // the session cookie from the first visit is enough
      await waitForNumber(phone, "done", `v === ${recorded.done}`, "the phone to show the same number");
      assert.ok(
        await phone.evaluate<boolean>("document.documentElement.scrollWidth <= window.innerWidth"),
        "nothing overflows sideways on a phone",
      );
      const dark = await phone.evaluate<string>("getComputedStyle(document.body).backgroundColor");
      assert.equal(dark, "rgb(15, 17, 21)", "dark mode follows prefers-color-scheme");
      const mobile = await phone.screenshot();
      assert.equal(pngSize(mobile).width, 780);
      if (Deno.env.get("PHOTOS_SYNC_UPDATE_SCREENSHOTS") === "1") {
        await Deno.mkdir(DOCS, { recursive: true });
        await Deno.writeFile(`${DOCS}dashboard.png`, desktop);
        await Deno.writeFile(`${DOCS}dashboard-phone.png`, mobile);
      }

      child.kill("SIGCONT");
      stopped = false;
      const result = await child.output();
      assert.equal(result.code, 1, "the import ends with failures (the removed originals)");
      const status =
        await (await fetch(`${server.url}api/status`, { headers: { authorization: `Bearer ${TOKEN}` } }))
          .json();
      const imported = status.destinations[0].imported as number;
      await page.waitFor("document.querySelector('[data-live-run]') === null", {
        what: "the run to end on the page",
      });
      await page.waitFor(
        `(() => { const n = document.querySelector('[data-destination] [data-k="imported"]');
                  return n && Number(n.textContent.replace(/[^0-9]/g, "")) === ${imported}; })()`,
        { what: `${imported} imported on the page` },
      );
      assert.match(
        await page.evaluate<string>("document.querySelector('#runs tbody tr').innerText"),
        /failed/,
      );
      assert.deepEqual([...errors, ...phoneErrors], [], "no script error or blocked resource");
    } finally {
      if (child) {
        try {
          if (stopped) child.kill("SIGCONT");
          child.kill("SIGKILL");
        } catch { /* already ended */ }
        await child.status;
      }
      await browser.close();
      await server.stop();
      await Deno.remove(fx.dir, { recursive: true });
    }
  },
});
