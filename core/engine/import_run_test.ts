import assert from "node:assert/strict";
import { FatalError, PermanentError, RetryableError } from "../plugin/errors.ts";
import { subjectOf, wrapSession } from "./wrap.ts";
import type { Asset } from "../model/asset.ts";
import type { ExportRequest } from "../plugin/types.ts";
import { importAssets, type RunEvent } from "./import_run.ts";
import { fakeDestination, fakeJpeg, fakeSource, harness } from "./_testing.ts";
import { query } from "../tracker/_testing.ts";

Deno.test("import records every asset once and a second run imports nothing", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 10);
    const dst = fakeDestination();
    const first = await importAssets(base({ source: src.session, destination: dst.session }));
    assert.equal(first.imported, 10);
    assert.ok(dst.maxInFlight() <= 3, "concurrency is bounded");
    const second = await importAssets(base({ source: src.session, destination: dst.session }));
    assert.deepEqual([second.imported, second.skipped.imported], [0, 10]);
    assert.equal([...src.calls.values()].reduce((a, b) => a + b), 10, "nothing exported twice");
    assert.equal(tracker.statusCounts("fake-dest").imported, 10);
  });
});

Deno.test("dry run plans every asset but exports, uploads and records nothing", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 4);
    const dst = fakeDestination();
    const events: RunEvent[] = [];
    const s = await importAssets(
      base({ source: src.session, destination: dst.session, dryRun: true, onEvent: (e) => events.push(e) }),
    );
    assert.equal(s.wouldImport, 4);
    assert.equal(src.calls.size, 0);
    assert.equal(dst.stored.size, 0);
    assert.deepEqual(query(tracker, "SELECT * FROM transfers"), []);
    assert.deepEqual(events.filter((e) => e.type === "start"), [{ type: "start", total: 4, listed: 4 }]);
    assert.ok(
      events.every((e) => e.type === "start" || (e.type === "asset" && e.outcome === "would-import")),
    );
  });
});

Deno.test("a retryable failure is retried in the run by the session wrapping, with back-off, and then succeeds", async () => {
  await harness(async ({ dir, base }) => {
    const delays: number[] = [];
    const retried: (string | undefined)[] = [];
    const src = await fakeSource(dir, 1, (_a, call) => {
      if (call < 3) throw new RetryableError("disk busy");
    });
    // The engine itself never retries: the host wraps every session it opens (core/cli/session.ts).
    const source = wrapSession({ id: "source.fake" }, src.session, {
      retry: {
        attempts: 3,
        baseMs: 100,
        sleep: (ms) => (delays.push(ms), Promise.resolve()),
        random: () => 1,
      },
      onRetry: ({ hook, args }) => retried.push(`${hook} ${subjectOf(args)}`),
    });
    const s = await importAssets(base({ source, destination: fakeDestination().session }));
    assert.equal(s.imported, 1);
    assert.deepEqual(delays, [100, 200]);
    assert.deepEqual(retried, ["export id-0", "export id-0"]);
  });
});

Deno.test("the engine itself does not retry: an unwrapped session is called once per asset", async () => {
  await harness(async ({ dir, base }) => {
    const once = await fakeSource(dir, 1, () => {
      throw new RetryableError("disk busy");
    });
    const raw = await importAssets(base({ source: once.session, destination: fakeDestination().session }));
    assert.equal(once.calls.get("id-0"), 1, "an unwrapped session is tried once: no retry inside the engine");
    assert.equal(raw.failed, 1);
  });
});

Deno.test("a permanent failure is recorded with its reason and not retried by the next run", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 3, (a) => {
      if (a.id === "id-1") throw new PermanentError("original missing on disk");
    });
    const dst = fakeDestination();
    const s = await importAssets(base({ source: src.session, destination: dst.session }));
    assert.deepEqual([s.imported, s.failed], [2, 1]);
    assert.equal(src.calls.get("id-1"), 1, "permanent errors are not retried in the run");
    const [problem] = tracker.problems("fake-dest");
    assert.equal(problem.assetId, "id-1");
    // The message as the plugin said it: the session wrapper, not the engine, adds the hook tag.
    assert.equal(problem.errorMessage, "original missing on disk");
    const again = await importAssets(base({ source: src.session, destination: dst.session }));
    assert.equal(again.skipped.permanent, 1);
    const retried = await importAssets(
      base({ source: src.session, destination: dst.session, retryPermanent: true }),
    );
    assert.equal(retried.failed, 1);
  });
});

Deno.test("a transient failure waits, then a later run retries it", async () => {
  await harness(async ({ dir, tracker, base }) => {
    let broken = true;
    const src = await fakeSource(dir, 1, () => {
      if (broken) throw new RetryableError("network down");
    });
    const dst = fakeDestination();
    let clock = new Date("2025-01-01T00:00:00Z");
    const opts = base({ source: src.session, destination: dst.session, now: () => clock });
    assert.equal((await importAssets(opts)).failed, 1);
    assert.equal(
      tracker.transfers("fake", "fake-dest").get("id-0")?.nextAttemptAt,
      "2025-01-01T00:05:00.000Z",
    );
    broken = false;
    assert.equal((await importAssets(opts)).skipped.waiting, 1);
    clock = new Date("2025-01-01T00:06:00Z");
    assert.equal((await importAssets(opts)).imported, 1);
  });
});

Deno.test("a fatal error stops the run, records nothing for it, and rejects", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 20);
    const dst = fakeDestination((id) => {
      if (id === "id-5") throw new FatalError("API key rejected (401)");
    });
    await assert.rejects(
      importAssets(base({ source: src.session, destination: dst.session, concurrency: 1 })),
      /401/,
    );
    const counts = tracker.statusCounts("fake-dest");
    assert.equal(counts.failed, 0);
    assert.equal(counts.imported, 5);
  });
});

Deno.test("--limit bounds the assets with work, trashed assets are never imported", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 6);
    src.assets[0].trashed = true;
    const s = await importAssets(
      base({ source: src.session, destination: fakeDestination().session, limit: 2 }),
    );
    assert.equal(s.imported, 2);
    assert.equal(s.skipped.trashed, 1);
  });
});

Deno.test("an asset whose file is already at the destination is recorded as a duplicate", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 2);
    await Deno.writeFile(src.assets[1].resources[0].path!, fakeJpeg("bytes of 0"));
    const s = await importAssets(
      base({ source: src.session, destination: fakeDestination().session, concurrency: 1 }),
    );
    assert.deepEqual([s.imported, s.duplicates], [1, 1]);
  });
});

Deno.test("a changed asset is reported as changed, not imported again", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 1);
    const dst = fakeDestination();
    await importAssets(base({ source: src.session, destination: dst.session }));
    src.assets[0].modified = "2025-06-01T00:00:00.000Z";
    const s = await importAssets(base({ source: src.session, destination: dst.session }));
    assert.deepEqual([s.imported, s.skipped.changed], [0, 1]);
  });
});

Deno.test("iCloud-only assets are skipped without --include-cloud, and downloaded in their own paced lane with it", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 6);
    for (const i of [1, 3, 5]) {
      src.assets[i].cloud = { synced: true, originalLocal: false };
    }
    const downloads: { id: string; at: number }[] = [];
    src.session.download = (assets) => {
      downloads.push(...assets.map((a) => ({ id: a.id, at: performance.now() })));
      return Promise.resolve();
    };
    const local = await importAssets(base({ source: src.session, destination: fakeDestination().session }));
    assert.deepEqual([local.imported, local.skipped.cloud], [3, 3]);
    assert.equal(downloads.length, 0);

    const cloud = await importAssets(base({
      source: src.session,
      destination: fakeDestination().session,
      allowNetwork: true,
      delaySeconds: 0.05,
    }));
    assert.equal(cloud.imported, 3);
    assert.deepEqual(downloads.map((d) => d.id).sort(), ["id-1", "id-3", "id-5"]);
    for (let i = 1; i < downloads.length; i++) {
      assert.ok(downloads[i].at - downloads[i - 1].at >= 45, "downloads are paced by --delay");
    }
  });
});

Deno.test("the start event gives the total of assets with work once the library is listed", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 5);
    const events: RunEvent[] = [];
    await importAssets(
      base({
        source: src.session,
        destination: fakeDestination().session,
        limit: 3,
        onEvent: (e) => events.push(e),
      }),
    );
    assert.deepEqual(events.filter((e) => e.type === "start"), [{ type: "start", total: 3, listed: 5 }]);
    assert.equal(events.filter((e) => e.type === "asset").length, 3);
  });
});

Deno.test("uploads start while the library is still being listed", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 3);
    let putBeforeListed = false;
    let firstPut!: () => void;
    const put = new Promise<void>((resolve) => (firstPut = resolve));
    const dst = fakeDestination(() => firstPut());
    const assets: Asset[] = [];
    for await (const a of src.session.list()) assets.push(a);
    // The listing holds back its last asset until an upload happened (or a second went by).
    const source = {
      ...src.session,
      async *list() {
        yield* assets.slice(0, -1);
        const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 1000));
        putBeforeListed = await Promise.race([put.then(() => true), timeout]);
        yield assets.at(-1)!;
      },
    };
    const s = await importAssets(base({ source, destination: dst.session }));
    assert.ok(putBeforeListed, "an upload happened before the listing ended");
    assert.equal(s.imported, 3);
  });
});

Deno.test("a listing that fails stops the run: what is in flight finishes, the error is the run's", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 2);
    const assets: Asset[] = [];
    for await (const a of src.session.list()) assets.push(a);
    let firstPut!: () => void;
    const put = new Promise<void>((resolve) => (firstPut = resolve));
    const source = {
      ...src.session,
      async *list() {
        yield assets[0];
        await put;
        throw new FatalError("the library went away");
      },
    };
    const dst = fakeDestination(() => firstPut());
    await assert.rejects(importAssets(base({ source, destination: dst.session })), /the library went away/);
    assert.equal(tracker.statusCounts("fake-dest").imported, 1, "the upload in flight was recorded");
  });
});

Deno.test("the per-asset export directory exists only for sources that use it, fresh per asset, and is removed", async () => {
  await harness(async ({ dir, base }) => {
    const asset = (d: string) => [...Deno.readDirSync(d)].filter((e) => e.name.startsWith("asset-"));
    // A source that hands out its own files never makes one.
    const inPlace = await fakeSource(dir, 3);
    await importAssets(base({ source: inPlace.session, destination: fakeDestination().session }));
    assert.deepEqual(asset(dir), []);
    // A source that writes its files gets a new, empty, private directory for each asset.
    const src = await fakeSource(dir, 3);
    const seen: string[] = [];
    const writing = {
      ...src.session,
      async export(req: ExportRequest) {
        assert.deepEqual([...Deno.readDirSync(req.dir)], []);
        seen.push(req.dir);
        await Deno.writeFile(`${req.dir}/out.jpg`, fakeJpeg(`made for ${req.asset.id}`));
        return [{ key: "original", path: `${req.dir}/out.jpg` }];
      },
    };
    const s = await importAssets(
      base({ sourceId: "writing", source: writing, destination: fakeDestination().session }),
    );
    assert.equal(s.imported, 3);
    assert.equal(new Set(seen).size, 3);
    assert.deepEqual(asset(dir), [], "removed after each asset");
  });
});

Deno.test("concurrent exports of files with the same name never mix up bytes between assets", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 12);
    // Every asset is "IMG_0001.JPG" (names repeat across years), and the source writes it into the
    // directory the engine gives it, slowly, so exports overlap.
    src.session.export = async (req) => {
      const path = `${req.dir}/IMG_0001.JPG`;
      await Deno.writeFile(path, fakeJpeg(`content of ${req.asset.id}`));
      await new Promise((r) => setTimeout(r, 5));
      return [{ key: "original", path }];
    };
    const received = new Map<string, string>();
    const dst = fakeDestination();
    const put = dst.session.put;
    dst.session.put = async (group) => {
      received.set(group.asset.id, await Deno.readTextFile(group.files[0].path));
      return put(group);
    };
    const s = await importAssets(base({ source: src.session, destination: dst.session, concurrency: 6 }));
    assert.equal(s.imported, 12);
    for (const [id, content] of received) assert.ok(content.endsWith(`content of ${id}`), content);
  });
});

Deno.test("a dry run never waits for --delay, even with iCloud assets", async () => {
  await harness(async ({ dir, base }) => {
    const src = await fakeSource(dir, 3);
    for (const a of src.assets) a.cloud = { synced: true, originalLocal: false };
    const run = importAssets(base({
      source: src.session,
      destination: fakeDestination().session,
      dryRun: true,
      allowNetwork: true,
      delaySeconds: 3600,
    }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tooSlow = new Promise((
      _,
      reject,
    ) => (timer = setTimeout(() => reject(new Error("the dry run waited")), 5000)));
    try {
      const s = await Promise.race([run, tooSlow]) as Awaited<typeof run>;
      assert.equal(s.wouldImport, 3);
    } finally {
      clearTimeout(timer);
    }
  });
});

Deno.test("a run stopped mid-put starts no new asset, keeps what the destination confirmed, records no failure", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const src = await fakeSource(dir, 20);
    const stop = new AbortController();
    // The signal arrives while the first puts are in flight; they still finish and are confirmed.
    const dst = fakeDestination(() => stop.abort(new Error("stopped")));
    const s = await importAssets(
      base({ source: src.session, destination: dst.session, signal: stop.signal }),
    );
    const confirmed = dst.stored.size;
    assert.ok(
      confirmed >= 1 && confirmed <= 3,
      `only the puts in flight (concurrency 3) ended: ${confirmed}`,
    );
    assert.ok(src.calls.size <= 3, `no export started after the stop: ${src.calls.size}`);
    assert.equal(s.imported, confirmed);
    assert.equal(tracker.statusCounts("fake-dest").imported, confirmed);
    assert.deepEqual(query(tracker, "SELECT asset_id FROM transfers WHERE status <> 'imported'"), []);
  });
});
