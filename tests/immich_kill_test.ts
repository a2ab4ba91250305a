/**
 * Imports into the Immich emulator killed with SIGKILL at aimed moments of every phase and resumed.
 *
 * Each kill is aimed, not timed: the emulator runs in this process and shows each request as it
 * arrives and once handled, so the CLI is killed exactly while it uploads a motion video, links a
 * still, fills an album, makes a stack, or right after the server did that work but before the CLI
 * heard back (and so before it recorded anything). Kills in the export phase watch the CLI's open
 * files (`/proc/<pid>/fd`). Most runs go one asset at a time, so each run moves on by a known step
 * and the next kill point is sure to come; the last kills run at the default concurrency.
 *
 * After every kill the tracker must claim nothing the server lacks and every asset it recorded
 * must be complete there; after the final run every asset is there exactly once, linked, in its
 * albums and stacks, and the tracker holds exactly what the server has.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { writeSampleLibrary } from "../plugins/source/photoslibrary/sample_library.ts";
import { HAS_SHARED, LIBRARIES } from "./shared_data.ts";
import { cli, spawnCli, withTempDir } from "./_cli.ts";
import { type RunningEmulator, type SeenRequest, startEmulator } from "./immich_emulator/mod.ts";
import {
  assertTrackerTruthful,
  env,
  importable,
  importArgs,
  scanLibrary,
  type Scanned,
  summaryOf,
} from "./_immich.ts";

type Phase = "export" | "check" | "upload" | "link" | "metadata" | "album" | "stack" | "record";

interface KillPoint {
  phase: Phase;
  /** What the CLI is doing when it dies, for messages. */
  what: string;
  /** Kill when the emulator sees the first request that matches, at this stage. */
  request?: { stage: SeenRequest["stage"]; match: (seen: SeenRequest) => boolean | Promise<boolean> };
  /** Kill while the CLI has this file open and the server has not yet answered anything about it. */
  reading?: { path: string; sha1: string };
  /** Kill when the run has reported this many assets recorded. */
  recorded?: number;
  /** `--concurrency` of the run (default 1). */
  concurrency?: number;
}

const at = (
  stage: SeenRequest["stage"],
  match: (seen: SeenRequest) => boolean | Promise<boolean>,
): KillPoint["request"] => ({ stage, match });
const route = (r: string) => (seen: SeenRequest) => seen.route === r;
const upload = (seen: SeenRequest, sums: Set<string>) =>
  seen.route === "POST /api/assets" && sums.has(seen.headers.get("x-immich-checksum") ?? "");
const linking = async (seen: SeenRequest) =>
  seen.route === "PUT /api/assets/:id" &&
  typeof ((await seen.json()) as { livePhotoVideoId?: string })?.livePhotoVideoId === "string";

/** Whether the process holds `path` open. */
function holds(pid: number, path: string): boolean {
  try {
    for (const fd of Deno.readDirSync(`/proc/${pid}/fd`)) {
      try {
        if (Deno.readLinkSync(`/proc/${pid}/fd/${fd.name}`) === path) return true;
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // the process is gone
  }
  return false;
}

/**
 * Runs the import until the kill point and kills it there with SIGKILL. Resolves with whether the
 * kill landed as aimed (false: the run ended first, or a reading kill came too late).
 */
async function killAt(point: KillPoint, args: string[], server: RunningEmulator): Promise<boolean> {
  const child = spawnCli([...args, "--concurrency", String(point.concurrency ?? 1)], env(server), {
    stdout: "piped",
  });
  let exited = false;
  const status = child.status.then((s) => (exited = true, s));
  const kill = async () => {
    child.kill("SIGKILL");
    await status;
  };
  let landed = false;
  const answered = new Set<string>();
  server.emulator.onRequest = async (seen) => {
    if (point.reading && seen.stage === "handled") {
      answered.add(seen.headers.get("x-immich-checksum") ?? "");
      const body = (await seen.json()) as { assets?: { checksum: string }[] } | undefined;
      for (const a of body?.assets ?? []) answered.add(a.checksum);
    }
    if (!point.request || landed || seen.stage !== point.request.stage) return;
    if (!(await point.request.match(seen)) || landed) return;
    landed = true;
    await kill();
    return "drop";
  };
  const stderr = new Response(child.stderr).text();
  const events = (async () => {
    let recorded = 0;
    for await (const line of child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lines())) {
      const event = JSON.parse(line);
      if (event.type !== "asset" || !["imported", "duplicate"].includes(event.outcome)) continue;
      if (++recorded === point.recorded && !exited) {
        landed = true;
        await kill();
      }
    }
  })();
  if (point.reading) {
    const { path, sha1 } = point.reading;
    while (!exited && !holds(child.pid, path)) await new Promise((r) => setTimeout(r, 1));
    if (!exited) {
      // Frozen, the CLI cannot move on while we look: with the file open and no answer about it
      // sent yet, it is still hashing (its upload starts only after the server's check answer).
      Deno.kill(child.pid, "SIGSTOP");
      landed = holds(child.pid, path) && !answered.has(sha1);
      await kill();
    }
  }
  const { code } = await status;
  await events;
  server.emulator.onRequest = undefined;
  // What the killed run had sent is finished by the server before the next run starts (an album it
  // was creating then exists for the next run to find, as it would on a real server by then).
  await server.idle();
  if (!landed && code !== 0) assert.fail(`the run before "${point.what}" failed: ${await stderr}`);
  await stderr;
  return landed;
}

function lines(): TransformStream<string, string> {
  let rest = "";
  return new TransformStream({
    transform(chunk, out) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const p of parts) if (p.trim()) out.enqueue(p);
    },
    flush(out) {
      if (rest.trim()) out.enqueue(rest);
    },
  });
}

async function sha1Of(path: string): Promise<string> {
  return createHash("sha1").update(await Deno.readFile(path)).digest("hex");
}

/** Runs every kill point in order, checking the tracker after each kill, then a final run. */
async function killAndResume(
  server: RunningEmulator,
  options: { home: string; library: string; assets: Scanned[]; points: KillPoint[] },
) {
  const args = importArgs(options.home, options.library);
  const missed: string[] = [];
  const phases = new Map<Phase, number>();
  for (const [i, point] of options.points.entries()) {
    const landed = await killAt(point, args, server);
    if (!landed) missed.push(point.what);
    else phases.set(point.phase, (phases.get(point.phase) ?? 0) + 1);
    assertTrackerTruthful(server, options.home, options.assets, {
      context: `after kill ${i + 1}, ${point.what}`,
    });
  }
  const final = await cli(args, env(server));
  assert.equal(final.code === 0 || summaryOf(final.stdout).failed > 0, true, final.stderr);
  assertTrackerTruthful(server, options.home, options.assets, {
    complete: true,
    context: "after the final run",
  });
  const uploads = server.emulator.count("POST /api/assets");
  const again = await cli(args, env(server));
  assert.equal(summaryOf(again.stdout).imported, 0);
  assert.equal(server.emulator.count("POST /api/assets"), uploads, "a run after the last uploads nothing");
  return { missed, phases, summary: summaryOf(final.stdout) };
}

Deno.test("an import into Immich killed at 24 aimed points across every phase and resumed ends with every asset there exactly once", async () => {
  await withTempDir(async (dir) => {
    await using server = await startEmulator();
    const sample = await writeSampleLibrary(join(dir, "Kill.photoslibrary"), { assets: 200, seed: 7 });
    const assets = await scanLibrary(join(dir, "scan-home"), sample.path);
    // The video comes second (newest first); made big, it takes long enough to hash to be caught at it.
    const video = assets.find((a) => a.id === sample.uuids.video)!.resources[0].path;
    await Deno.truncate(video, 96 << 20);
    const live = assets.filter((a) => a.plan.relations.some((r) => r.type === "motion_of"));
    const path = (a: Scanned, role: string) => a.resources.find((r) => r.role === role)!.path;
    const stills = new Set(await Promise.all(live.map((a) => sha1Of(path(a, "original")))));
    const motions = new Set(await Promise.all(live.map((a) => sha1Of(path(a, "motion")))));
    const big = await sha1Of(video);
    const others = new Set(
      await Promise.all(
        assets.filter((a) => !live.includes(a) && a.id !== sample.uuids.video).map((a) =>
          sha1Of(path(a, "original"))
        ),
      ),
    );
    const points: KillPoint[] = [
      { phase: "album", what: "creating the first album", request: at("arrived", route("POST /api/albums")) },
      {
        phase: "album",
        what: "an album created, its id not yet heard",
        request: at("handled", route("POST /api/albums")),
      },
      { phase: "export", what: "hashing the big video", reading: { path: video, sha1: big } },
      { phase: "export", what: "hashing the big video again", reading: { path: video, sha1: big } },
      {
        phase: "upload",
        what: "streaming the big video",
        request: at("arrived", (s) => upload(s, new Set([big]))),
      },
      {
        phase: "upload",
        what: "the big video stored, not yet heard",
        request: at("handled", (s) => upload(s, new Set([big]))),
      },
      {
        phase: "check",
        what: "asking which files Immich has",
        request: at("arrived", route("POST /api/assets/bulk-upload-check")),
      },
      {
        phase: "check",
        what: "Immich's answer on its way",
        request: at("handled", route("POST /api/assets/bulk-upload-check")),
      },
      {
        phase: "upload",
        what: "uploading a motion video",
        request: at("arrived", (s) => upload(s, motions)),
      },
      {
        phase: "upload",
        what: "a motion video stored, its still not",
        request: at("handled", (s) => upload(s, motions)),
      },
      {
        phase: "upload",
        what: "uploading a Live Photo's still",
        request: at("arrived", (s) => upload(s, stills)),
      },
      {
        phase: "link",
        what: "a still stored with its link, not yet heard",
        request: at("handled", (s) => upload(s, stills)),
      },
      { phase: "link", what: "linking a motion video to its still", request: at("arrived", linking) },
      { phase: "link", what: "a link made, not yet heard", request: at("handled", linking) },
      { phase: "upload", what: "uploading a photo", request: at("arrived", (s) => upload(s, others)) },
      {
        phase: "upload",
        what: "a photo stored, not yet heard",
        request: at("handled", (s) => upload(s, others)),
      },
      {
        phase: "metadata",
        what: "updating an asset that was already there",
        request: at("arrived", async (s) => s.route === "PUT /api/assets/:id" && !(await linking(s))),
      },
      {
        phase: "album",
        what: "adding an asset to an album",
        request: at("arrived", route("PUT /api/albums/:id/assets")),
      },
      {
        phase: "album",
        what: "an asset added to an album, not yet heard",
        request: at("handled", route("PUT /api/albums/:id/assets")),
      },
      { phase: "record", what: "right after recording an asset", recorded: 1 },
      { phase: "record", what: "with 4 in flight, after 5 recorded", recorded: 5, concurrency: 4 },
      {
        phase: "upload",
        what: "with 4 in flight, a motion video stored",
        request: at("handled", (s) => upload(s, motions)),
        concurrency: 4,
      },
      {
        phase: "album",
        what: "with 4 in flight, adding to an album",
        request: at("arrived", route("PUT /api/albums/:id/assets")),
        concurrency: 4,
      },
      { phase: "record", what: "with 4 in flight, after 30 recorded", recorded: 30, concurrency: 4 },
    ];
    const home = join(dir, "home");
    const { missed, phases, summary } = await killAndResume(server, {
      home,
      library: sample.path,
      assets,
      points,
    });
    assert.deepEqual(missed, [], "every kill landed where it was aimed");
    assert.equal(summary.failed, 0);
    assert.ok([...phases.values()].reduce((a, b) => a + b) >= 20);
    assert.deepEqual(
      [...phases.keys()].sort(),
      ["album", "check", "export", "link", "metadata", "record", "upload"],
    );
  });
});

Deno.test({
  name: "an import of bursts and edits killed while stacking and resumed ends with every stack whole",
  ignore: !HAS_SHARED,
}, async () => {
  await withTempDir(async (dir) => {
    const library = join(dir, "Test-Media-Types-15.7.2.photoslibrary");
    await Deno.mkdir(library);
    const copy = await new Deno.Command("cp", {
      args: ["-R", `${LIBRARIES}Test-Media-Types-15.7.2.photoslibrary/.`, library],
    }).output();
    assert.equal(copy.code, 0, "copy the fixture (it is read-only)");
    await using server = await startEmulator();
    const assets = await scanLibrary(join(dir, "scan-home"), library);
    const frames = assets.filter((a) => importable(a) && a.plan.stackGroup);
    assert.ok(frames.length >= 2, "the library has a burst of two picked frames");
    const burst = new Set(
      await Promise.all(frames.map((a) => sha1Of(a.resources.find((r) => r.role === "original")!.path))),
    );
    const state = server.emulator.state;
    const stacking = (which: "burst" | "edit") => async (seen: SeenRequest) => {
      if (seen.route !== "POST /api/stacks") return false;
      const ids = ((await seen.json()) as { assetIds: string[] }).assetIds;
      return burst.has(state.assets.get(ids[0])?.checksum ?? "") === (which === "burst");
    };
    const points: KillPoint[] = [
      {
        phase: "stack",
        what: "stacking an edit with its original",
        request: at("arrived", stacking("edit")),
      },
      {
        phase: "stack",
        what: "an edit stacked, not yet heard",
        request: at("handled", stacking("edit")),
      },
      {
        phase: "stack",
        what: "stacking a burst after recording its last frame",
        request: at("arrived", stacking("burst")),
      },
      { phase: "stack", what: "a burst stacked, not yet heard", request: at("handled", stacking("burst")) },
      { phase: "record", what: "right after recording two assets", recorded: 2 },
    ];
    const { missed, phases } = await killAndResume(server, {
      home: join(dir, "home"),
      library,
      assets,
      points,
    });
    assert.deepEqual(missed, [], "every kill landed where it was aimed");
    assert.equal(phases.get("stack"), 4);
  });
});
