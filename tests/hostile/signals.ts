/** Hostile cases: long commands stopped by SIGINT (Ctrl-C) and SIGTERM (launchd, systemd), or killed. */
import assert from "node:assert/strict";
import { spawnCli } from "../_cli.ts";
import type { HostileCase, World } from "../_hostile.ts";
import {
  assertResumes,
  assertStoppedCleanly,
  lastLineOf,
  lastRun,
  leftovers,
  libraryPrint,
  locks,
  signalled,
  slowRun,
  tmpOf,
} from "./_signals.ts";

/** A run stopped mid-import by one signal, with every check of a clean stop and a resume. */
function stoppedMidRun(command: "import" | "sync", signal: "SIGINT" | "SIGTERM", code: number): HostileCase {
  return midRun({
    name: `${signal} in the middle of ${command}`,
    setup: (w) => ({ args: [], custom: () => signalled(w, slowRun(w, { command }), [signal]) }),
    code,
    firstLine: new RegExp(`^${command} into `),
    check: async (r, w) => {
      await assertStoppedCleanly(r, w, command, signal);
      await assertResumes(w, command);
    },
  });
}

/**
 * A case that starts from nothing imported and stops a run halfway: the tracker and destination
 * change; the library must not (see {@link libraryPrint} for why it is checked here).
 */
function midRun(c: Omit<HostileCase, "fresh" | "unchanged">): HostileCase {
  let before = "";
  return {
    ...c,
    fresh: true,
    unchanged: [],
    setup: async (w) => {
      before = await libraryPrint(w);
      return c.setup(w);
    },
    check: async (r, w) => {
      assert.equal(await libraryPrint(w), before, "the library is unchanged");
      await c.check?.(r, w);
    },
  };
}

/** `serve` in a child, stopped by `signal` once it printed where it listens. */
async function stoppedServe(w: World, signal: Deno.Signal) {
  await Deno.mkdir(tmpOf(w), { recursive: true });
  const child = spawnCli(["serve", "--home", w.home, "--port", "0", "--json"], { TMPDIR: tmpOf(w) }, {
    stdout: "piped",
  });
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  while (!stdout.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    stdout += value;
  }
  child.kill(signal);
  for (let part = await reader.read(); !part.done; part = await reader.read()) stdout += part.value;
  const stderr = await new Response(child.stderr).text();
  return { code: (await child.status).code, stdout, stderr };
}

export const CASES: HostileCase[] = [
  stoppedMidRun("import", "SIGINT", 130),
  stoppedMidRun("import", "SIGTERM", 143),
  stoppedMidRun("sync", "SIGTERM", 143),
  midRun({
    name: "a second SIGINT while the run is stopping",
    // Closing the destination takes 60 s: once the run is recorded as stopped, only the second
    // signal can end the process soon.
    setup: (w) => ({
      args: [],
      custom: () =>
        signalled(w, slowRun(w, { closeMs: 60_000 }), ["SIGINT", "SIGINT"], {
          between: (w) => lastRun(w)?.status === "interrupted",
        }),
    }),
    code: 130,
    firstLine: /^import into /,
    check: async (r, w) => {
      assert.match(lastLineOf(r), /^photos-sync: import stopped at once by a second SIGINT; run it again/);
      assert.ok((r as { msAfterLast?: number }).msAfterLast! < 10_000, "the second signal stops it at once");
      assert.equal(lastRun(w).status, "interrupted", "the run was recorded before closing began");
      await assertResumes(w);
    },
  }),
  midRun({
    name: "an import killed with SIGKILL leaves a temp folder and a lock the next run clears at once",
    setup: (w) => ({ args: [], custom: () => signalled(w, slowRun(w), ["SIGKILL"]) }),
    code: 137,
    firstLine: /^import into /,
    check: async (_r, w) => {
      const left = await leftovers(w);
      assert.equal(left.length, 1, `the killed run's temp folder: ${left}`);
      assert.match(left[0], /^photos-sync-run-\d+-/);
      assert.equal(locks(w).length, 1, "the dead run's lock is still in the tracker");
      assert.equal(lastRun(w).status, "running", "as stored; status shows it interrupted");
      await assertResumes(w);
    },
  }),
  {
    name: "a temp folder of a dead run is removed by a command that only looks",
    setup: async (w) => {
      const dead = `${tmpOf(w)}/photos-sync-run-999999999-abc/spool-1.jsonl`;
      await Deno.mkdir(dead, { recursive: true });
      return { args: ["status", "--home", w.home, "--tracker-only"], env: { TMPDIR: tmpOf(w) } };
    },
    code: 0,
    firstLine: /./,
    unchanged: ["library", "destination"],
    check: async (_r, w) => assert.deepEqual(await leftovers(w), []),
  },
  {
    name: "SIGTERM stops serve",
    setup: (w) => ({ args: [], custom: () => stoppedServe(w, "SIGTERM") }),
    code: 143,
    firstLine: /^photos-sync: serve stopped by SIGTERM$/,
  },
  {
    name: "Ctrl-C stops serve",
    setup: (w) => ({ args: [], custom: () => stoppedServe(w, "SIGINT") }),
    code: 130,
    firstLine: /^photos-sync: serve stopped by SIGINT$/,
  },
];
