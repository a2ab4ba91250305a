/**
 * The official Immich command-line client (`@immich/cli`, from npm) uploads to the emulator: what
 * the real client does must work against it. The client needs Node 22; it runs here under Deno,
 * which the CLI's code accepts (`deno run npm:@immich/cli`).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { networkEnv } from "../_child_env.ts";
import { startEmulator } from "./mod.ts";

/** Pinned in deno.json and deno.lock, so a fresh machine downloads exactly this version. */
export const IMMICH_CLI = "npm:@immich/cli@3.2.2";
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** Runs the Immich CLI with only the variables it needs (no config file, no inherited key). */
export async function immichCli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    // The project's config: its lock file pins the CLI and everything it pulls in.
    args: ["run", "-A", "--config", CONFIG, IMMICH_CLI, ...args],
    env: {
      ...networkEnv(),
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      NO_COLOR: "1",
      ...env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: out.code, stdout: d.decode(out.stdout), stderr: d.decode(out.stderr) };
}

Deno.test("@immich/cli uploads a folder to the emulator, makes albums, reads a sidecar and skips duplicates on a rerun", async () => {
  await using server = await startEmulator({ version: "3.2.2" });
  const dir = await Deno.makeTempDir({ prefix: "immich-cli-" });
  try {
    const photos = join(dir, "photos");
    const trip = join(photos, "Trip");
    await Deno.mkdir(trip, { recursive: true });
    const files: Record<string, string> = {
      [join(photos, "a.jpg")]: "first photo",
      [join(photos, "b.png")]: "second photo",
      [join(trip, "c.heic")]: "third photo",
      [join(trip, "d.mov")]: "a video",
    };
    for (const [path, text] of Object.entries(files)) await Deno.writeTextFile(path, text);
    await Deno.writeTextFile(
      join(trip, "c.xmp"),
      `<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` +
        `<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description><rdf:Alt>` +
        `<rdf:li xml:lang="x-default">From the sidecar</rdf:li></rdf:Alt></dc:description></rdf:Description>` +
        `</rdf:RDF></x:xmpmeta>`,
    );
    await Deno.writeTextFile(join(photos, "notes.txt"), "not media: the CLI skips it");
    const env = {
      IMMICH_INSTANCE_URL: server.url,
      IMMICH_API_KEY: server.apiKey,
      IMMICH_CONFIG_DIR: join(dir, "cfg"),
    };
    const args = ["upload", "--recursive", "--album", "--concurrency", "2", "--no-progress", photos];

    const first = await immichCli(args, env);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /Successfully uploaded 4 new assets/);
    const state = server.emulator.state;
    const uploaded = [...state.assets.values()];
    assert.deepEqual(uploaded.map((a) => a.originalFileName).sort(), ["a.jpg", "b.png", "c.heic", "d.mov"]);
    for (const asset of uploaded) {
      const path = Object.keys(files).find((p) => p.endsWith(`/${asset.originalFileName}`))!;
      assert.equal(
        asset.checksum,
        createHash("sha1").update(files[path]).digest("hex"),
        asset.originalFileName,
      );
    }
    assert.equal(uploaded.find((a) => a.originalFileName === "d.mov")!.type, "VIDEO");
    assert.equal(uploaded.find((a) => a.originalFileName === "c.heic")!.exif.description, "From the sidecar");
    const albums = new Map([...state.albums.values()].map((a) => [a.albumName, a.assetIds.length]));
    assert.deepEqual(albums, new Map([["photos", 2], ["Trip", 2]]));
    assert.equal(server.emulator.count("GET /api/api-keys/me"), 1, "the CLI checked its key's permissions");

    const uploads = server.emulator.count("POST /api/assets");
    const again = await immichCli(args, env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /Found 0 new files and 4 duplicates/);
    assert.equal(server.emulator.count("POST /api/assets"), uploads, "nothing uploaded twice");
    assert.equal(state.assets.size, 4);

    const readOnly = state.createApiKey(state.admin.id, ["asset.read", "user.read"]);
    const refused = await immichCli(args, { ...env, IMMICH_API_KEY: readOnly.secret });
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /Missing required permission: "asset\.upload"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
