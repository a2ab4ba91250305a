import assert from "node:assert/strict";
import { join } from "node:path";
import type { Asset } from "../model/asset.ts";
import { FatalError, PermanentError, RetryableError } from "../plugin/errors.ts";
import type { DestinationSession, ExportRequest, SourceSession } from "../plugin/types.ts";
import { Tracker } from "../tracker/mod.ts";
import { importAssets, type ImportOptions, type RunEvent } from "./import_run.ts";

/** A source over real files in a temp dir; `exportHook` may throw to simulate failures. */
async function fakeSource(dir: string, count: number, exportHook?: (a: Asset, call: number) => void) {
  const assets: Asset[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `f${i}.jpg`);
    await Deno.writeTextFile(path, `bytes of ${i}`);
    assets.push({
      id: `id-${i}`,
      kind: "photo",
      filename: `IMG_${i}.JPG`,
      favorite: false,
      hidden: false,
      trashed: false,
      keywords: [],
      albums: [],
      edited: false,
      referenced: false,
      subtypes: [],
      modified: "2024-01-01T00:00:00.000Z",
      resources: [{ role: "original", filename: `IMG_${i}.JPG`, path, present: true }],
    });
  }
  const calls = new Map<string, number>();
  const session: SourceSession = {
    key: "fake",
    async *list() {
      yield* assets;
    },
    export(req: ExportRequest) {
      const n = (calls.get(req.asset.id) ?? 0) + 1;
      calls.set(req.asset.id, n);
      exportHook?.(req.asset, n);
      return Promise.resolve([{ key: "original", path: req.asset.resources[0].path! }]);
    },
    close: async () => {},
  };
  return { assets, session, calls };
}

function fakeDestination(hook?: (id: string) => void) {
  const stored = new Map<string, string>();
  let inFlight = 0;
  let maxInFlight = 0;
  const session: DestinationSession = {
    key: "fake-dest",
    async put(group) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        await new Promise((r) => setTimeout(r, 2));
        hook?.(group.asset.id);
        return {
          resources: group.files.map((f) => {
            const duplicate = stored.has(f.sha1);
            stored.set(f.sha1, group.asset.id);
            return { key: f.key, remoteId: `r-${f.sha1.slice(0, 8)}`, duplicate };
          }),
        };
      } finally {
        inFlight--;
      }
    },
    close: async () => {},
  };
  return { session, stored, maxInFlight: () => maxInFlight };
}

async function harness(
  fn: (
    h: { dir: string; tracker: Tracker; base: (o: Partial<ImportOptions>) => ImportOptions },
  ) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  const tracker = Tracker.open(join(dir, "t.db"));
  try {
    await fn({
      dir,
      tracker,
      base: (o) => ({
        sourceId: "fake",
        destinationId: "fake-dest",
        handlers: [],
        tracker,
        tempRoot: dir,
        dryRun: false,
        concurrency: 3,
        retry: { attempts: 3, sleep: () => Promise.resolve() },
        ...o,
      } as ImportOptions),
    });
  } finally {
    tracker.close();
    await Deno.remove(dir, { recursive: true });
  }
}

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
    assert.deepEqual(tracker.query("SELECT * FROM transfers"), []);
    assert.ok(events.every((e) => e.type === "asset" && e.outcome === "would-import"));
  });
});

Deno.test("a retryable failure is retried in the run with back-off and then succeeds", async () => {
  await harness(async ({ dir, base }) => {
    const delays: number[] = [];
    const src = await fakeSource(dir, 1, (_a, call) => {
      if (call < 3) throw new RetryableError("disk busy");
    });
    const s = await importAssets(base({
      source: src.session,
      destination: fakeDestination().session,
      retry: {
        attempts: 3,
        baseMs: 100,
        sleep: (ms) => (delays.push(ms), Promise.resolve()),
        random: () => 1,
      },
    }));
    assert.equal(s.imported, 1);
    assert.deepEqual(delays, [100, 200]);
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
    assert.match(
      problem.errorMessage!,
      /source.*export.*original missing on disk|fake export: original missing/,
    );
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
    await Deno.writeTextFile(src.assets[1].resources[0].path!, "bytes of 0");
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
