import assert from "node:assert/strict";
import { join } from "node:path";
import { ConfigError, FatalError, PermanentError, RetryableError } from "../../../core/plugin/errors.ts";
import {
  type Fixture,
  type FixtureAlbum,
  type FixtureAsset,
  fixtureLibrary,
  nativeAsset,
} from "./_fixture_library.ts";
import { PhotosBridge } from "./bridge.ts";

// Every test here loads a native library and must unload it: the resource sanitizer checks that.
const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeResources: true, sanitizeOps: true });

const uuid = (n: number) => `C0FFEE00-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** A folder of small real files and a fixture whose resources point at them. */
async function withFiles(
  build: (file: (name: string, text?: string) => Promise<string>) => Promise<Fixture>,
  body: (bridge: PhotosBridge, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "photokit-bridge-" });
  try {
    const file = async (name: string, text = `bytes of ${name}`) => {
      const path = join(dir, "files", name);
      await Deno.mkdir(join(dir, "files"), { recursive: true });
      await Deno.writeTextFile(path, text);
      return path;
    };
    await using lib = await fixtureLibrary(await build(file));
    const bridge = PhotosBridge.open({ path: lib.path });
    try {
      await body(bridge, join(dir, "out"));
    } finally {
      await bridge.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A photo asset numbered `n` whose one resource is a small real file. */
async function photo(file: (name: string) => Promise<string>, n: number): Promise<FixtureAsset> {
  const name = `IMG_${String(n).padStart(4, "0")}.HEIC`;
  return nativeAsset(uuid(n), {
    resources: [{ type: "photo", filename: name, uti: "public.heic", raw: false, _file: await file(name) }],
  });
}

async function listAll(bridge: PhotosBridge, options = {}) {
  const assets = [];
  for await (const page of bridge.list(options)) assets.push(...page);
  return assets;
}

test("authorize() reports the status and, when asked to prompt, turns an undecided user into an answer", async () => {
  await using lib = await fixtureLibrary({
    authorization: "not_determined",
    promptResult: "limited",
    assets: [],
  });
  const bridge = PhotosBridge.open({ path: lib.path });
  try {
    assert.equal(await bridge.authorize(false), "not_determined");
    assert.equal(await bridge.authorize(true), "limited");
    assert.equal(await bridge.authorize(false), "limited");
  } finally {
    await bridge.close();
  }
});

test("calls without access fail with a configuration error that says where to grant it", async () => {
  await using lib = await fixtureLibrary({ authorization: "denied", assets: [] });
  const bridge = PhotosBridge.open({ path: lib.path });
  try {
    await assert.rejects(
      listAll(bridge),
      (e: Error) =>
        e instanceof ConfigError && /Photos access is denied.*Privacy & Security > Photos/.test(e.message),
    );
    await assert.rejects(bridge.delete([uuid(1)]), ConfigError);
    assert.equal(bridge.outstanding(), 0);
  } finally {
    await bridge.close();
  }
});

test("list() streams the library in pages and releases the listing when it ends", async () => {
  await withFiles(async (file) => ({
    assets: await Promise.all([1, 2, 3, 4, 5].map((n) => photo(file, n))),
  }), async (bridge) => {
    const pages: number[] = [];
    for await (const page of bridge.list({ pageSize: 2 })) {
      pages.push(page.length);
      assert.equal(bridge.outstanding(), pages.length < 3 ? 1 : 0, "one open listing until the last page");
    }
    assert.deepEqual(pages, [2, 2, 1]);
    assert.equal(bridge.outstanding(), 0);
  });
});

test("list() stopped early closes the listing on the native side", async () => {
  await withFiles(async (file) => ({
    assets: await Promise.all([1, 2, 3, 4, 5].map((n) => photo(file, n))),
  }), async (bridge) => {
    for await (const page of bridge.list({ pageSize: 2 })) {
      assert.equal(page.length, 2);
      assert.equal(bridge.outstanding(), 1);
      break;
    }
    assert.equal(bridge.outstanding(), 0);
  });
});

test("list() passes the hidden, burst and shared-album choices to PhotoKit", async () => {
  await withFiles(async (file) => ({
    assets: [
      await photo(file, 1),
      { ...await photo(file, 2), hidden: true },
      {
        ...await photo(file, 3),
        burstIdentifier: "B1",
        representsBurst: true,
        burstSelectionTypes: ["autoPick"],
      },
      { ...await photo(file, 4), burstIdentifier: "B1", representsBurst: false },
      { ...await photo(file, 5), sourceTypes: ["cloudShared"] },
    ],
  }), async (bridge) => {
    const names = async (options = {}) =>
      (await listAll(bridge, options)).map((a) => a.resources[0].filename.slice(4, 8)).join(",");
    assert.equal(await names(), "0001,0003");
    assert.equal(await names({ includeHidden: true }), "0001,0002,0003");
    assert.equal(await names({ includeAllBursts: true }), "0001,0003,0004");
    assert.equal(await names({ includeSharedAlbums: true }), "0001,0003,0005");
  });
});

test("export() writes each resource to its path and reports sizes, in request order", async () => {
  await withFiles(async (file) => ({
    assets: [nativeAsset(uuid(1), {
      mediaSubtypes: ["photoLive"],
      resources: [
        {
          type: "photo",
          filename: "IMG_0001.HEIC",
          uti: "public.heic",
          raw: false,
          _file: await file("a", "still"),
        },
        {
          type: "pairedVideo",
          filename: "IMG_0001.MOV",
          uti: "com.apple.quicktime-movie",
          raw: false,
          _file: await file("b", "motion!"),
        },
      ],
    })],
  }), async (bridge, out) => {
    await Deno.mkdir(out);
    const files = await bridge.export({
      id: uuid(1),
      allowNetwork: false,
      resources: [
        { types: ["pairedVideo"], filename: "IMG_0001.MOV", path: join(out, "motion.mov") },
        { types: ["photo"], filename: "IMG_0001.HEIC", path: join(out, "still.heic") },
      ],
    });
    assert.deepEqual(files, [{ path: join(out, "motion.mov"), size: 7 }, {
      path: join(out, "still.heic"),
      size: 5,
    }]);
    assert.equal(await Deno.readTextFile(join(out, "motion.mov")), "motion!");
    assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(), ["motion.mov", "still.heic"]);
  });
});

test("export() of an iCloud-only file reports progress from another thread, then writes it", async () => {
  await withFiles(async (file) => ({
    assets: [nativeAsset(uuid(1), {
      resources: [{
        type: "photo",
        filename: "IMG_0001.HEIC",
        uti: "public.heic",
        raw: false,
        _file: await file("a"),
        _cloudOnly: true,
      }],
    })],
  }), async (bridge, out) => {
    await Deno.mkdir(out);
    const request = {
      id: uuid(1),
      resources: [{ types: ["photo"], filename: "IMG_0001.HEIC", path: join(out, "a.heic") }],
    };
    await assert.rejects(
      bridge.export({ ...request, allowNetwork: false }),
      (e: Error) => e instanceof RetryableError && /only in iCloud.*--include-cloud/.test(e.message),
    );
    assert.deepEqual([...Deno.readDirSync(out)], []);
    const progress: [number, number][] = [];
    await bridge.export({ ...request, allowNetwork: true }, { onProgress: (i, f) => progress.push([i, f]) });
    assert.deepEqual(progress, [[0, 0.25], [0, 0.5], [0, 0.75], [0, 1]]);
    assert.ok((await Deno.stat(join(out, "a.heic"))).isFile);
  });
});

/** An asset whose file never arrives: the call blocks until cancelled or timed out. */
async function stalled(file: (name: string) => Promise<string>, n = 1): Promise<FixtureAsset> {
  return nativeAsset(uuid(n), {
    resources: [{
      type: "photo",
      filename: "STALL.HEIC",
      uti: "public.heic",
      raw: false,
      _file: await file("s"),
      _stall: true,
    }],
  });
}

test("a blocking export runs off the event loop: progress arrives and an abort cancels it", async () => {
  await withFiles(async (file) => ({ assets: [await stalled(file)] }), async (bridge, out) => {
    await Deno.mkdir(out);
    const abort = new AbortController();
    const { promise: started, resolve } = Promise.withResolvers<void>();
    const exported = bridge.export(
      {
        id: uuid(1),
        allowNetwork: true,
        timeoutSeconds: 10,
        resources: [{ types: ["photo"], filename: "STALL.HEIC", path: join(out, "x") }],
      },
      { signal: abort.signal, onProgress: () => resolve() },
    );
    // Only reachable while the native call is still blocked in another thread.
    await started;
    abort.abort();
    await assert.rejects(
      exported,
      (e: Error) => e instanceof RetryableError && Reflect.get(e, "code") === "cancelled",
    );
    assert.deepEqual([...Deno.readDirSync(out)], [], "nothing is left of a cancelled export");
    assert.equal(bridge.outstanding(), 0);
  });
});

test("two exports run in parallel: a quick one completes while a slow one is still blocked", async () => {
  await withFiles(
    async (file) => ({ assets: [await stalled(file, 1), await photo(file, 2)] }),
    async (bridge, out) => {
      await Deno.mkdir(out);
      const abort = new AbortController();
      let slowSettled = false;
      const slow = bridge.export(
        {
          id: uuid(1),
          allowNetwork: true,
          timeoutSeconds: 10,
          resources: [{ types: ["photo"], filename: "STALL.HEIC", path: join(out, "s") }],
        },
        { signal: abort.signal },
      ).finally(() => slowSettled = true);
      slow.catch(() => {});
      const quick = await bridge.export({
        id: uuid(2),
        allowNetwork: false,
        resources: [{ types: ["photo"], filename: "IMG_0002.HEIC", path: join(out, "q") }],
      });
      assert.equal(quick.length, 1);
      assert.equal(slowSettled, false, "the slow export is still running");
      abort.abort();
      await assert.rejects(
        slow,
        (e: Error) => e instanceof RetryableError && Reflect.get(e, "code") === "cancelled",
      );
    },
  );
});

test("an export with no data for its timeout fails as retryable", async () => {
  await withFiles(async (file) => ({ assets: [await stalled(file)] }), async (bridge, out) => {
    await Deno.mkdir(out);
    await assert.rejects(
      bridge.export({
        id: uuid(1),
        allowNetwork: true,
        timeoutSeconds: 0.05,
        resources: [{ types: ["photo"], filename: "STALL.HEIC", path: join(out, "x") }],
      }),
      (e: Error) => e instanceof RetryableError && /no data for STALL.HEIC in 0.05 seconds/.test(e.message),
    );
  });
});

test("an export whose signal is already aborted does not start", async () => {
  await withFiles(async (file) => ({ assets: [await photo(file, 1)] }), async (bridge, out) => {
    await assert.rejects(
      bridge.export(
        {
          id: uuid(1),
          allowNetwork: false,
          resources: [{ types: ["photo"], filename: "IMG_0001.HEIC", path: join(out, "x") }],
        },
        { signal: AbortSignal.abort() },
      ),
      RetryableError,
    );
    assert.equal(await Deno.stat(out).catch(() => null), null, "nothing was written");
  });
});

test("a failed export removes the files it had already written, and never overwrites", async () => {
  await withFiles(async (file) => ({
    assets: [nativeAsset(uuid(1), {
      resources: [
        { type: "photo", filename: "IMG_0001.HEIC", uti: "public.heic", raw: false, _file: await file("a") },
        {
          type: "pairedVideo",
          filename: "IMG_0001.MOV",
          uti: "com.apple.quicktime-movie",
          raw: false,
          _file: await file("b"),
          _fail: "network",
        },
      ],
    })],
  }), async (bridge, out) => {
    await Deno.mkdir(out);
    const resources = [
      { types: ["photo"], filename: "IMG_0001.HEIC", path: join(out, "1") },
      { types: ["pairedVideo"], filename: "IMG_0001.MOV", path: join(out, "2") },
    ];
    await assert.rejects(bridge.export({ id: uuid(1), allowNetwork: true, resources }), RetryableError);
    assert.deepEqual([...Deno.readDirSync(out)], []);

    await Deno.writeTextFile(join(out, "1"), "keep me");
    await assert.rejects(
      bridge.export({ id: uuid(1), allowNetwork: true, resources: resources.slice(0, 1) }),
      (e: Error) => e instanceof PermanentError && /already exists/.test(e.message),
    );
    assert.equal(await Deno.readTextFile(join(out, "1")), "keep me");
  });
});

test("export() names a missing asset or resource as not found", async () => {
  await withFiles(async (file) => ({ assets: [await photo(file, 1)] }), async (bridge, out) => {
    const path = join(out, "x");
    await assert.rejects(
      bridge.export({
        id: uuid(9),
        allowNetwork: false,
        resources: [{ types: ["photo"], filename: "IMG_0001.HEIC", path }],
      }),
      (e: Error) => e instanceof PermanentError && e.message.includes(uuid(9)),
    );
    // Same filename, other type: a resource is found by both.
    await assert.rejects(
      bridge.export({
        id: uuid(1),
        allowNetwork: false,
        resources: [{ types: ["video"], filename: "IMG_0001.HEIC", path }],
      }),
      (e: Error) => e instanceof PermanentError && e.message.includes("IMG_0001.HEIC"),
    );
  });
});

test("download() fetches from iCloud so that a later export needs no network", async () => {
  await withFiles(async (file) => ({
    assets: [nativeAsset(uuid(1), {
      resources: [{
        type: "photo",
        filename: "IMG_0001.HEIC",
        uti: "public.heic",
        raw: false,
        _file: await file("a"),
        _cloudOnly: true,
      }],
    })],
  }), async (bridge, out) => {
    await Deno.mkdir(out);
    const progress: number[] = [];
    const result = await bridge.download(
      [
        { id: uuid(1), resources: [{ types: ["photo"], filename: "IMG_0001.HEIC" }] },
        { id: uuid(7), resources: [{ types: ["photo"], filename: "IMG_0007.HEIC" }] },
      ],
      { onProgress: (_i, f) => progress.push(f) },
    );
    assert.deepEqual(result, { downloaded: [uuid(1)], notFound: [uuid(7)] });
    assert.deepEqual(progress, [0.25, 0.5, 0.75, 1]);
    await bridge.export({
      id: uuid(1),
      allowNetwork: false,
      resources: [{ types: ["photo"], filename: "IMG_0001.HEIC", path: join(out, "a") }],
    });
  });
});

test("favorites and deletion change the library", async () => {
  await withFiles(async (file) => ({
    assets: [await photo(file, 1), await photo(file, 2), await photo(file, 3)],
  }), async (bridge) => {
    assert.deepEqual(await bridge.write(uuid(1), { favorite: true }), ["favorite"]);
    assert.deepEqual(await bridge.write(`${uuid(2)}/L0/001`, { favorite: true }), ["favorite"]);
    await assert.rejects(bridge.write(uuid(8), { favorite: true }), PermanentError);
    assert.deepEqual(await bridge.delete([uuid(3), uuid(9)]), { deleted: [uuid(3)], notFound: [uuid(9)] });

    const assets = await listAll(bridge);
    assert.deepEqual(assets.map((a) => [a.localIdentifier.slice(0, 36), a.favorite]), [
      [uuid(1), true],
      [uuid(2), true],
    ]);
  });
});

test("a change the user declines in Photos stops with a fatal error", async () => {
  await withFiles(
    async (file) => ({ declineChanges: true, assets: [await photo(file, 1)] }),
    async (bridge) => {
      await assert.rejects(
        bridge.delete([uuid(1)]),
        (e: Error) => e instanceof FatalError && /declined.*nothing was changed/.test(e.message),
      );
      assert.equal((await listAll(bridge)).length, 1);
    },
  );
});

test("close() cancels calls in flight, waits for them, then refuses new calls", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "s");
    await Deno.writeTextFile(file, "s");
    await using stalledLib = await fixtureLibrary({
      assets: [nativeAsset(uuid(1), {
        resources: [{
          type: "photo",
          filename: "S.HEIC",
          uti: "public.heic",
          raw: false,
          _file: file,
          _stall: true,
        }],
      })],
    });
    const bridge = PhotosBridge.open({ path: stalledLib.path });
    const { promise: started, resolve } = Promise.withResolvers<void>();
    const exported = bridge.export(
      {
        id: uuid(1),
        allowNetwork: true,
        resources: [{ types: ["photo"], filename: "S.HEIC", path: join(dir, "out") }],
      },
      { onProgress: () => resolve() },
    );
    exported.catch(() => {});
    await started;
    await bridge.close();
    await assert.rejects(exported, RetryableError);
    await assert.rejects(bridge.authorize(false), /closed/);
    await bridge.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The library's albums, as psb_write may name them. */
const ALBUMS: FixtureAlbum[] = [
  {
    localIdentifier: "A1B00000-0000-4000-8000-000000000001/L0/040",
    title: "Trip",
    folders: ["2025"],
    kind: "regular",
  },
  {
    localIdentifier: "A1B00000-0000-4000-8000-000000000002/L0/040",
    title: "Family",
    folders: [],
    kind: "regular",
  },
  {
    localIdentifier: "A1B00000-0000-4000-8000-000000000003/L0/040",
    title: "Favorites",
    folders: [],
    kind: "smart",
  },
];
const album = (n: number) => ALBUMS[n - 1].localIdentifier.slice(0, 36);

/** The title, caption and keywords the fixture's scripting interface holds, by local identifier. */
async function scripted(
  dir: string,
): Promise<Record<string, { title: string | null; caption: string | null; keywords: string[] }>> {
  return JSON.parse(await Deno.readTextFile(join(dir, "scripting.json")).catch(() => "{}"));
}

/** A library of `assets` with ALBUMS, plus `extra` fixture keys; the body gets the bridge and the fixture folder. */
async function withLibrary(
  extra: Partial<Fixture>,
  assets: FixtureAsset[],
  body: (bridge: PhotosBridge, dir: string) => Promise<void>,
): Promise<void> {
  await using lib = await fixtureLibrary({ albums: ALBUMS, ...extra, assets });
  const bridge = PhotosBridge.open({ path: lib.path });
  try {
    await body(bridge, lib.dir);
  } finally {
    await bridge.close();
  }
}

test("write() sets every field of one asset in one call: PhotoKit's, the albums and the scripted text", async () => {
  const asset = nativeAsset(uuid(1), {
    timeZoneOffset: 7200,
    albums: [{ localIdentifier: ALBUMS[1].localIdentifier, title: "Family", folders: [] }],
  });
  await withLibrary({}, [asset, nativeAsset(uuid(2))], async (bridge, dir) => {
    const written = await bridge.write(uuid(1), {
      favorite: true,
      hidden: true,
      creationDate: "2024-12-24T18:00:00.000Z",
      timeZoneOffset: 7200,
      location: { latitude: 48.1374, longitude: 11.5755 },
      albums: [album(1)],
      title: "Christmas",
      caption: 'At grandma\'s, "finally" ✓',
      keywords: ["family", "winter"],
    });
    assert.deepEqual(written, [
      "albums",
      "caption",
      "creationDate",
      "favorite",
      "hidden",
      "keywords",
      "location",
      "timeZoneOffset",
      "title",
    ]);
    const [listed] = await listAll(bridge, { includeHidden: true });
    assert.equal(listed.favorite, true);
    assert.equal(listed.hidden, true);
    assert.equal(listed.creationDate, "2024-12-24T18:00:00.000Z");
    assert.deepEqual(listed.location, { latitude: 48.1374, longitude: 11.5755 });
    // Added to Trip, taken out of Family: the asset ends up in exactly the albums asked for.
    assert.deepEqual(listed.albums, [{
      localIdentifier: ALBUMS[0].localIdentifier,
      title: "Trip",
      folders: ["2025"],
    }]);
    assert.deepEqual(await scripted(dir), {
      [`${uuid(1)}/L0/001`]: {
        title: "Christmas",
        caption: 'At grandma\'s, "finally" ✓',
        keywords: ["family", "winter"],
      },
    });

    // Null clears; absent leaves a field alone.
    await bridge.write(uuid(1), { title: null, location: null, albums: [] });
    const [cleared] = await listAll(bridge, { includeHidden: true });
    assert.equal(cleared.location, null);
    assert.deepEqual(cleared.albums, []);
    assert.equal(cleared.favorite, true);
    assert.deepEqual((await scripted(dir))[`${uuid(1)}/L0/001`].title, null);
    assert.deepEqual((await scripted(dir))[`${uuid(1)}/L0/001`].caption, 'At grandma\'s, "finally" ✓');
  });
});

test("write() refuses what Photos cannot take, naming the field, and writes nothing", async () => {
  const asset = nativeAsset(uuid(1), { timeZoneOffset: 3600 });
  await withLibrary({}, [asset], async (bridge, dir) => {
    const refusals: [Record<string, unknown>, new (message: string) => Error, RegExp][] = [
      [{ favorite: true, rating: 3 }, PermanentError, /Photos cannot take rating/],
      [
        { favorite: true, albums: ["A1B00000-0000-4000-8000-00000000dead"] },
        PermanentError,
        /albums: no album/,
      ],
      [
        { favorite: true, albums: [album(3)] },
        PermanentError,
        /albums: Favorites is not one of your own albums/,
      ],
      [{ favorite: true, creationDate: null }, PermanentError, /creationDate: Photos cannot clear/],
      [
        { favorite: true, creationDate: "2024-01-01T00:00:00.000Z", timeZoneOffset: -18000 },
        PermanentError,
        /timeZoneOffset: PhotoKit cannot move/,
      ],
      [{ favorite: "yes" }, FatalError, /favorite: not a bool/],
    ];
    for (const [fields, Kind, message] of refusals) {
      await assert.rejects(
        bridge.write(uuid(1), fields as never),
        (e: Error) => e instanceof Kind && message.test(e.message),
        JSON.stringify(fields),
      );
    }
    const [listed] = await listAll(bridge);
    assert.equal(listed.favorite, false, "no refused call wrote its other fields");
    assert.equal(listed.creationDate, asset.creationDate);
    assert.deepEqual(await scripted(dir), {});
    // The zone the asset already has is not a change of zone.
    await bridge.write(uuid(1), { creationDate: "2024-01-01T00:00:00.000Z", timeZoneOffset: 3600 });
    assert.equal((await listAll(bridge))[0].creationDate, "2024-01-01T00:00:00.000Z");
  });
});

test("write() without Automation permission says what to allow and leaves the asset as it was", async () => {
  await withLibrary({ automation: "denied" }, [nativeAsset(uuid(1))], async (bridge, dir) => {
    await assert.rejects(
      bridge.write(uuid(1), { favorite: true, caption: "Beach" }),
      (e: Error) =>
        e instanceof ConfigError && /Privacy & Security > Automation > Photos/.test(e.message) &&
        /nothing was written/.test(e.message),
    );
    assert.equal((await listAll(bridge))[0].favorite, false);
    assert.deepEqual(await scripted(dir), {});
    // Fields PhotoKit writes itself need no Automation.
    assert.deepEqual(await bridge.write(uuid(1), { favorite: true }), ["favorite"]);
  });
  await withLibrary({ declineChanges: true }, [nativeAsset(uuid(1))], async (bridge, dir) => {
    await assert.rejects(bridge.write(uuid(1), { favorite: true, title: "T" }), FatalError);
    assert.equal((await listAll(bridge))[0].favorite, false);
    assert.deepEqual(await scripted(dir), {});
  });
});

test("history() replays the change log from a token: the library's own and the calls' changes", async () => {
  const history = {
    changes: [
      { object: "asset", change: "updated", id: `${uuid(1)}/L0/001` },
      { object: "asset", change: "inserted", id: `${uuid(2)}/L0/001` },
      { object: "asset", change: "updated", id: `${uuid(1)}/L0/001` },
    ],
    expiredBefore: 1,
  };
  await withLibrary(
    { history } as Partial<Fixture>,
    [nativeAsset(uuid(1)), nativeAsset(uuid(2))],
    async (bridge) => {
      // No token, an unreadable one or one older than the history kept: "all", and a fresh token.
      const first = await bridge.history(null);
      assert.deepEqual({ ...first, next: undefined }, {
        next: undefined,
        all: true,
        assets: { inserted: [], updated: [], deleted: [] },
        albums: { inserted: [], updated: [], deleted: [] },
      });
      assert.equal(first.next, "fx-history:3");
      assert.equal((await bridge.history("garbage")).all, true);
      assert.equal((await bridge.history("fx-history:0")).all, true, "expired");

      const replayed = await bridge.history("fx-history:1");
      assert.equal(replayed.all, false);
      assert.deepEqual(replayed.assets, {
        inserted: [`${uuid(2)}/L0/001`],
        updated: [`${uuid(1)}/L0/001`],
        deleted: [],
      });

      // Nothing since the current token; then what the calls change, each id once.
      assert.deepEqual((await bridge.history(first.next)).assets, { inserted: [], updated: [], deleted: [] });
      await bridge.write(uuid(2), { favorite: true, albums: [album(2)] });
      await bridge.write(uuid(2), { hidden: true });
      await bridge.delete([uuid(1)]);
      const since = await bridge.history(first.next);
      assert.equal(since.all, false);
      assert.deepEqual(since.assets, {
        inserted: [],
        updated: [`${uuid(1)}/L0/001`, `${uuid(2)}/L0/001`],
        deleted: [],
      });
      assert.deepEqual(since.albums, { inserted: [], updated: [ALBUMS[1].localIdentifier], deleted: [] });
      assert.deepEqual((await bridge.history(since.next)).assets.updated, []);
    },
  );
});
