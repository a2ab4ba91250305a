/** `photos-sync serve` as a user starts it: flags, the token from the environment, signals. */
import assert from "node:assert/strict";
import { cliCommand, runCli } from "./_serve_fixtures.ts";

const TOKEN = "e2e-serve-token-5b1f0c7d9a";

Deno.test("serve refuses a non-loopback address without PHOTOS_SYNC_SERVE_TOKEN (exit 2)", async () => {
  const home = await Deno.makeTempDir();
  try {
    const r = await runCli(["serve", "--host", "0.0.0.0", "--port", "0", "--home", home], { expect: 2 });
    assert.match(r.stderr, /PHOTOS_SYNC_SERVE_TOKEN/);
    assert.match(r.stderr, /--host 127\.0\.0\.1/);
    const short = await runCli(["serve", "--port", "0", "--home", home], {
      expect: 2,
      env: { PHOTOS_SYNC_SERVE_TOKEN: "abcd1234" },
    });
    assert.match(short.stderr, /too short/);
    const port = await runCli(["serve", "--port", "70000", "--home", home], { expect: 2 });
    assert.match(port.stderr, /--port/);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("serve with a token from the environment guards every request, never prints it, and stops on SIGTERM", async () => {
  const home = await Deno.makeTempDir();
  const child = cliCommand(["serve", "--port", "0", "--json", "--home", home], {
    env: { PHOTOS_SYNC_SERVE_TOKEN: TOKEN },
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let printed = "";
  try {
    while (!printed.includes("\n")) {
      const { value, done } = await stdout.read();
      if (done) break;
      printed += value;
    }
    const info = JSON.parse(printed.split("\n")[0]);
    assert.equal(info.tokenRequired, true);
    assert.equal(info.host, "127.0.0.1");
    const url = info.url as string;

    const none = await fetch(`${url}api/health`);
    assert.equal(none.status, 401);
    await none.body?.cancel();
    const ok = await fetch(`${url}api/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).ok, true);

    // An open event stream must not keep the server from stopping.
    const events = await fetch(`${url}api/events`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const reader = events.body!.getReader();
    await reader.read();
    child.kill("SIGTERM");
    while (!(await reader.read()).done) { /* the server ends the stream */ }
    const status = await child.status;
    assert.equal(
      status.code,
      143,
      "a stop signal ends serve with the exit code of the signal, like every command",
    );
    while (!(await stdout.read()).done) { /* rest of stdout */ }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already ended */ }
    const err = await new Response(child.stderr).text();
    await child.status;
    assert.ok(!printed.includes(TOKEN) && !err.includes(TOKEN), "the token is never printed");
    await Deno.remove(home, { recursive: true });
  }
});
