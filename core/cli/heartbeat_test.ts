import assert from "node:assert/strict";
import { startHeartbeat } from "./heartbeat.ts";

Deno.test("a heartbeat beats every interval until stopped, then never again", async () => {
  let beats = 0;
  const stop = startHeartbeat(20, () => beats++);
  await new Promise((r) => setTimeout(r, 150));
  assert.ok(beats >= 3, `${beats} beats in 150 ms at 20 ms`);
  stop();
  const at = beats;
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(beats, at, "no beat after stop");
});

Deno.test("a stopped heartbeat does not keep the process alive", async () => {
  const script = `import { startHeartbeat } from ${
    JSON.stringify(new URL("./heartbeat.ts", import.meta.url).href)
  };
    const stop = startHeartbeat(60_000, () => {}); console.log("done"); stop();`;
  const started = Date.now();
  const out = await new Deno.Command(Deno.execPath(), { args: ["eval", script], stdout: "piped" }).output();
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "done");
  assert.ok(Date.now() - started < 30_000, "the process ended without waiting for the beat");
});
