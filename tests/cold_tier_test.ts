/**
 * End to end: `archive --cold` on the sample library imported into the Immich emulator, to Glacier
 * (the repository's S3 stub, objects in Deep Archive) and to B2 (`--b2-remote`, a local folder).
 * The whole bundle (files and an XMP sidecar) reaches the cold target encrypted, is verified and
 * recorded per file; only then, and only with its cold copy verified in the same run, may the asset
 * leave Immich. A run started again uploads nothing twice.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { cli, spawnCli, withTempDir } from "./_cli.ts";
import { env, trackerRows } from "./_immich.ts";
import { glacierEnv as glacierEnvOf, importedSample, placeArgs } from "./_cold.ts";
import { type GlacierStub, startGlacierStub } from "./s3_glacier_stub.ts";

const PASSWORD = "cold tier test password";
const SALT = "cold tier test salt";

const SECRETS = { password: PASSWORD, salt: SALT };
const glacierEnv = (s3: GlacierStub) => glacierEnvOf(s3, SECRETS);

function lines(stdout: string): { type: string; [k: string]: unknown }[] {
  return stdout.trim().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

function coldRows(home: string): Record<string, unknown>[] {
  const db = new DatabaseSync(join(home, "tracker.db"), { readOnly: true });
  try {
    return db.prepare("SELECT * FROM cold_objects ORDER BY asset_id, key").all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

Deno.test("archive --cold glacier stores the Live Photo whole, encrypted, verified; then it may leave Immich", async () => {
  await withTempDir(async (dir) => {
    const { server, sample, home } = await importedSample(dir);
    await using _server = server;
    await using s3 = startGlacierStub();
    s3.versioning = "Enabled";
    const live = sample.uuids.live;
    const all = { ...env(server), ...glacierEnv(s3) };
    const args = ["archive", "--uuid", live, "--cold", "glacier", "--json", ...placeArgs(home, sample.path)];

    const dry = await cli([...args, "--dry-run"], all);
    assert.equal(dry.code, 0, dry.stderr);
    assert.equal(lines(dry.stdout).find((e) => e.type === "cold-summary")!.cold, 1);
    assert.equal(coldRows(home).length, 0, "a dry run stores nothing");

    const first = await cli(args, all);
    assert.equal(first.code, 0, first.stderr);
    const summary = lines(first.stdout).find((e) => e.type === "cold-summary")!;
    assert.deepEqual([summary.cold, summary.uploaded], [1, 3], "still, video and the XMP sidecar");
    const rows = coldRows(home);
    assert.deepEqual(rows.map((r) => r.key), ["metadata_xmp", "motion", "original"]);
    const sent = trackerRows(home).filter((r) => r.asset_id === live);
    for (const key of ["original", "motion"]) {
      const row = rows.find((r) => r.key === key)!;
      assert.equal(row.sha1, sent.find((r) => r.key === key)!.sha1, `${key}: the SHA-1 verified in Immich`);
      assert.equal(row.storage_class, "DEEP_ARCHIVE");
      assert.ok(row.verified_at, `${key} verified`);
      const object = s3.objects.get(String(row.object_key))!;
      assert.equal(object.body.length, row.stored_bytes, "the encrypted object as recorded");
      assert.ok(!/IMG|assets|\.mov|\.heic/i.test(String(row.object_key)), "names are encrypted");
    }
    assert.equal(server.emulator.state.assets.get(sent[0].remote_id)!.deletedAt, null, "not removed unasked");

    // Again, now removing from Immich: nothing is uploaded twice, and the asset leaves Immich.
    const before = new Map([...s3.objects].map(([k, o]) => [k, o.etag + o.lastModified.getTime()]));
    const again = await cli([...args, "--remove-from-immich", "--yes", "--max-share", "1"], all);
    assert.equal(again.code, 0, again.stderr);
    const second = lines(again.stdout).find((e) => e.type === "cold-summary")!;
    assert.deepEqual([second.cold, second.uploaded, second.removedFromImmich], [1, 0, 1]);
    assert.deepEqual(
      new Map([...s3.objects].map(([k, o]) => [k, o.etag + o.lastModified.getTime()])),
      before,
    );
    for (const r of sent) {
      assert.notEqual(
        server.emulator.state.assets.get(r.remote_id)?.deletedAt ?? "gone",
        null,
        `${r.key} left`,
      );
    }

    // The three tiers: the asset is still in Photos, no longer in Immich, and cold.
    const status = await cli(["status", "--json", "--tracker-only", "--home", home]);
    const report = JSON.parse(status.stdout);
    const tiers = report.tiers[0];
    const inImmich = report.destinations[0].imported as number;
    assert.deepEqual(
      [tiers.photos.assets, tiers.atDestination.assets, tiers.cold.assets],
      [inImmich, inImmich - 1, 1],
    );
    assert.equal(tiers.cold.bytes, second.bytes);
    assert.deepEqual(
      [
        report.cold[0].target.startsWith("glacier:"),
        report.cold[0].assets,
        report.cold[0].removedFromDestination,
      ],
      [true, 1, 1],
    );
    const text = await cli(["status", "--tracker-only", "--home", home]);
    assert.match(text.stdout, new RegExp(`there ${inImmich - 1} .*cold 1 `));

    // And per asset: all of them, or those archive --query selects, as lines or one JSON array.
    const perAsset = await cli(["status", "--assets", "--json", "--home", home]);
    assert.equal(perAsset.code, 0, perAsset.stderr);
    const assets = JSON.parse(perAsset.stdout) as { assetId: string; atDestination: boolean }[];
    assert.equal(assets.length, inImmich);
    assert.deepEqual(assets.filter((a) => !a.atDestination).map((a) => a.assetId), [live]);
    const selected = await cli(["status", "--assets", "--json", "--query", "archived", "--home", home]);
    const [one, ...more] = JSON.parse(selected.stdout);
    assert.deepEqual([one.assetId, one.inPhotos, one.atDestination, more.length], [live, true, false, 0]);
    assert.deepEqual([one.cold[0].storageClasses, one.cold[0].restore], [["DEEP_ARCHIVE"], {
      state: "none",
    }]);
    assert.ok(one.cold[0].verifiedAt && one.cold[0].removedFromDestinationAt);
    const line = await cli(["status", "--assets", "--query", "archived", "--home", home]);
    assert.match(
      line.stdout.trim(),
      /^\S+ \(\S+, .*\): Photos yes, immich:\S+ no, cold glacier:\S+ \(DEEP_ARCHIVE, verified 20/,
    );
    const bad = await cli(["status", "--assets", "--query", "kind = ", "--home", home]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--query/);
  });
});

Deno.test("a cold object deleted behind the tool's back is reported, and the asset stays in Immich", async () => {
  await withTempDir(async (dir) => {
    const { server, sample, home } = await importedSample(dir);
    await using _server = server;
    await using s3 = startGlacierStub();
    s3.versioning = "Enabled";
    const live = sample.uuids.live;
    const all = { ...env(server), ...glacierEnv(s3) };
    const args = ["archive", "--uuid", live, "--cold", "glacier", "--json", ...placeArgs(home, sample.path)];
    assert.equal((await cli(args, all)).code, 0);
    const video = coldRows(home).find((r) => r.key === "motion")!;
    s3.objects.delete(String(video.object_key));

    const run = await cli([...args, "--remove-from-immich", "--yes", "--max-share", "1"], all);
    assert.equal(run.code, 1, "a refusal fails the run");
    const refused = lines(run.stdout).find((e) => e.type === "cold-refused")!;
    assert.match(String(refused.reason), /its motion is missing at the cold target/);
    const summary = lines(run.stdout).find((e) => e.type === "cold-summary")!;
    assert.deepEqual([summary.cold, summary.removedFromImmich], [0, 0]);
    for (const r of trackerRows(home).filter((r) => r.asset_id === live)) {
      assert.equal(
        server.emulator.state.assets.get(r.remote_id)!.deletedAt,
        null,
        `${r.key} stays in Immich`,
      );
    }
  });
});

Deno.test("archive --cold b2 reads every file back and compares its SHA-1; --remove-from-immich needs --cold", async () => {
  await withTempDir(async (dir) => {
    const { server, sample, home } = await importedSample(dir);
    await using _server = server;
    const remote = join(dir, "b2");
    const all = {
      ...env(server),
      PHOTOS_SYNC_B2_REMOTE: remote,
      BACKUP_CREDENTIALS: "env",
      PHOTOS_SYNC_B2_ENCRYPTION_PASSWORD: PASSWORD,
      PHOTOS_SYNC_B2_ENCRYPTION_SALT: SALT,
    };
    const base = ["archive", "--uuid", sample.uuids.favorite, "--json", ...placeArgs(home, sample.path)];
    const bare = await cli([...base, "--remove-from-immich"], all);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /--remove-from-immich needs --cold/);

    const run = await cli([...base, "--cold", "b2"], all);
    assert.equal(run.code, 0, run.stderr);
    const rows = coldRows(home);
    assert.ok(rows.length >= 2, "the original and the XMP sidecar");
    for (const r of rows) assert.deepEqual([r.storage_class, Boolean(r.verified_at)], ["remote", true]);

    // Damaged at the store (same size, other bytes): the read-back catches it.
    const original = rows.find((r) => r.key === "original")!;
    const path = join(remote, String(original.object_key));
    const bytes = await Deno.readFile(path);
    bytes[bytes.length - 1] ^= 0xff;
    await Deno.writeFile(path, bytes);
    const damaged = await cli([...base, "--cold", "b2"], all);
    assert.equal(damaged.code, 1);
    assert.match(
      String(lines(damaged.stdout).find((e) => e.type === "cold-refused")!.reason),
      /cannot be read back|reads back/,
    );
  });
});

Deno.test("archive --cold killed (kill -9) mid-upload and run again: every object uploaded once, the bundle whole", async () => {
  await withTempDir(async (dir) => {
    const { server, sample, home } = await importedSample(dir);
    await using _server = server;
    let held!: () => void;
    const holding = new Promise<void>((resolve) => held = resolve);
    let release!: (ok: boolean) => void;
    let holds = 0;
    const released = new Promise<boolean>((resolve) => release = resolve);
    // Uploads: the marker, the still, then the video is held until the client is dead.
    await using s3 = startGlacierStub({
      beforeUpload: (_key, earlier) => {
        if (earlier !== 2 || holds++ > 0) return Promise.resolve(true);
        held();
        return released;
      },
    });
    s3.versioning = "Enabled";
    const all = { ...env(server), ...glacierEnv(s3) };
    const args = [
      "archive",
      "--uuid",
      sample.uuids.live,
      "--cold",
      "glacier",
      "--json",
      ...placeArgs(home, sample.path),
    ];
    const child = spawnCli(args, all);
    await holding;
    child.kill("SIGKILL");
    await child.status;
    await child.stderr.cancel();
    release(false);
    assert.equal(coldRows(home).length, 0, "nothing recorded: the put never returned");

    const again = await cli(args, all);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(lines(again.stdout).find((e) => e.type === "cold-summary")!.cold, 1);
    const rows = coldRows(home);
    assert.deepEqual(rows.map((r) => r.key), ["metadata_xmp", "motion", "original"]);
    for (const r of rows) assert.ok(r.verified_at, `${r.key} verified`);
    assert.deepEqual(
      [...s3.uploads.values()].filter((n) => n !== 1),
      [],
      "the still stored before the kill was not uploaded again",
    );
    assert.equal(s3.uploads.size, 4, "the marker and the three files of the bundle");
  });
});

Deno.test("backup --verify-cold reports drift per asset: a deleted object, another class; a clean tier passes", async () => {
  await withTempDir(async (dir) => {
    const { server, sample, home } = await importedSample(dir);
    await using _server = server;
    await using s3 = startGlacierStub();
    s3.versioning = "Enabled";
    const all = { ...env(server), ...glacierEnv(s3) };
    for (const uuid of [sample.uuids.live, sample.uuids.favorite]) {
      const run = await cli(
        ["archive", "--uuid", uuid, "--cold", "glacier", ...placeArgs(home, sample.path)],
        all,
      );
      assert.equal(run.code, 0, run.stderr);
    }
    const verify = (...more: string[]) =>
      cli(["backup", "--verify-cold", ...more, "--home", home, "--json"], all);
    const clean = await verify();
    assert.equal(clean.code, 0, clean.stderr);
    const ok = lines(clean.stdout).find((e) => e.type === "verify-cold")!;
    assert.deepEqual([ok.assets, ok.drift], [2, []]);

    const rows = coldRows(home);
    const video = rows.find((r) => r.asset_id === sample.uuids.live && r.key === "motion")!;
    const other = rows.find((r) => r.asset_id === sample.uuids.favorite && r.key === "original")!;
    s3.objects.delete(String(video.object_key));
    s3.objects.get(String(other.object_key))!.storageClass = "GLACIER";
    const drifted = await verify();
    assert.equal(drifted.code, 1);
    const drift = lines(drifted.stdout).find((e) => e.type === "verify-cold")!.drift as Record<
      string,
      string
    >[];
    assert.deepEqual(
      drift.map((d) => [d.assetId, d.key, d.problem]).sort(),
      [
        [sample.uuids.favorite, "original", "in GLACIER at the cold target, stored in DEEP_ARCHIVE"],
        [sample.uuids.live, "motion", "missing at the cold target"],
      ].sort(),
    );
    const sampled = await verify("1");
    assert.equal(lines(sampled.stdout).find((e) => e.type === "verify-cold")!.assets, 1, "a sample of one");
  });
});
