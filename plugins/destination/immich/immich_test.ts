import { destinationSuite } from "../../../core/plugin/testing/mod.ts";
import { startEmulator } from "../../../tests/immich_emulator/mod.ts";
import immich from "./mod.ts";

for (const version of ["3.2.2", "1.135.3"]) {
  Deno.test(`destination.immich passes the destination conformance suite against Immich ${version}`, async (t) => {
    await using server = await startEmulator({ version });
    await destinationSuite(t, immich, {
      options: { url: server.url, "api-key": server.apiKey, timeout: 10 },
      sampleExtension: "jpg",
    });
  });
}
