import assert from "node:assert/strict";
import { isValidListenHost } from "./security.ts";

Deno.test("listen hosts: addresses and host names are valid, typos are not", () => {
  for (
    const ok of ["127.0.0.1", "0.0.0.0", "::", "::1", "[::1]", "fe80::1", "localhost", "nas.local", "my-mac"]
  ) {
    assert.ok(isValidListenHost(ok), ok);
  }
  for (const bad of ["bad host!", "", "300.1.1.1", "-x", "a..b", "host_name", "1::2::3", "x".repeat(64)]) {
    assert.ok(!isValidListenHost(bad), bad);
  }
});
