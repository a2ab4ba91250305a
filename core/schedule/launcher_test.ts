import assert from "node:assert/strict";
import { join } from "node:path";
import { jobNetworkEnv, scheduledJobs } from "./jobs.ts";
import { launcherScript, V8_FLAGS, writeLauncher } from "./launcher.ts";
import { systemdUnits } from "./systemd.ts";

/** Runs a launcher whose installing Deno is `deno`, with PATH holding only `bin`. */
async function launch(dir: string, deno: string, bin: string) {
  const path = join(dir, "it's here", "photos-sync");
  await writeLauncher({
    path,
    content: launcherScript({ main: "/srv/photos sync/main.ts", deno, denoVersion: "9.9.9" }),
  });
  const out = await new Deno.Command(path, {
    args: ["--home", "/data", "sync"],
    env: { PATH: bin },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout).trim(), stderr: text.decode(out.stderr).trim() };
}

/** A stand-in program that prints its name and arguments, one per line. */
async function fake(bin: string, name: string): Promise<string> {
  await Deno.mkdir(bin, { recursive: true });
  const path = join(bin, name);
  await Deno.writeTextFile(path, `#!/bin/sh\necho ${name}\nfor a in "$@"; do echo "$a"; done\n`);
  await Deno.chmod(path, 0o755);
  return path;
}

Deno.test("the launcher finds Deno anew on every start: the installing one, then PATH, then npx", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const args = [
      "run",
      "-A",
      `--v8-flags=${V8_FLAGS}`,
      "/srv/photos sync/main.ts",
      "--home",
      "/data",
      "sync",
    ];
    const installing = await fake(join(dir, "cache"), "deno");
    await fake(join(dir, "path"), "deno");
    await fake(join(dir, "npm"), "npx");
    const both = `${join(dir, "path")}:${join(dir, "npm")}`;
    assert.equal((await launch(dir, installing, both)).stdout, ["deno", ...args].join("\n"));
    // The cache that held the installing Deno was cleared.
    await Deno.remove(join(dir, "cache"), { recursive: true });
    assert.equal((await launch(dir, installing, both)).stdout, ["deno", ...args].join("\n"));
    assert.equal(
      (await launch(dir, installing, join(dir, "npm"))).stdout,
      ["npx", "--yes", "deno@9.9.9", ...args].join("\n"),
    );
    const none = await launch(dir, installing, join(dir, "empty"));
    assert.equal(none.code, 127);
    assert.match(none.stderr, /photos-sync: no Deno found: install it/);
    assert.equal(Deno.statSync(join(dir, "it's here", "photos-sync")).mode! & 0o777, 0o700);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the jobs keep the installing shell's proxy, CA and cache variables, but no proxy password", () => {
  const { env, withheld } = jobNetworkEnv({
    https_proxy: "http://proxy.lan:3128",
    HTTP_PROXY: "http://me:hunter22@proxy.lan:3128",
    SSL_CERT_FILE: "/etc/ssl/corp.pem",
    DENO_DIR: "/var/cache/deno",
    AWS_SECRET_ACCESS_KEY: "never-this",
    EMPTY: "",
  });
  assert.deepEqual(env, {
    SSL_CERT_FILE: "/etc/ssl/corp.pem",
    DENO_DIR: "/var/cache/deno",
    https_proxy: "http://proxy.lan:3128",
  });
  assert.deepEqual(withheld, ["HTTP_PROXY"]);
  const [job] = scheduledJobs({ program: ["/p"], home: "/data", network: env });
  assert.equal(job.env.PHOTOS_SYNC_HOME, "/data");
  const { service } = systemdUnits(job);
  assert.match(service, /^Environment=SSL_CERT_FILE=\/etc\/ssl\/corp\.pem$/m);
  assert.match(service, /^Environment=https_proxy=http:\/\/proxy\.lan:3128$/m);
  assert.doesNotMatch(service, /hunter22|never-this/);
});

Deno.test("this Deno's V8 knows every flag of V8_FLAGS (an unknown one stops the binary and every job at start)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `--v8-flags=${V8_FLAGS}`, "console.log('started')"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  assert.equal(out.code, 0, text.decode(out.stderr));
  assert.equal(text.decode(out.stdout).trim(), "started");
});

Deno.test("the compiled binary and every task that runs main.ts carry the launcher's V8 flags, so all ways of running size the heap alike", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../../deno.json", import.meta.url)));
  assert.match(V8_FLAGS, /^--max-semi-space-size=\d+,--heap-growing-percent=\d+,--memory-pool-timeout=\d+$/);
  const runners = Object.entries(config.tasks as Record<string, string>)
    .filter(([, line]) => /deno (run|compile) [^&]*\bmain\.ts\b/.test(line));
  assert.deepEqual(runners.map(([name]) => name).sort(), ["compile", "demo", "start"]);
  for (const [name, line] of runners) {
    assert.ok(
      line.split(" ").includes(`--v8-flags=${V8_FLAGS}`),
      `the ${name} task must pass --v8-flags=${V8_FLAGS}: ${line}`,
    );
  }
});
