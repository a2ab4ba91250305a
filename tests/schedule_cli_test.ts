/**
 * `photos-sync schedule` as a user runs it on Linux, with HOME pointing at a temp dir and a stand-in
 * `systemctl` on PATH that records its arguments, so no real user session is touched.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Tracker } from "../core/tracker/mod.ts";
import { MAIN, runCli } from "./_serve_fixtures.ts";

async function denoDir(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  })
    .output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).denoDir;
}

Deno.test({
  name: "schedule install, status and remove drive systemctl --user and manage the unit files",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const bin = join(dir, "bin");
      await Deno.mkdir(bin);
      const log = join(dir, "systemctl.log");
      await Deno.writeTextFile(
        join(bin, "systemctl"),
        `#!/bin/sh\necho "$*" >> '${log}'\n` +
          `case "$*" in *show*) printf 'LoadState=loaded\\nActiveState=active\\nSubState=waiting\\nNextElapseUSecRealtime=n/a\\n';; esac\n`,
      );
      await Deno.chmod(join(bin, "systemctl"), 0o755);
      const home = join(dir, "data");
      const env = {
        HOME: join(dir, "user"),
        PATH: `${bin}:${Deno.env.get("PATH")}`,
        DENO_DIR: await denoDir(), // HOME moved, the module cache must not
      };
      // The jobs read only <home>/.env: install refuses until it names a library and a destination.
      await Deno.mkdir(home);
      const noLibrary = await runCli(["--home", home, "schedule", "install"], { env, expect: 2 });
      assert.match(noLibrary.stderr, /the background sync would fail: .*\.env names no library/);
      await Deno.writeTextFile(join(home, ".env"), `PHOTOS_SYNC_LIBRARY=${join(dir, "lib")}\n`);
      const noDestination = await runCli(["--home", home, "schedule", "install"], { env, expect: 2 });
      assert.match(noDestination.stderr, /the destination immich \(PHOTOS_SYNC_TO\) needs: .*url/);
      await Deno.writeTextFile(
        join(home, ".env"),
        `PHOTOS_SYNC_LIBRARY=${join(dir, "lib")}\nPHOTOS_SYNC_TO=folder\nPHOTOS_SYNC_FOLDER_PATH=${
          join(dir, "dest")
        }\n`,
      );

      const installed = JSON.parse(
        (await runCli([
          "--home",
          home,
          "schedule",
          "install",
          "--every",
          "2h",
          "--backup-every",
          "1d",
          "--json",
        ], { env }))
          .stdout,
      );
      const units = join(dir, "user", ".config", "systemd", "user");
      for (const f of ["photos-sync-sync.service", "photos-sync-sync.timer", "photos-sync-backup.timer"]) {
        assert.ok(existsSync(join(units, f)), f);
      }
      const sync = installed.installed.find((j: { name: string }) => j.name === "sync");
      // Under `deno run` the job starts a launcher in the data directory, not a Deno inside some cache.
      const launcher = join(home, "bin", "photos-sync");
      assert.deepEqual(sync.argv, [launcher, "--home", home, "sync"]);
      assert.ok(installed.files.includes(launcher));
      const script = await Deno.readTextFile(launcher);
      assert.ok(script.includes(`main='${MAIN}'`), script);
      const version = await new Deno.Command(launcher, { args: ["--version"], stdout: "piped" }).output();
      assert.equal(new TextDecoder().decode(version.stdout).trim(), "0.1.0");
      assert.equal(sync.intervalSeconds, 7200);
      assert.equal(sync.log, join(home, "logs", "sync.log"));
      const calls = (await Deno.readTextFile(log)).trim().split("\n");
      assert.ok(calls.includes("--user enable photos-sync-sync.timer"), calls.join("\n"));
      assert.ok(calls.includes("--user restart photos-sync-backup.timer"), calls.join("\n"));

      const tracker = Tracker.open(join(home, "tracker.db"));
      tracker.finishRun(tracker.startRun("sync", false), "succeeded", null);
      tracker.close();
      const status = (await runCli(["--home", home, "schedule", "status"], { env })).stdout;
      assert.match(status, /^sync: installed, every 2h, active \(waiting\)$/m);
      assert.match(status, /^ {2}last run succeeded, started \S+, ended \S+$/m);
      assert.match(status, /^backup: installed, every 1d/m);
      assert.match(status, /^serve: not installed$/m);

      const removed = (await runCli(["--home", home, "schedule", "remove"], { env })).stdout;
      assert.match(removed, /removed .*photos-sync-sync\.timer/);
      assert.ok(!existsSync(join(units, "photos-sync-sync.service")));
      assert.match(
        (await runCli(["--home", home, "schedule", "remove"], { env })).stdout,
        /no background job/,
      );

      const bad = await runCli(["--home", home, "schedule", "install", "--every", "1m"], { env, expect: 2 });
      assert.match(bad.stderr, /at least 5 minutes/);
      const open = await runCli(
        ["--home", home, "schedule", "install", "--serve", "--serve-host", "0.0.0.0"],
        {
          env,
          expect: 2,
        },
      );
      assert.match(open.stderr, /PHOTOS_SYNC_SERVE_TOKEN/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
