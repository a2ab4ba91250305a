import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Tracker } from "../tracker/mod.ts";
import { scheduledJobs } from "./jobs.ts";
import {
  type CommandResult,
  installSchedule,
  removeSchedule,
  type ScheduleHost,
  scheduleStatus,
} from "./mod.ts";

/** A host whose user home is a temp dir and whose launchctl/systemctl only record their arguments. */
function fakeHost(os: "darwin" | "linux", userHome: string, answers: Record<string, CommandResult> = {}) {
  const calls: string[] = [];
  const host: ScheduleHost = {
    os,
    userHome,
    uid: 501,
    run: (program, args) => {
      const line = [program, ...args].join(" ");
      calls.push(line);
      return Promise.resolve(answers[line] ?? { code: 0, stdout: "", stderr: "" });
    },
  };
  return { host, calls };
}

async function withDirs(fn: (user: string, home: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await fn(join(dir, "user"), join(dir, "data"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const PROGRAM = ["/usr/local/bin/photos-sync"];

Deno.test("install on macOS writes LaunchAgents, reloads them, and a narrower reinstall removes the extra job", async () => {
  await withDirs(async (user, home) => {
    const { host, calls } = fakeHost("darwin", user);
    const agents = join(user, "Library", "LaunchAgents");
    await installSchedule(scheduledJobs({ program: PROGRAM, home, backupEvery: 86400 }), host);
    assert.ok(existsSync(join(agents, "com.photos-sync.sync.plist")));
    assert.ok(existsSync(join(agents, "com.photos-sync.backup.plist")));
    assert.ok(existsSync(join(home, "logs")), "the log folder exists before launchd opens the log");
    assert.deepEqual(calls.filter((c) => c.includes("bootstrap")), [
      `launchctl bootstrap gui/501 ${join(agents, "com.photos-sync.sync.plist")}`,
      `launchctl bootstrap gui/501 ${join(agents, "com.photos-sync.backup.plist")}`,
    ]);
    const bootoutSync = calls.indexOf("launchctl bootout gui/501/com.photos-sync.sync");
    assert.ok(bootoutSync >= 0 && bootoutSync < calls.indexOf(calls.find((c) => c.includes("bootstrap"))!));

    calls.length = 0;
    await installSchedule(scheduledJobs({ program: PROGRAM, home }), host);
    assert.ok(!existsSync(join(agents, "com.photos-sync.backup.plist")), "backup no longer wanted");
    assert.ok(calls.includes("launchctl bootout gui/501/com.photos-sync.backup"));

    calls.length = 0;
    const removed = await removeSchedule(host);
    assert.deepEqual(removed, [join(agents, "com.photos-sync.sync.plist")]);
    assert.deepEqual(calls, ["launchctl bootout gui/501/com.photos-sync.sync"]);
    assert.deepEqual(await removeSchedule(host), [], "removing twice is harmless");
  });
});

Deno.test("install on Linux writes user units, reloads systemd and enables the timers and the serve service", async () => {
  await withDirs(async (user, home) => {
    const { host, calls } = fakeHost("linux", user);
    const units = join(user, ".config", "systemd", "user");
    const files = await installSchedule(
      scheduledJobs({ program: PROGRAM, home, serve: { host: "127.0.0.1", port: 8377 } }),
      host,
    );
    assert.deepEqual(files.sort(), [
      join(units, "photos-sync-serve.service"),
      join(units, "photos-sync-sync.service"),
      join(units, "photos-sync-sync.timer"),
    ]);
    assert.deepEqual(calls, [
      "systemctl --user daemon-reload",
      "systemctl --user enable photos-sync-sync.timer",
      "systemctl --user restart photos-sync-sync.timer",
      "systemctl --user enable photos-sync-serve.service",
      "systemctl --user restart photos-sync-serve.service",
    ]);
    calls.length = 0;
    await removeSchedule(host);
    assert.ok(!existsSync(join(units, "photos-sync-sync.timer")));
    assert.ok(calls.includes("systemctl --user disable --now photos-sync-sync.timer"));
    assert.ok(calls.includes("systemctl --user disable --now photos-sync-serve.service"));
    assert.equal(calls.at(-1), "systemctl --user daemon-reload");
  });
});

Deno.test("install stops at the first job systemd refuses, naming it and what systemctl said", async () => {
  await withDirs(async (user, home) => {
    const { host } = fakeHost("linux", user, {
      "systemctl --user daemon-reload": {
        code: 1,
        stdout: "",
        stderr: "Failed to connect to bus: No medium found",
      },
    });
    await assert.rejects(
      installSchedule(scheduledJobs({ program: PROGRAM, home }), host),
      /reloading systemd failed: .*Failed to connect to bus/,
    );
  });
});

Deno.test("status shows each job's state, interval, next run and how its last run ended", async () => {
  await withDirs(async (user, home) => {
    await Deno.mkdir(home, { recursive: true });
    const tracker = Tracker.open(join(home, "tracker.db"));
    const first = tracker.startRun("sync", false);
    tracker.finishRun(first, "succeeded", { imported: 3 });
    const second = tracker.startRun("sync", false);
    tracker.finishRun(second, "failed", { imported: 1, failed: 2 });
    tracker.close();

    const { host } = fakeHost("linux", user, {
      "systemctl --user show photos-sync-sync.timer --property=LoadState,ActiveState,SubState,NextElapseUSecRealtime":
        {
          code: 0,
          stdout:
            "LoadState=loaded\nActiveState=active\nSubState=waiting\nNextElapseUSecRealtime=Sat 2026-11-21 12:00:00 UTC\n",
          stderr: "",
        },
    });
    await installSchedule(scheduledJobs({ program: PROGRAM, home, every: 2 * 3600 }), host);
    const status = await scheduleStatus(host, { home });
    const sync = status.find((j) => j.name === "sync")!;
    assert.equal(sync.installed, true);
    assert.equal(sync.intervalSeconds, 7200);
    assert.equal(sync.state, "active (waiting)");
    assert.equal(sync.nextRun, "Sat 2026-11-21 12:00:00 UTC");
    assert.equal(sync.lastRun?.status, "failed", "the newest sync run");
    assert.ok(sync.lastRun?.endedAt);
    const backup = status.find((j) => j.name === "backup")!;
    assert.deepEqual([backup.installed, backup.state, backup.lastRun], [false, null, null]);
  });
});

Deno.test("status on macOS reads launchd's state and the interval back from the plist", async () => {
  await withDirs(async (user, home) => {
    const { host } = fakeHost("darwin", user, {
      "launchctl print gui/501/com.photos-sync.sync": {
        code: 0,
        stdout: "gui/501/com.photos-sync.sync = {\n\tstate = not running\n\tlast exit code = 0\n}\n",
        stderr: "",
      },
      "launchctl print gui/501/com.photos-sync.backup": {
        code: 113,
        stdout: "",
        stderr: "Could not find service",
      },
    });
    await installSchedule(scheduledJobs({ program: PROGRAM, home, every: 3600, backupEvery: 86400 }), host);
    const status = await scheduleStatus(host, { home });
    assert.deepEqual(
      status.map((j) => [j.name, j.installed, j.intervalSeconds, j.state]),
      [
        ["sync", true, 3600, "loaded, not running, last exit code 0"],
        ["backup", true, 86400, "not loaded"],
        ["serve", false, null, null],
      ],
    );
    assert.equal(status[0].lastRun, null, "no tracker yet: no run recorded");
  });
});

Deno.test("--cold-verify-every adds a job that re-verifies a random sample of the cold tier", () => {
  const jobs = scheduledJobs({ program: ["photos-sync"], home: "/h", coldVerifyEvery: 7 * 86400 });
  const job = jobs.find((j) => j.name === "cold-verify")!;
  assert.deepEqual(job.argv, ["photos-sync", "--home", "/h", "backup", "--verify-cold", "20"]);
  assert.equal(job.intervalSeconds, 7 * 86400);
  assert.equal(
    scheduledJobs({ program: ["photos-sync"], home: "/h" }).some((j) => j.name === "cold-verify"),
    false,
  );
});
