/** The engine's part in media types: policy skips, the sidecar store, stacks across assets, metadata. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import burstHandler from "../../plugins/handler/burst/mod.ts";
import sidecarsHandler from "../../plugins/handler/sidecars/mod.ts";
import type { Asset } from "../model/asset.ts";
import type { ExportedGroup } from "../model/plan.ts";
import { PermanentError } from "../plugin/errors.ts";
import { checkSession } from "../plugin/registry.ts";
import type {
  AssetCapability,
  AssetDestinationSession,
  ExportRequest,
  HandlerPlugin,
  SourceSession,
} from "../plugin/types.ts";
import { fakeDestination, fakeMedia, harness } from "./_testing.ts";
import { hashFile } from "./hash.ts";
import { importAssets, type RunEvent } from "./import_run.ts";
import { SidecarStore } from "./sidecar_store.ts";
import { query } from "../tracker/_testing.ts";

/** A source whose export hands out each planned resource's own path, as the library reader does. */
function filesSource(assets: Asset[]): SourceSession {
  return {
    key: "fake",
    async *list() {
      yield* assets;
    },
    export: (req: ExportRequest) =>
      Promise.resolve(req.plan.resources.map((r) => ({ key: r.key, path: r.resource.path! }))),
    close: async () => {},
  };
}

async function photo(
  dir: string,
  id: string,
  extra: Partial<Asset> = {},
  files: Record<string, string> = {},
) {
  const resources: Asset["resources"] = [];
  for (const [role, content] of Object.entries({ original: `pixels of ${id}`, ...files })) {
    const path = join(dir, `${id}-${role}`);
    const ext = { original: "JPG", adjustment: "AAE", adjustment_base: "MOV" }[role] ?? role;
    await Deno.writeFile(path, fakeMedia(ext, content));
    resources.push({
      role: role as Asset["resources"][number]["role"],
      filename: `${id}.${ext}`,
      path,
      present: true,
    });
  }
  return {
    id,
    kind: "photo",
    filename: `${id}.JPG`,
    favorite: false,
    hidden: false,
    trashed: false,
    keywords: [],
    albums: [],
    edited: false,
    referenced: false,
    subtypes: [],
    modified: "2024-01-01T00:00:00.000Z",
    resources,
    ...extra,
  } satisfies Asset;
}

const entry = (plugin: HandlerPlugin) => ({ plugin, options: {} });

/** The fake destination with a `stack` method, seen as the host sees it: through its declared capabilities. */
function declaring(
  capabilities: AssetCapability[],
  stack: NonNullable<AssetDestinationSession["stack"]>,
): AssetDestinationSession {
  return checkSession({ id: "destination.fake" }, "assets", capabilities, {
    ...fakeDestination().session,
    stack,
  });
}

Deno.test("a burst frame the policy leaves out is recorded as skipped with its reason, and imported when the policy changes", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const frames = [
      await photo(dir, "key", { burst: { id: "B", picked: true, key: true } }),
      await photo(dir, "unpicked", { burst: { id: "B", picked: false, key: false } }),
      await photo(dir, "plain"),
    ];
    const events: RunEvent[] = [];
    const opts = base({
      source: filesSource(frames),
      destination: fakeDestination().session,
      handlers: [entry(burstHandler)],
      limit: 2,
      onEvent: (e) => events.push(e),
    });
    const dry = await importAssets({ ...opts, dryRun: true });
    assert.deepEqual([dry.wouldImport, dry.skipped.policy], [2, 1]);
    assert.deepEqual(query(tracker, "SELECT * FROM transfers"), [], "a dry run records no skip");

    const first = await importAssets(opts);
    assert.deepEqual(
      [first.imported, first.skipped.policy, first.failed],
      [2, 1, 0],
      "the skip takes no --limit slot",
    );
    const row = () =>
      query<
        {
          status: string;
          error_class: string;
          error_message: string;
          attempts: number;
          last_attempt_at: string;
        }
      >(
        tracker,
        "SELECT status, error_class, error_message, attempts, last_attempt_at FROM transfers WHERE asset_id = 'unpicked'",
      )[0];
    const skipped = row();
    assert.deepEqual([skipped.status, skipped.error_class, skipped.attempts], ["skipped", "policy", 0]);
    assert.match(skipped.error_message, /unpicked burst frame/);
    assert.ok(
      events.some((e) => e.type === "skip" && e.reason === "policy" && /unpicked/.test(e.detail ?? "")),
    );
    assert.equal(tracker.problems("fake-dest")[0].status, "skipped");

    const again = await importAssets(opts);
    assert.deepEqual([again.skipped.policy, again.skipped.imported], [1, 2]);
    assert.deepEqual(row(), skipped, "an unchanged skip is not written again");

    const all = await importAssets({ ...opts, policy: { bursts: "all" } });
    assert.equal(all.imported, 1);
    assert.equal(row().status, "imported");
  });
});

Deno.test("sidecars are copied into the content-addressed store, verified, recorded, and stored once", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const aae = "<plist>camera adjustments</plist>";
    const assets = [
      await photo(dir, "a", {}, { adjustment: aae }),
      await photo(dir, "b", {}, { adjustment: aae, adjustment_base: "base video bytes" }),
    ];
    const store = new SidecarStore(join(dir, "home", "sidecars"));
    const opts = base({
      source: filesSource(assets),
      destination: fakeDestination().session,
      handlers: [entry(sidecarsHandler)],
      sidecars: store,
    });
    await importAssets({ ...opts, dryRun: true });
    assert.equal(existsSync(store.root), false, "a dry run stores nothing");

    const s = await importAssets(opts);
    assert.equal(s.imported, 2);
    const sha1 = (await hashFile(assets[0].resources[1].path!)).sha1;
    assert.equal(await Deno.readTextFile(store.pathOf(sha1)), aae);
    assert.ok(store.pathOf(sha1).endsWith(`/sidecars/${sha1.slice(0, 2)}/${sha1}`));
    const stored = [];
    for await (const d of Deno.readDir(store.root)) {
      for await (const f of Deno.readDir(join(store.root, d.name))) stored.push(f.name);
    }
    assert.equal(stored.length, 2, "the same AAE of two assets is kept once, plus b's base video");
    assert.deepEqual(tracker.sidecars("fake", "b").map((r) => [r.key, r.role, r.name]), [
      ["adjustment", "adjustment", "b.AAE"],
      ["adjustment_base", "adjustment_base", "b_base.MOV"],
    ]);
    assert.equal(tracker.sidecars("fake", "a")[0].sha1, sha1);
  });
});

Deno.test("the frames of a burst are stacked at the destination under the key frame as they arrive", async () => {
  for (const capabilities of [[], ["stack" as const]]) {
    await harness(async ({ dir, tracker, base }) => {
      const frames = [
        await photo(dir, "f1", { burst: { id: "B", picked: true, key: false } }),
        await photo(dir, "f2", { burst: { id: "B", picked: true, key: true } }),
        await photo(dir, "f3", { burst: { id: "B", picked: false, key: false } }),
      ];
      const stacks: [string, string[]][] = [];
      const destination = declaring(capabilities, (primary, members) => {
        stacks.push([primary, [...members].sort()]);
        return Promise.resolve();
      });
      await importAssets(base({
        source: filesSource(frames),
        destination,
        handlers: [entry(burstHandler)],
        policy: { bursts: "all" },
        concurrency: 1,
      }));
      if (capabilities.length === 0) {
        assert.deepEqual(stacks, [], "no stack call to a destination that did not declare the capability");
        return;
      }
      const remote = (id: string) =>
        tracker.remoteIds({ source: "fake", destination: "fake-dest" }, id).original;
      assert.deepEqual(stacks, [
        [remote("f2"), [remote("f1")]],
        [remote("f2"), [remote("f1"), remote("f3")].sort()],
      ]);
    });
  }
});

Deno.test("a failed stack call leaves the frame imported, reports a warning, and the next run stacks it", async () => {
  await harness(async ({ dir, tracker, base }) => {
    const frames = [
      await photo(dir, "k", { burst: { id: "B", picked: true, key: true } }),
      await photo(dir, "m", { burst: { id: "B", picked: true, key: false } }),
    ];
    const destination = declaring(
      ["stack"],
      () => Promise.reject(new PermanentError("stacks are disabled on this server")),
    );
    const events: RunEvent[] = [];
    const s = await importAssets(base({
      source: filesSource(frames),
      destination,
      handlers: [entry(burstHandler)],
      concurrency: 1,
      onEvent: (e) => events.push(e),
    }));
    assert.deepEqual([s.imported, s.failed], [2, 0]);
    assert.equal(tracker.statusCounts("fake-dest").imported, 2);
    const warning = events.find((e) => e.type === "warning");
    assert.match(
      warning && "message" in warning ? warning.message : "",
      /m\.JPG is imported, but stacking.*disabled/,
    );

    const stacks: [string, string[]][] = [];
    const working = declaring(["stack"], (primary, members) => {
      stacks.push([primary, members]);
      return Promise.resolve();
    });
    const run = () =>
      importAssets(
        base({ source: filesSource(frames), destination: working, handlers: [entry(burstHandler)] }),
      );
    assert.equal((await run()).imported, 0);
    const remote = (id: string) =>
      tracker.remoteIds({ source: "fake", destination: "fake-dest" }, id).original;
    assert.deepEqual(stacks, [[remote("k"), [remote("m")]]], "the next run made the stack it could not");
    await run();
    assert.equal(stacks.length, 1, "and the run after it has nothing left to stack");
  });
});

Deno.test("the destination receives every fact of the asset and the hidden visibility the run asks for", async () => {
  await harness(async ({ dir, base }) => {
    const asset = await photo(dir, "meta", {
      captured: { utc: "2025-05-26T14:27:06.603Z", offsetSeconds: -18000, timeZone: "America/Chicago" },
      location: { latitude: 41.88, longitude: -87.62 },
      favorite: true,
      hidden: true,
      title: "Lake",
      caption: "Evening at the lake",
      keywords: ["lake", "summer"],
      albums: [{ id: "AL1", title: "Trips", folders: ["2025"] }],
    });
    const seen: ExportedGroup[] = [];
    const dst = fakeDestination();
    const put = dst.session.put.bind(dst.session);
    dst.session.put = (g) => (seen.push(structuredClone(g)), put(g));
    await importAssets(base({
      source: filesSource([structuredClone(asset)]),
      destination: dst.session,
      policy: { hidden: "archive" },
    }));
    assert.deepEqual(seen[0].asset, asset);
    assert.equal(seen[0].plan.visibility, "archive");
  });
});
