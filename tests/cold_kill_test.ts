/**
 * Kill -9 in the cold tier's two dangerous steps, then the same command again:
 * - `archive --cold --remove-from-immich` killed while Immich moves the asset to its trash (before
 *   the request is handled, and after it was handled but before the answer arrived);
 * - `unarchive` from the cold tier killed while it downloads the restored files.
 * On resume nothing is uploaded, removed or recreated twice, and the asset always has a verified
 * tier: its cold copy is verified before it leaves Immich, and it counts as cold-only until it is back.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { cli, spawnCli, withTempDir } from "./_cli.ts";
import { env, trackerRows } from "./_immich.ts";
import { glacierEnv as glacierEnvOf, importedSample, placeArgs } from "./_cold.ts";
import type { RunningEmulator } from "./immich_emulator/mod.ts";
import { type GlacierStub, startGlacierStub } from "./s3_glacier_stub.ts";

const glacierEnv = (s3: GlacierStub) =>
  glacierEnvOf(s3, { password: "cold kill test password", salt: "cold kill test salt" });

function rows(home: string, sql: string): Record<string, unknown>[] {
  const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
  try {
    return db.prepare(sql).all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

/** Every cold file of the asset verified, and its bundle recorded whole: a verified tier. */
function verifiedCold(home: string, assetId: string): boolean {
  const files = rows(home, `SELECT verified_at FROM cold_objects WHERE asset_id = '${assetId}'`);
  const whole = rows(home, `SELECT 1 FROM cold_assets WHERE asset_id = '${assetId}' AND restored_at IS NULL`);
  return files.length > 0 && files.every((f) => f.verified_at) && whole.length === 1;
}

const removedAt = (home: string, assetId: string) =>
  rows(home, `SELECT removed_from_destination_at AS at FROM cold_assets WHERE asset_id = '${assetId}'`)[0]
    ?.at;

/** Spawns the CLI and SIGKILLs it when `when` says so; the emulator's request is dropped. */
async function killWhen(
  server: RunningEmulator,
  args: string[],
  vars: Record<string, string>,
  when: (request: { stage: string; route: string }) => boolean,
): Promise<void> {
  const child = spawnCli(args, vars);
  const stderr = new Response(child.stderr).text();
  let killed = false;
  server.emulator.onRequest = async (request) => {
    if (killed || !when(request)) return;
    killed = true;
    child.kill("SIGKILL");
    await child.status;
    return "drop";
  };
  const { code } = await child.status;
  server.emulator.onRequest = undefined;
  assert.equal(code, 137, `killed, not ended on its own: ${await stderr}`);
}

for (const stage of ["arrived", "handled"] as const) {
  Deno.test(`archive --cold --remove-from-immich killed while Immich trashes the asset (${stage}), run again`, async () => {
    await withTempDir(async (dir) => {
      const { server, sample, home } = await importedSample(dir);
      await using _server = server;
      await using s3 = startGlacierStub();
      s3.versioning = "Enabled";
      const live = sample.uuids.live;
      const all = { ...env(server), ...glacierEnv(s3) };
      const args = [
        ...[
          "archive",
          "--uuid",
          live,
          "--cold",
          "glacier",
          "--remove-from-immich",
          "--yes",
          "--max-share",
          "1",
        ],
        "--json",
        ...placeArgs(home, sample.path),
      ];
      await killWhen(server, args, all, (r) => r.stage === stage && r.route === "DELETE /api/assets");
      assert.ok(verifiedCold(home, live), "the cold copy was verified before the asset was asked to leave");
      assert.equal(removedAt(home, live), null, "the removal was never heard back: not recorded");
      const sent = trackerRows(home).filter((r) => r.asset_id === live);
      const trashed = () => sent.map((r) => server.emulator.state.assets.get(r.remote_id)?.deletedAt ?? null);
      const atKill = trashed();
      if (stage === "arrived") assert.deepEqual(atKill, sent.map(() => null), "still in Immich");
      else assert.ok(atKill.every((t) => t !== null), "Immich trashed it; the CLI never heard");

      const immichUploads = server.emulator.count("POST /api/assets");
      const again = await cli(args, all);
      assert.equal(again.code, 0, again.stderr + again.stdout);
      assert.deepEqual([...s3.uploads.values()].filter((n) => n !== 1), [], "no object uploaded twice");
      assert.ok(removedAt(home, live), "recorded as removed from Immich");
      assert.ok(verifiedCold(home, live), "its verified cold tier stays");
      const after = trashed();
      assert.ok(after.every((t) => t !== null), "in Immich's trash");
      if (stage === "handled") assert.deepEqual(after, atKill, "trashed once: the first trashing stands");
      assert.equal(server.emulator.count("POST /api/assets"), immichUploads, "nothing uploaded to Immich");
    });
  });
}

/** Imported, archived cold to Glacier and removed from Immich, then purged there; its restore asked and done. */
async function coldOnlyRestored(dir: string, s3: GlacierStub) {
  const { server, sample, home } = await importedSample(dir);
  const live = sample.uuids.live;
  const all = { ...env(server), ...glacierEnv(s3) };
  const archived = await cli([
    ...["archive", "--uuid", live, "--cold", "glacier", "--remove-from-immich", "--yes", "--max-share", "1"],
    ...["--home", home, "--to", "immich", "--source", "photoslibrary", "--library", sample.path],
  ], all);
  assert.equal(archived.code, 0, archived.stderr);
  const sent = trackerRows(home).filter((r) => r.asset_id === live);
  for (const r of sent) server.emulator.state.deleteAsset(r.remote_id);
  const args = ["unarchive", "--uuid", live, "--to", "immich", "--yes", "--home", home];
  const asked = await cli(args, all);
  assert.equal(asked.code, 0, asked.stderr);
  assert.ok(s3.thaw() > 0, "a restore was asked for");
  return { server, home, live, sent, all, args };
}

/** How many live (not trashed) Immich assets hold each of these checksums. */
const inImmich = (server: RunningEmulator, sha1s: unknown[]) =>
  sha1s.map((sha1) =>
    [...server.emulator.state.assets.values()].filter((a) => a.checksum === sha1 && a.deletedAt === null)
      .length
  );

Deno.test("unarchive from Glacier killed mid-download, run again: nothing restored or recreated twice", async () => {
  await withTempDir(async (dir) => {
    let downloads = 0;
    let held!: () => void;
    const holding = new Promise<void>((resolve) => held = resolve);
    let release!: (ok: boolean) => void;
    const released = new Promise<boolean>((resolve) => release = resolve);
    let holdAt = Infinity; // set once the cold object keys are known
    let objectKeys = new Set<string>();
    await using s3 = startGlacierStub({
      beforeDownload: (key) => {
        if (!objectKeys.has(key) || ++downloads !== holdAt) return Promise.resolve(true);
        held();
        return released;
      },
    });
    s3.versioning = "Enabled";
    const { server, home, live, sent, all, args } = await coldOnlyRestored(dir, s3);
    await using _server = server;
    objectKeys = new Set(rows(home, "SELECT object_key FROM cold_objects").map((r) => String(r.object_key)));
    holdAt = 2; // the first file read back, the second under way
    const restores = new Map(s3.restoreRequests);

    const child = spawnCli(args, all);
    await holding;
    child.kill("SIGKILL");
    await child.status;
    await child.stderr.cancel();
    release(false);
    assert.deepEqual(inImmich(server, sent.map((r) => r.sha1)), sent.map(() => 0), "nothing put back yet");
    assert.ok(verifiedCold(home, live), "still cold-only with its verified copy");

    const again = await cli(args, all);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      new Map(s3.restoreRequests),
      restores,
      "no restore asked again: the copies are readable",
    );
    assert.deepEqual(inImmich(server, sent.map((r) => r.sha1)), sent.map(() => 1), "each file back once");
    assert.equal(rows(home, "SELECT 1 FROM cold_assets WHERE restored_at IS NOT NULL").length, 1);
    const third = await cli(args, all);
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(
      inImmich(server, sent.map((r) => r.sha1)),
      sent.map(() => 1),
      "a third run adds nothing",
    );
  });
});

Deno.test("unarchive from Glacier killed after Immich stored the file, before it answered: not created twice", async () => {
  await withTempDir(async (dir) => {
    await using s3 = startGlacierStub();
    s3.versioning = "Enabled";
    const { server, home, live, sent, all, args } = await coldOnlyRestored(dir, s3);
    await using _server = server;
    await killWhen(server, args, all, (r) => r.stage === "handled" && r.route === "POST /api/assets");
    assert.ok(verifiedCold(home, live), "not yet noted as brought back: its cold copy still counts");
    assert.equal(rows(home, "SELECT 1 FROM cold_assets WHERE restored_at IS NOT NULL").length, 0);

    const again = await cli(args, all);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(
      inImmich(server, sent.map((r) => r.sha1)),
      sent.map(() => 1),
      "each file in Immich once",
    );
    assert.equal(rows(home, "SELECT 1 FROM cold_assets WHERE restored_at IS NOT NULL").length, 1);
  });
});
