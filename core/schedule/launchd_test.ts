import assert from "node:assert/strict";
import { launchAgentPlist } from "./launchd.ts";
import { scheduledJobs } from "./jobs.ts";

const HOME = "/Users/Jane Doe/Library/Application Support/photos-sync";
const PROGRAM = ["/Applications/Photos Sync & Co/photos-sync"];

/** Parses a plist with Python's plistlib: an independent reader of Apple's format. */
async function parsePlist(xml: string): Promise<Record<string, unknown>> {
  const out = await new Deno.Command("python3", {
    args: ["-c", "import json, plistlib, sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = out.stdin.getWriter();
  await writer.write(new TextEncoder().encode(xml));
  await writer.close();
  const r = await out.output();
  assert.equal(r.code, 0, `plistlib rejected the plist: ${new TextDecoder().decode(r.stderr)}`);
  return JSON.parse(new TextDecoder().decode(r.stdout));
}

Deno.test("the LaunchAgents are valid plists with the exact arguments, paths and schedule", async () => {
  const jobs = scheduledJobs({
    program: PROGRAM,
    home: HOME,
    every: 3 * 3600,
    backupEvery: 86400,
    serve: { host: "127.0.0.1", port: 8377 },
    path: "/opt/homebrew/bin:/usr/bin:/bin",
  });
  const [sync, backup, serve] = await Promise.all(jobs.map((j) => parsePlist(launchAgentPlist(j))));

  assert.equal(sync.Label, "com.photos-sync.sync");
  assert.deepEqual(sync.ProgramArguments, [...PROGRAM, "--home", HOME, "sync"]);
  assert.equal(sync.StartInterval, 10800);
  assert.equal(sync.RunAtLoad, false);
  assert.equal(sync.KeepAlive, undefined);
  assert.equal(sync.StandardOutPath, `${HOME}/logs/sync.log`);
  assert.equal(sync.StandardErrorPath, `${HOME}/logs/sync.log`);
  assert.equal(sync.WorkingDirectory, HOME);
  assert.deepEqual(sync.EnvironmentVariables, {
    MALLOC_ARENA_MAX: "2",
    PHOTOS_SYNC_HOME: HOME,
    PATH: "/opt/homebrew/bin:/usr/bin:/bin",
  });

  assert.equal(backup.Label, "com.photos-sync.backup");
  assert.deepEqual(backup.ProgramArguments, [...PROGRAM, "--home", HOME, "backup"]);
  assert.equal(backup.StartInterval, 86400);
  assert.equal(backup.StandardOutPath, `${HOME}/logs/backup.log`);

  assert.equal(serve.Label, "com.photos-sync.serve");
  assert.deepEqual(serve.ProgramArguments, [
    ...PROGRAM,
    "--home",
    HOME,
    "serve",
    "--host",
    "127.0.0.1",
    "--port",
    "8377",
  ]);
  assert.equal(serve.StartInterval, undefined);
  assert.equal(serve.RunAtLoad, true);
  assert.deepEqual(serve.KeepAlive, { SuccessfulExit: false });
});

Deno.test("characters XML gives meaning to survive in LaunchAgent arguments", async () => {
  const odd = "/tmp/<a> & \"b\" 'c' ]]> é";
  const [job] = scheduledJobs({ program: [odd], home: odd });
  const parsed = await parsePlist(launchAgentPlist(job));
  assert.deepEqual(parsed.ProgramArguments, [odd, "--home", odd, "sync"]);
  assert.equal(parsed.WorkingDirectory, odd);
});
